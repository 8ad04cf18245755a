import {
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { stringifyClusterKey } from '@shipyard/plugin-shipyard-common';
import express from 'express';
import { ClusterVisibility, FleetIndex } from '../index/FleetIndex';

/** Limits of `GET /events` (`shipyard.events`). */
export interface EventStreamLimits {
  /** Most open streams of the backend (default 1000). */
  maxStreams: number;
  /** Most open streams of one user or service (default 10). */
  maxStreamsPerUser: number;
  /** How often an open stream re-checks its permission decision, so that a change of policy reaches it (ms, default 30000). */
  permissionRecheckMs: number;
  /** Heartbeat comment interval (ms, default 15000). */
  heartbeatMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  maxStreams: 1000,
  maxStreamsPerUser: 10,
  permissionRecheckMs: 30_000,
  heartbeatMs: 15_000,
};

/** What a caller may see: every cluster, or those a predicate allows; `fingerprint` names the decision. */
export interface StreamAccess {
  visibility?: ClusterVisibility;
  fingerprint: string;
}

/** Why a stream ended, sent as the data of its last (`end`) event. */
export type StreamEndReason = 'expired' | 'forbidden' | 'unauthorized';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The caller a stream counts against: a user, or a service. */
function principalKey(credentials: BackstageCredentials): string {
  const p = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  if (p.type === 'user' && p.userEntityRef) return p.userEntityRef;
  return `${p.type ?? 'unknown'}:${p.subject ?? ''}`;
}

/**
 * The live change streams of `GET /events` (server-sent events): each caller sees the changes of the clusters its
 * permission decision allows, deletions included (judged by the deleted cluster's last summary). Streams are
 * counted per caller and in total and refused with 429 over either cap; a stream ends when its token expires, and
 * re-checks its decision on a fixed cadence, ending when it is now denied and narrowing or widening with it
 * otherwise.
 */
export class EventStreams {
  private readonly limits: EventStreamLimits;
  private readonly perCaller = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly options: {
      index: FleetIndex;
      logger: LoggerService;
      limits?: Partial<EventStreamLimits>;
    },
  ) {
    this.limits = { ...DEFAULT_EVENT_STREAM_LIMITS, ...options.limits };
  }

  /** Number of open streams. */
  get open(): number {
    return this.total;
  }

  /**
   * Serves one stream. `recheck` returns the caller's current access (undefined when denied) and throws when the
   * credentials are no longer valid.
   */
  serve(
    req: express.Request,
    res: express.Response,
    stream: {
      credentials: BackstageCredentials;
      access: StreamAccess;
      /** Expiry of the caller's token (ms since the epoch), when known beyond the credentials. */
      tokenExpiresAt?: number;
      recheck: () => Promise<StreamAccess | undefined>;
    },
  ): void {
    const { index } = this.options;
    const { maxStreams, maxStreamsPerUser } = this.limits;
    const caller = principalKey(stream.credentials);
    const mine = this.perCaller.get(caller) ?? 0;
    if (this.total >= maxStreams || mine >= maxStreamsPerUser) {
      const message =
        mine >= maxStreamsPerUser
          ? `Too many event streams: at most ${maxStreamsPerUser} event streams per user are open at once`
          : `Too many event streams: the backend serves at most ${maxStreams} at once`;
      this.options.logger.debug(
        `Shipyard: event stream of ${caller} refused: ${message}`,
      );
      res.status(429);
      res.setHeader('Retry-After', '30');
      res.json({
        error: { name: 'TooManyRequestsError', message },
        request: { method: req.method, url: req.originalUrl },
        response: { statusCode: 429 },
      });
      return;
    }
    this.total++;
    this.perCaller.set(caller, mine + 1);

    let access = stream.access;
    let closed = false;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const write = (chunk: string) => {
      if (closed) return;
      res.write(chunk);
      // compression middleware, when present, buffers unless flushed
      (res as unknown as { flush?: () => void }).flush?.();
    };
    write(
      `retry: 3000\nevent: hello\ndata: ${JSON.stringify({
        revision: index.revision,
      })}\n\n`,
    );

    const unsubscribe = index.subscribe((event, deleted) => {
      let changes = event.changes;
      const visibility = access.visibility;
      if (visibility) {
        changes = changes.filter(c => {
          const key = stringifyClusterKey(c);
          const summary =
            c.type === 'deleted' ? deleted.get(key) : index.getStored(key);
          return summary ? visibility(summary) : false;
        });
        if (changes.length === 0) return;
      }
      write(
        `id: ${event.revision}\nevent: change\ndata: ${JSON.stringify({
          revision: event.revision,
          changes,
        })}\n\n`,
      );
    });

    const timers: NodeJS.Timeout[] = [];
    const cleanup = () => {
      if (closed) return;
      closed = true;
      timers.forEach(t => clearTimeout(t));
      unsubscribe();
      this.total--;
      const left = (this.perCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.perCaller.set(caller, left);
      else this.perCaller.delete(caller);
    };

    const end = (reason: StreamEndReason) => {
      if (closed) return;
      write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
      res.end();
      cleanup();
    };
    const heartbeat = setInterval(
      () => write(`: heartbeat\n\n`),
      this.limits.heartbeatMs,
    );
    timers.push(heartbeat);

    const expiresAt =
      stream.credentials.expiresAt?.getTime() ?? stream.tokenExpiresAt;
    if (expiresAt !== undefined) {
      const endAtExpiry = () => {
        const left = expiresAt - Date.now();
        if (left <= 0) end('expired');
        else timers.push(setTimeout(endAtExpiry, Math.min(left, MAX_TIMER_MS)));
      };
      endAtExpiry();
    }

    let checking = false;
    const recheck = setInterval(async () => {
      if (checking || closed) return;
      checking = true;
      try {
        const next = await stream.recheck();
        if (!next) end('forbidden');
        else access = next;
      } catch {
        end('unauthorized');
      } finally {
        checking = false;
      }
    }, this.limits.permissionRecheckMs);
    timers.push(recheck);
    for (const t of timers) t.unref?.();

    req.on('close', cleanup);
    res.on('close', cleanup);
  }
}
