/*
 * Read-only queries on the catalog's own database, for the catalog benchmark: from its sampler thread while the
 * catalog fills, and from the benchmark after the fill (stitch queue, database sizes).
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';

/** Where the catalog's database is: SQLite files in a folder, or a PostgreSQL database. */
export type CatalogDbTarget =
  | { client: 'sqlite'; directory: string }
  | { client: 'postgres'; url: string; database: string };

function mb(bytes: number): number {
  return bytes / 1024 / 1024;
}

/** Counts in the catalog's tables and the size of its database. */
export class CatalogDbProbe {
  private knex?: Knex;
  private readonly file?: string;

  constructor(private readonly target: CatalogDbTarget) {
    if (target.client === 'sqlite') {
      this.file = path.join(target.directory, 'catalog.sqlite');
    }
  }

  /**
   * The connection, once there is a database to read: a SQLite file is never created here (the catalog creates it
   * and sets its journal mode).
   */
  private client(): Knex | undefined {
    if (this.knex) return this.knex;
    if (this.target.client === 'sqlite') {
      if (!fs.existsSync(this.file!)) return undefined;
      this.knex = knexFactory({
        client: 'better-sqlite3',
        connection: { filename: this.file! },
        useNullAsDefault: true,
        pool: { min: 1, max: 1 },
      });
    } else {
      const connection = new URL(this.target.url);
      connection.pathname = `/${this.target.database}`;
      this.knex = knexFactory({
        client: 'pg',
        connection: connection.toString(),
        pool: { min: 0, max: 1 },
      });
    }
    return this.knex;
  }

  private async count(
    query: (knex: Knex) => Knex.QueryBuilder,
  ): Promise<number> {
    const knex = this.client();
    if (!knex) return 0;
    try {
      const [row] = await query(knex).count({ n: '*' });
      return Number(row?.n ?? 0);
    } catch {
      return 0; // the catalog has not created its tables yet
    }
  }

  /** Cluster entities the catalog holds (its `search` rows of `spec.type`, what `by-query` filters on). */
  clusterEntities(): Promise<number> {
    return this.count(knex =>
      knex('search').where({
        key: 'spec.type',
        value: 'kubernetes-cluster',
      }),
    );
  }

  refreshState(): Promise<number> {
    return this.count(knex => knex('refresh_state'));
  }

  stitchQueue(): Promise<number> {
    return this.count(knex => knex('stitch_queue'));
  }

  /** The catalog's database and every plugin's database (SQLite files; PostgreSQL: the catalog's only). */
  async sizes(): Promise<{ catalogMb: number; allMb: number }> {
    if (this.target.client === 'postgres') {
      const knex = this.client()!;
      const r = await knex.raw(
        'select pg_database_size(current_database()) as size',
      );
      return { catalogMb: mb(Number(r.rows[0].size)), allMb: NaN };
    }
    const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
    const file = this.file!;
    const directory = this.target.directory;
    const all = fs.readdirSync(directory).map(f => path.join(directory, f));
    return {
      catalogMb: mb(
        [file, `${file}-wal`, `${file}-shm`, `${file}-journal`].reduce(
          (s, f) => s + size(f),
          0,
        ),
      ),
      allMb: mb(all.reduce((s, f) => s + size(f), 0)),
    };
  }

  async destroy(): Promise<void> {
    await this.knex?.destroy();
  }
}
