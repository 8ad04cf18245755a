import { DatabaseService } from '@backstage/backend-plugin-api';
import { VersionSupportRecord } from '@shipyard/plugin-shipyard-common';
import { Knex } from 'knex';
import { migratedClient, migrateStore } from './migrations';

const TABLE = 'shipyard_version_support';

interface Row {
  distribution: string;
  source_url: string;
  records: string | null;
  fetched_at: string | null;
  checked_at: string | null;
  attempted_at: string;
  last_error: string | null;
  etag: string | null;
}

/** What the database holds for one refresh source. */
export interface StoredVersionSupport {
  distribution: string;
  url: string;
  /** The last calendar read (absent until a read succeeded). */
  records?: VersionSupportRecord[];
  /** When that calendar was read. */
  fetchedAt?: string;
  /** When the source last answered (a new calendar, or "not modified"). */
  checkedAt?: string;
  /** When it was last asked. */
  attemptedAt: string;
  /** Why the last attempt failed, when it did. */
  lastError?: string;
  etag?: string;
}

/** The refreshed calendars in the database (migrations in `migrations/version-support`), shared by replicas. */
export class VersionSupportStore {
  /** Runs this store's migrations (its own migrations table). */
  static async migrate(knex: Knex): Promise<void> {
    await migrateStore(knex, 'version-support');
  }

  /** The store on a plugin database, migrated unless the database skips migrations. */
  static async create(database: DatabaseService): Promise<VersionSupportStore> {
    return new VersionSupportStore(
      await migratedClient(database, 'version-support'),
    );
  }

  constructor(private readonly knex: Knex) {}

  /** Every stored source. Rows that cannot be read are returned without records. */
  async load(): Promise<StoredVersionSupport[]> {
    const rows = await this.knex<Row>(TABLE).select();
    return rows.map(row => {
      const out: StoredVersionSupport = {
        distribution: row.distribution,
        url: row.source_url,
        attemptedAt: row.attempted_at,
      };
      if (row.records && row.fetched_at) {
        try {
          const records = JSON.parse(row.records);
          if (Array.isArray(records)) {
            out.records = records;
            out.fetchedAt = row.fetched_at;
          }
        } catch {
          out.lastError = 'the stored calendar cannot be read';
        }
      }
      if (row.checked_at) out.checkedAt = row.checked_at;
      if (row.last_error) out.lastError = row.last_error;
      if (row.etag) out.etag = row.etag;
      return out;
    });
  }

  /** Stores a calendar just read. */
  async saveCalendar(entry: {
    distribution: string;
    url: string;
    records: VersionSupportRecord[];
    fetchedAt: string;
    etag?: string;
  }): Promise<void> {
    await this.upsert({
      distribution: entry.distribution,
      source_url: entry.url,
      records: JSON.stringify(entry.records),
      fetched_at: entry.fetchedAt,
      checked_at: entry.fetchedAt,
      attempted_at: entry.fetchedAt,
      last_error: null,
      etag: entry.etag ?? null,
    });
  }

  /** Notes that the source answered "not modified": the stored calendar is still current. */
  async saveNotModified(
    distribution: string,
    url: string,
    at: string,
  ): Promise<void> {
    await this.knex<Row>(TABLE)
      .where({ distribution, source_url: url })
      .update({ checked_at: at, attempted_at: at, last_error: null });
  }

  /** Notes a failed attempt; a calendar read before stays. */
  async saveFailure(
    distribution: string,
    url: string,
    at: string,
    error: string,
  ): Promise<void> {
    const updated = await this.knex<Row>(TABLE)
      .where({ distribution, source_url: url })
      .update({ attempted_at: at, last_error: error.slice(0, 2000) });
    if (updated === 0) {
      // first attempt, or the source's URL changed: nothing read from this URL yet
      await this.upsert({
        distribution,
        source_url: url,
        records: null,
        fetched_at: null,
        checked_at: null,
        attempted_at: at,
        last_error: error.slice(0, 2000),
        etag: null,
      });
    }
  }

  private async upsert(row: Row): Promise<void> {
    await this.knex<Row>(TABLE).insert(row).onConflict('distribution').merge();
  }
}
