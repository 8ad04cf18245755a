import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import {
  RefreshedVersionSupport,
  VersionSupportRefreshSource,
} from '@shipyard/plugin-shipyard-common';
import { VersionSupportRefreshConfig, VersionSupportSource } from './config';
import { parseEndOfLifeProduct } from './endoflife';
import { VersionLifecycle } from './VersionLifecycle';
import {
  StoredVersionSupport,
  VersionSupportStore,
} from '../stores/VersionSupportStore';

/** What one refresh of one source did. */
export interface RefreshOutcome {
  distribution: string;
  url: string;
  result: 'updated' | 'not-modified' | 'failed';
  records?: number;
  error?: string;
}

/** The state of one refresh source, as `GET /version-support` reports it. */
export type RefreshSourceStatus = VersionSupportRefreshSource;

/** The id of the scheduled refresh (trigger it through the scheduler's `/.backstage/scheduler/v1/tasks` API). */
export const REFRESH_TASK_ID = 'shipyard:version-support:refresh';

/**
 * Refreshes support calendars without a release: a `global` scheduled task reads every configured source (the
 * endoflife.date v1 product format; conditional requests with the last ETag), keeps what it read in the database,
 * and every replica reads the database on its own schedule. A source that is down, slow, too large or answers
 * something else leaves the last calendar read from it in place (or the data file, when nothing was read yet) and
 * its error is reported.
 */
export class VersionSupportRefresher {
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private stored: StoredVersionSupport[] = [];

  constructor(
    private readonly options: {
      lifecycle: VersionLifecycle;
      store: VersionSupportStore;
      config: VersionSupportRefreshConfig;
      logger: LoggerService;
      now?: () => number;
      fetch?: typeof fetch;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
  }

  get enabled(): boolean {
    return this.options.config.enabled;
  }

  /** Reads the refreshed calendars from the database (when refreshing is enabled) and puts them in force. */
  async reload(): Promise<boolean> {
    if (!this.enabled) return false;
    this.stored = await this.options.store.load();
    const inForce: RefreshedVersionSupport[] = [];
    for (const source of this.options.config.sources) {
      const row = this.current(source);
      if (!row?.records || !row.fetchedAt) continue;
      inForce.push({
        distribution: source.distribution,
        source: source.url,
        fetchedAt: row.fetchedAt,
        records: row.records,
      });
    }
    return this.options.lifecycle.setRefreshed(inForce);
  }

  /** Schedules the refresh (global) and the reading of the database (local, every replica). */
  async schedule(scheduler: SchedulerService): Promise<void> {
    if (!this.enabled) return;
    const { config } = this.options;
    await scheduler.scheduleTask({
      id: REFRESH_TASK_ID,
      scope: 'global',
      frequency: config.frequency,
      timeout: {
        milliseconds: Math.max(
          config.timeoutMs * (config.sources.length + 1),
          60_000,
        ),
      },
      initialDelay: { milliseconds: config.initialDelayMs },
      fn: async () => {
        await this.refreshAll();
      },
    });
    await scheduler.scheduleTask({
      id: 'shipyard:version-support:reload',
      scope: 'local',
      frequency: { milliseconds: config.reloadIntervalMs },
      timeout: { milliseconds: 60_000 },
      initialDelay: { milliseconds: config.reloadIntervalMs },
      fn: async () => {
        await this.reload();
      },
    });
  }

  /** Reads every source now, stores what it read and puts it in force. */
  async refreshAll(): Promise<RefreshOutcome[]> {
    if (!this.enabled) return [];
    this.stored = await this.options.store.load();
    const outcomes: RefreshOutcome[] = [];
    for (const source of this.options.config.sources) {
      outcomes.push(await this.refreshOne(source));
    }
    await this.reload();
    const failed = outcomes.filter(o => o.result === 'failed');
    this.options.logger.info(
      `Shipyard version support refresh: ${
        outcomes.filter(o => o.result === 'updated').length
      } updated, ${
        outcomes.filter(o => o.result === 'not-modified').length
      } not modified, ${failed.length} failed${
        failed.length
          ? ` (${failed.map(f => `${f.distribution}: ${f.error}`).join('; ')})`
          : ''
      }`,
    );
    return outcomes;
  }

  /** The state of every configured source, from the database. */
  async status(): Promise<RefreshSourceStatus[]> {
    if (!this.enabled) return [];
    this.stored = await this.options.store.load();
    return this.options.config.sources.map(source => {
      const row = this.current(source);
      const out: RefreshSourceStatus = {
        distribution: source.distribution,
        url: source.url,
      };
      if (row?.fetchedAt) out.fetchedAt = row.fetchedAt;
      if (row?.checkedAt) out.checkedAt = row.checkedAt;
      if (row?.attemptedAt) out.attemptedAt = row.attemptedAt;
      if (row?.lastError) out.lastError = row.lastError;
      if (row?.records) out.records = row.records.length;
      return out;
    });
  }

  /** The stored row of a source, when it was read from the source's current URL. */
  private current(
    source: VersionSupportSource,
  ): StoredVersionSupport | undefined {
    return this.stored.find(
      r => r.distribution === source.distribution && r.url === source.url,
    );
  }

  private async refreshOne(
    source: VersionSupportSource,
  ): Promise<RefreshOutcome> {
    const { store, config } = this.options;
    const at = new Date(this.now()).toISOString();
    const base = { distribution: source.distribution, url: source.url };
    const previous = this.current(source);
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (previous?.etag && previous.records) {
        headers['if-none-match'] = previous.etag;
      }
      const res = await this.fetchImpl(source.url, {
        headers,
        redirect: 'follow',
        signal: AbortSignal.timeout(config.timeoutMs),
      });
      if (res.status === 304 && previous?.records) {
        await res.body?.cancel();
        await store.saveNotModified(source.distribution, source.url, at);
        return { ...base, result: 'not-modified' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      const text = await readLimited(res, config.maxBytes);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error('the answer is not JSON');
      }
      const parsed = parseEndOfLifeProduct(body, {
        distribution: source.distribution,
        source: source.url,
        fetchedAt: at,
        scheme: source.scheme,
        extendedSupportCharged: source.extendedSupportCharged,
      });
      if (parsed.records.length === 0) {
        throw new Error(
          `no Kubernetes minors in the answer${
            parsed.skipped.length
              ? ` (${parsed.skipped.slice(0, 3).join('; ')})`
              : ''
          }`,
        );
      }
      if (parsed.skipped.length > 0) {
        this.options.logger.warn(
          `Shipyard version support refresh of ${source.distribution} skipped ${
            parsed.skipped.length
          } releases: ${parsed.skipped.slice(0, 5).join('; ')}`,
        );
      }
      await store.saveCalendar({
        ...base,
        records: parsed.records,
        fetchedAt: at,
        etag: res.headers.get('etag') ?? undefined,
      });
      return { ...base, result: 'updated', records: parsed.records.length };
    } catch (error) {
      const message = describeError(error);
      this.options.logger.warn(
        `Shipyard version support refresh of ${source.distribution} from ${
          source.url
        } failed: ${message}; keeping ${
          previous?.records
            ? `the calendar read at ${previous.fetchedAt}`
            : 'the data file'
        }`,
      );
      try {
        await store.saveFailure(source.distribution, source.url, at, message);
      } catch (storeError) {
        this.options.logger.warn(
          `Shipyard: recording the refresh failure failed: ${storeError}`,
        );
      }
      return { ...base, result: 'failed', error: message };
    }
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError') return 'no answer in time';
    const cause = (error as Error & { cause?: { code?: string } }).cause;
    return cause?.code ? `${error.message} (${cause.code})` : error.message;
  }
  return String(error);
}

/** The body of a response as text, refusing more than `maxBytes`. */
async function readLimited(res: Response, maxBytes: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    throw new Error(`the answer is larger than ${maxBytes} bytes`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
