import { execFile, spawn, ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * Cluster API's own CRDs and example manifests (`../shared/fixtures/capi` beside the repository),
 * or undefined in a clone without them. Tests that compare with them are skipped then.
 */
export function upstreamFixturesDir(start = process.cwd()): string | undefined {
  let dir = path.resolve(start);
  for (let i = 0; i < 8; i++) {
    const candidate = path.join(dir, '..', 'shared', 'fixtures', 'capi');
    if (fs.existsSync(path.join(candidate, 'cluster.x-k8s.io_clusters.yaml')))
      return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Why tests that need the upstream fixtures are skipped. */
export const NO_UPSTREAM_FIXTURES =
  'skipped: the Cluster API fixtures (../shared/fixtures/capi) are not beside this clone';

/** A test's title, with the reason it is skipped when the upstream fixtures are absent. */
export function upstreamTitle(title: string): string {
  return upstreamFixturesDir() ? title : `${title} (${NO_UPSTREAM_FIXTURES})`;
}

/** A version of an upstream CustomResourceDefinition. */
export interface UpstreamCrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  schema: any;
  subresources?: any;
  additionalPrinterColumns?: any[];
}

/** An upstream CustomResourceDefinition's spec, by `group/kind`. */
export function upstreamCrds(dir: string): Map<string, any> {
  const result = new Map<string, any>();
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith('.yaml')) continue;
    const crd = parseYaml(fs.readFileSync(path.join(dir, file), 'utf8'));
    if (crd?.kind !== 'CustomResourceDefinition') continue;
    result.set(`${crd.spec.group}/${crd.spec.names.kind}`, crd.spec);
  }
  return result;
}

/**
 * Reads an example manifest and substitutes clusterctl `${VAR}`, `${VAR:=default}` and `${VAR:-default}`
 * placeholders: Cluster API's own example when the upstream fixtures are present, else the project's stand-in of
 * the same name (`examples/`).
 */
export function example(file: string, vars: Record<string, string>): string {
  const upstream = upstreamFixturesDir();
  const text = fs.readFileSync(
    upstream
      ? path.join(upstream, 'examples', file)
      : path.join(__dirname, 'examples', file),
    'utf8',
  );
  return text.replace(
    /\$\{([A-Z0-9_]+)(?::?[=-]([^}]*))?\}/g,
    (_m, name: string, fallback: string | undefined) => {
      if (vars[name] !== undefined) return vars[name];
      if (fallback !== undefined) return fallback;
      throw new Error(`no value for \${${name}} in ${file}`);
    },
  );
}

export function tempDir(prefix = 'fleet-sim-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
  ca?: string;
  timeoutMs?: number;
}

const agents = new Map<string, https.Agent>();

/** A keep-alive agent per CA (the test environment blocks the global agents). */
function agentFor(ca: string | undefined): https.Agent {
  const key = ca ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new https.Agent({ ca, keepAlive: true, maxSockets: 8 });
    agents.set(key, agent);
  }
  return agent;
}

/** One HTTP(S) request. */
export function request(
  url: string,
  options: RequestOptions = {},
): Promise<Response> {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  let body: string | Buffer | undefined;
  if (typeof options.body === 'string' || Buffer.isBuffer(options.body))
    body = options.body;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.token !== undefined)
    headers.Authorization = `Bearer ${options.token}`;
  if (body !== undefined)
    headers['Content-Type'] = options.contentType ?? 'application/json';
  if (options.accept) headers.Accept = options.accept;
  return new Promise((resolve, reject) => {
    const req = (isHttps ? https : http).request(
      {
        host: u.hostname,
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: options.method ?? 'GET',
        headers,
        agent: isHttps ? agentFor(options.ca) : new http.Agent(),
      },
      res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.timeoutMs) {
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error('timeout')),
      );
    }
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface WatchHandle {
  status: Promise<number>;
  events: any[];
  /** Resolves with the next event (or rejects after `timeoutMs`). */
  next(timeoutMs?: number): Promise<any>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** Opens a watch and collects its newline-delimited events. */
export function watch(
  url: string,
  token: string,
  ca?: string,
  accept?: string,
): WatchHandle {
  const u = new URL(url);
  const isHttps = u.protocol === 'https:';
  const events: any[] = [];
  let waiters: Array<(e: any) => void> = [];
  let consumed = 0;
  let resolveStatus: (n: number) => void = () => undefined;
  let resolveEnded: () => void = () => undefined;
  const status = new Promise<number>(r => (resolveStatus = r));
  const ended = new Promise<void>(r => (resolveEnded = r));
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (accept) headers.Accept = accept;
  const req = (isHttps ? https : http).request(
    {
      host: u.hostname,
      port: u.port,
      path: `${u.pathname}${u.search}`,
      headers,
      agent: isHttps ? new https.Agent({ ca }) : new http.Agent(),
      ca,
    },
    res => {
      resolveStatus(res.statusCode ?? 0);
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim()) {
            events.push(JSON.parse(line));
            const w = waiters;
            waiters = [];
            w.forEach(f => f(undefined));
          }
          nl = buffer.indexOf('\n');
        }
      });
      res.on('end', () => resolveEnded());
      res.on('close', () => resolveEnded());
      res.on('error', () => resolveEnded());
    },
  );
  req.on('error', () => {
    resolveStatus(0);
    resolveEnded();
  });
  req.end();
  const arrival = (ms: number) =>
    new Promise<void>(resolve => {
      const timer = setTimeout(resolve, ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  return {
    status,
    events,
    ended,
    async next(timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (consumed >= events.length) {
        const remaining = deadline - Date.now();
        if (remaining <= 0)
          throw new Error(
            `no watch event within ${timeoutMs} ms (got ${events.length})`,
          );
        await arrival(remaining);
      }
      return events[consumed++];
    },
    close: () => req.destroy(),
  };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const KUBECTL = '/usr/bin/kubectl';

/** Runs the real kubectl with a fresh HOME (kubectl caches discovery per host:port). */
export function kubectl(
  args: string[],
  kubeconfig: string,
  input?: string,
  timeoutMs = 20000,
): Promise<KubectlResult> {
  const home = tempDir('fleet-sim-kubectl-home-');
  return new Promise(resolve => {
    const child = execFile(
      KUBECTL,
      [`--kubeconfig=${kubeconfig}`, ...args],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin', HOME: home },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        fs.rmSync(home, { recursive: true, force: true });
        let code = 0;
        if (error) {
          const raw = (error as { code?: unknown }).code;
          code = typeof raw === 'number' ? raw : 1;
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
    if (input !== undefined) {
      child.stdin?.end(input);
    }
  });
}

/** Starts kubectl in the background (for `get -w`). */
export function kubectlSpawn(
  args: string[],
  kubeconfig: string,
): { child: ChildProcess; output: () => string; home: string } {
  const home = tempDir('fleet-sim-kubectl-home-');
  const child = spawn(KUBECTL, [`--kubeconfig=${kubeconfig}`, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin', HOME: home },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out, home };
}

export { eventually } from '@shipyard/test-utils';

export function sleep(ms: number): Promise<void> {
  return new Promise(r => setTimeout(r, ms));
}

import { ApiServer } from '../api/apiserver';
import { ResourceRegistry, builtinResourceTypes } from '../api/registry';
import { KubeControllers } from '../api/kubeControllers';
import { ObjectStore, StoreEvent } from '../store/store';

export interface TestApi {
  api: ApiServer;
  kube: KubeControllers;
  events: StoreEvent[];
  type(id: string): ReturnType<ApiServer['type']>;
  stop(): void;
}

let sharedRegistry: ResourceRegistry | undefined;

export function testRegistry(): ResourceRegistry {
  if (!sharedRegistry) {
    sharedRegistry = new ResourceRegistry(builtinResourceTypes());
  }
  return sharedRegistry;
}

/** An API server over a fresh store with namespaces `default` and `team-a`. */
export function testApi(historySize = 1000): TestApi {
  const registry = testRegistry();
  const store = new ObjectStore(registry.types, {
    initialRv: 100,
    historySize,
  });
  const api = new ApiServer('test', registry, store);
  const kube = new KubeControllers(api);
  for (const ns of ['default', 'team-a']) {
    api.create(
      api.type('core/namespaces'),
      undefined,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { internal: true },
    );
  }
  const events: StoreEvent[] = [];
  const unsubscribe = store.subscribe(e => events.push(e));
  return {
    api,
    kube,
    events,
    type: id => api.type(id),
    stop: () => {
      unsubscribe();
      kube.stop();
    },
  };
}
