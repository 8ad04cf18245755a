import crypto from 'node:crypto';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import { AddressInfo, Socket } from 'node:net';
import { ApiRequest, Caller } from '../api/request';
import { sendStatus } from '../api/response';
import { ApiError, errors } from '../api/errors';
import { SharedTime } from './sharedTime';

/** Something that answers the Kubernetes API under a URL prefix. */
export interface Endpoint {
  /** Fault-injection id: the management cluster name, or `mgmt/namespace/name`. */
  id: string;
  /** Resolves a bearer token to a caller, or undefined when the token is not valid here. */
  authenticate(token: string): Caller | undefined;
  handle(r: ApiRequest): Promise<void> | void;
}

/** What the server needs to know about faults before it answers. */
export interface FaultGate {
  /** Returns how to treat a request to endpoint `id`. */
  decide(id: string, path: string): FaultDecision;
  /**
   * Whether endpoint `id` is black-holed now: the responses it is still writing (watch streams) fall silent, as
   * behind a network partition, instead of going on.
   */
  silenced?(id: string): boolean;
}

/**
 * How a request is treated: `delayMs` of added latency, then (but for a watch) `sharedMs` of the endpoint's time
 * shared among its requests in flight (a saturated API server, see `SharedTime`).
 */
export type FaultDecision =
  | { kind: 'pass'; delayMs: number; sharedMs?: number }
  | { kind: 'refuse' }
  | { kind: 'blackhole' }
  | { kind: 'error'; error: ApiError; delayMs: number; sharedMs?: number };

export interface ServerOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
  /** Finds the endpoint for `/clusters/<segments...>`; returns it and how many segments its prefix used. */
  resolve(segments: string[]): { endpoint: Endpoint; used: number } | undefined;
  faults: FaultGate;
  /** Handles `/admin/...` (after admin authentication). */
  admin?(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void>;
  adminToken: string;
}

const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && crypto.timingSafeEqual(ab, bb);
}

/** The one HTTPS listener all simulated clusters share (`/clusters/<name>/...`). */
export class FleetServer {
  private server?: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<ServerResponse>();
  /** The time of each saturated endpoint, by fault-injection id. */
  private readonly sharedTimes = new Map<string, SharedTime>();
  private actualPort = 0;

  constructor(private readonly options: ServerOptions) {}

  get port(): number {
    return this.actualPort;
  }

  /** Requests currently held open by a black-hole fault. */
  get heldRequests(): number {
    return this.held.size;
  }

  get scheme(): string {
    return this.options.tls ? 'https' : 'http';
  }

  get baseUrl(): string {
    const host = this.options.host.includes(':')
      ? `[${this.options.host}]`
      : this.options.host;
    return `${this.scheme}://${host}:${this.actualPort}`;
  }

  async listen(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.onRequest(req, res).catch(e => {
        const error =
          e instanceof ApiError
            ? e
            : errors.internal(e instanceof Error ? e.message : String(e));
        if (!res.headersSent) sendStatus(res, error);
        else res.destroy();
      });
    };
    const server = this.options.tls
      ? https.createServer(
          {
            cert: this.options.tls.cert,
            key: this.options.tls.key,
            requestTimeout: 0,
            keepAliveTimeout: 120_000,
          },
          handler,
        )
      : http.createServer(
          { requestTimeout: 0, keepAliveTimeout: 120_000 },
          handler,
        );
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      socket.on('error', () => undefined);
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    server.on('tlsClientError', (_err, socket) => socket.destroy());
    server.maxHeadersCount = 200;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.actualPort = (server.address() as AddressInfo).port;
  }

  private hold(res: ServerResponse): void {
    if (this.held.has(res)) return;
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  /**
   * Makes a response fall silent once its endpoint is black-holed: what it writes from then on is dropped and its
   * end never comes, the connection stays open (and is reset when the fault is cleared, as the dead connections of
   * a healed partition are).
   */
  private silenceable(id: string, res: ServerResponse): void {
    const silenced = this.options.faults.silenced;
    if (!silenced) return;
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    const mute = () => {
      if (!silenced.call(this.options.faults, id)) return false;
      this.hold(res);
      return true;
    };
    res.write = ((...args: unknown[]) =>
      mute() ? true : write(...args)) as ServerResponse['write'];
    res.end = ((...args: unknown[]) =>
      mute() ? res : end(...args)) as ServerResponse['end'];
  }

  /** Ends requests held open by black-holing. */
  releaseHeld(filter?: (res: ServerResponse) => boolean): void {
    for (const res of [...this.held]) {
      if (!filter || filter(res)) {
        this.held.delete(res);
        res.socket?.destroy();
      }
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.releaseHeld();
    await new Promise<void>(resolve => {
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    this.server = undefined;
  }

  private async onRequest(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://fleet-sim.invalid');
    } catch {
      throw errors.badRequest('malformed request URL');
    }
    const pathname = url.pathname;
    if (pathname === '/admin' || pathname.startsWith('/admin/')) {
      const token = bearer(req);
      if (!token || !tokensEqual(token, this.options.adminToken))
        throw errors.unauthorized();
      if (!this.options.admin) throw errors.pathNotFound();
      await this.options.admin(
        req,
        res,
        pathname.slice('/admin'.length) || '/',
        url.searchParams,
      );
      return;
    }
    if (
      pathname === '/healthz' ||
      pathname === '/readyz' ||
      pathname === '/livez'
    ) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return;
    }
    const segments = pathname.split('/').filter(Boolean);
    if (segments[0] !== 'clusters' || segments.length < 2)
      throw errors.pathNotFound();
    const resolved = this.options.resolve(
      segments.slice(1).map(s => decodeURIComponent(s)),
    );
    if (!resolved) throw errors.pathNotFound();
    const { endpoint, used } = resolved;
    const prefixSegments = segments.slice(0, used + 1);
    const prefix = `/${prefixSegments.join('/')}`;
    const rest = `/${segments.slice(used + 1).join('/')}`;
    const path = pathname.endsWith('/') && rest !== '/' ? `${rest}/` : rest;

    const decision = this.options.faults.decide(endpoint.id, path);
    if (decision.kind === 'refuse') {
      req.socket.destroy();
      return;
    }
    if (decision.kind === 'blackhole') {
      this.hold(res);
      return;
    }
    this.silenceable(endpoint.id, res);
    if (decision.delayMs > 0) {
      await new Promise(resolve => setTimeout(resolve, decision.delayMs));
      if (res.destroyed) return;
    }
    // a watch costs the server little to start: the shared time goes to the other requests (lists above all)
    if (decision.sharedMs && !isWatch(url.searchParams)) {
      let time = this.sharedTimes.get(endpoint.id);
      if (!time) {
        time = new SharedTime();
        this.sharedTimes.set(endpoint.id, time);
      }
      await time.serve(decision.sharedMs, res);
      if (res.destroyed) return;
    }
    if (decision.kind === 'error') {
      sendStatus(res, decision.error);
      return;
    }

    const token = bearer(req);
    let caller: Caller | undefined;
    if (token !== undefined) {
      caller = endpoint.authenticate(token);
      if (!caller) throw errors.unauthorized();
    } else if (
      PUBLIC_PATHS.has(path) ||
      path.startsWith('/readyz/') ||
      path.startsWith('/livez/')
    ) {
      caller = { user: 'system:anonymous', readOnly: true };
    } else {
      throw errors.unauthorized();
    }
    const r: ApiRequest = {
      req,
      res,
      path,
      query: url.searchParams,
      prefix,
      caller,
    };
    await endpoint.handle(r);
  }
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1].trim() : '';
}

function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === '1' || watch === 'true';
}
