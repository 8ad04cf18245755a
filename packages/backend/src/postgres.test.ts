import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { Client } from 'pg';

const pgUrl = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const root = path.resolve(__dirname, '../../..');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

let exited: string | undefined;

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`backend exited: ${exited}`);
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (e) {
      lastError = e;
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`timed out: ${String(lastError)}`);
}

// The portal with the production configuration (app-config.production.yaml) on a real PostgreSQL 15.
(pgUrl ? describe : describe.skip)('backend on PostgreSQL', () => {
  let backend: ChildProcess | undefined;
  let output = '';
  const dbPrefix = `shipyard_e2e_${process.pid}_`;

  afterAll(async () => {
    backend?.kill('SIGTERM');
    await new Promise(r => setTimeout(r, 1000));
    const client = new Client({ connectionString: `${pgUrl}/postgres` });
    await client.connect();
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${dbPrefix}%`],
    );
    for (const row of rows) {
      await client.query(
        `DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`,
      );
    }
    await client.end();
  });

  it('serves the catalog from PostgreSQL', async () => {
    const url = new URL(pgUrl!);
    const port = await freePort();
    const overlay = path.join(
      fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-pg-')),
      'app-config.test.yaml',
    );
    fs.writeFileSync(
      overlay,
      [
        'backend:',
        `  baseUrl: http://localhost:${port}`,
        `  listen: { port: ${port} }`,
        '  database:',
        `    pluginDivisionMode: database`,
        `    prefix: ${dbPrefix}`,
        'auth:',
        '  environment: development',
        '  providers:',
        '    guest:',
        '      userEntityRef: user:default/guest',
        '      dangerouslyAllowOutsideDevelopment: true',
        '',
      ].join('\n'),
    );
    backend = spawn(
      process.execPath,
      [
        require.resolve('@backstage/cli/bin/backstage-cli'),
        'package',
        'start',
        '--config',
        path.join(root, 'app-config.yaml'),
        '--config',
        path.join(root, 'app-config.production.yaml'),
        '--config',
        overlay,
      ],
      {
        cwd: path.join(root, 'packages/backend'),
        env: {
          ...process.env,
          NODE_ENV: 'development',
          APP_BASE_URL: `http://localhost:${port}`,
          BACKEND_BASE_URL: `http://localhost:${port}`,
          POSTGRES_HOST: url.hostname,
          POSTGRES_PORT: url.port,
          POSTGRES_USER: url.username,
          POSTGRES_PASSWORD: url.password || 'unused',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    backend.on('exit', code => {
      exited = `code ${code}`;
    });
    backend.stdout?.on('data', d => {
      output += d;
    });
    backend.stderr?.on('data', d => {
      output += d;
    });
    const base = `http://localhost:${port}`;
    try {
      const token = await waitFor(async () => {
        const res = await fetch(`${base}/api/auth/guest/refresh`);
        if (!res.ok) return undefined;
        const body = await res.json();
        return body.backstageIdentity.token as string;
      }, 150_000);
      const names = await waitFor(async () => {
        const res = await fetch(
          `${base}/api/catalog/entities/by-query?filter=kind=component&limit=100`,
          { headers: { authorization: `Bearer ${token}` } },
        );
        if (!res.ok) return undefined;
        const body = await res.json();
        const found = body.items.map((e: any) => e.metadata.name) as string[];
        const expected = ['shipyard', 'shipyard-backend', 'fleet-sim'];
        return expected.every(n => found.includes(n)) ? found : undefined;
      }, 60_000);
      expect(names).toEqual(
        expect.arrayContaining(['shipyard', 'shipyard-backend', 'fleet-sim']),
      );
    } catch (e) {
      throw new Error(`${e}\n--- backend output ---\n${output.slice(-4000)}`);
    }

    // The catalog's rows really live in PostgreSQL.
    const client = new Client({
      connectionString: `${pgUrl}/${dbPrefix}catalog`,
    });
    await client.connect();
    const { rows } = await client.query(
      "SELECT count(*)::int AS n FROM final_entities WHERE final_entity LIKE '%shipyard-backend%'",
    );
    await client.end();
    expect(rows[0].n).toBeGreaterThan(0);
  }, 240_000);
});
