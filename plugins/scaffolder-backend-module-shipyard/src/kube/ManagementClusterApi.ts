import http from 'node:http';
import https from 'node:https';
import {
  ManagementClusterConnection,
  createConnectionAgent,
} from '@shipyard/plugin-shipyard-node';

/** A Kubernetes `Status` error body. */
export interface KubeStatusBody {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    causes?: Array<{ field?: string; message?: string; reason?: string }>;
  };
}

/** A response of the Kubernetes API: status code and parsed JSON body. */
export interface KubeResponse<T = any> {
  status: number;
  body: T;
}

/** The API server answered with an error, or could not be reached (`status` 0). */
export class KubeRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body?: KubeStatusBody,
  ) {
    super(message);
    this.name = 'KubeRequestError';
  }
}

/** Write options of {@link ManagementClusterApi}. */
export interface WriteOptions {
  /** Server-side dry run (`dryRun=All`): admission and validation run, nothing is stored. */
  dryRun?: boolean;
  fieldManager: string;
}

/** The API paths of a namespaced custom resource or a core kind. */
export const CLUSTERS_PATH = (namespace: string) =>
  `/apis/cluster.x-k8s.io/v1beta2/namespaces/${encodeURIComponent(
    namespace,
  )}/clusters`;
export const NAMESPACES_PATH = '/api/v1/namespaces';

/**
 * A small client of one management cluster's Kubernetes API for the writes of cluster requests (get, create,
 * server-side apply), each with optional server-side dry run. Credentials come from the shared connection config and
 * never leave the backend.
 */
export class ManagementClusterApi {
  private readonly agent: http.Agent;

  constructor(
    readonly connection: ManagementClusterConnection,
    private readonly timeoutMs = 15_000,
  ) {
    this.agent = createConnectionAgent(connection, { maxSockets: 4 });
  }

  get name(): string {
    return this.connection.name;
  }

  /** GET an object; undefined on 404. */
  async get<T = any>(path: string): Promise<T | undefined> {
    const res = await this.request('GET', path);
    if (res.status === 404) return undefined;
    return this.expectOk(res, `GET ${path}`);
  }

  /** POST (create) an object. */
  async create<T = any>(
    path: string,
    body: unknown,
    options: WriteOptions,
  ): Promise<T> {
    const res = await this.request(
      'POST',
      `${path}?${this.params(options)}`,
      JSON.stringify(body),
      'application/json',
    );
    return this.expectOk(res, `create ${path}`);
  }

  /** Server-side apply (PATCH `application/apply-patch+yaml`) of an object at its path. */
  async apply<T = any>(
    path: string,
    body: unknown,
    options: WriteOptions & { force?: boolean },
  ): Promise<T> {
    const params = this.params(options);
    if (options.force) params.set('force', 'true');
    const res = await this.request(
      'PATCH',
      `${path}?${params}`,
      JSON.stringify(body),
      'application/apply-patch+yaml',
    );
    return this.expectOk(res, `apply ${path}`);
  }

  close(): void {
    this.agent.destroy();
  }

  private params(options: WriteOptions): URLSearchParams {
    const params = new URLSearchParams({ fieldManager: options.fieldManager });
    if (options.dryRun) params.set('dryRun', 'All');
    return params;
  }

  private expectOk<T>(res: KubeResponse, what: string): T {
    if (res.status >= 200 && res.status < 300) return res.body as T;
    const status = (res.body ?? {}) as KubeStatusBody;
    throw new KubeRequestError(
      `${what} on management cluster ${this.name}: HTTP ${res.status}${
        status.reason ? ` ${status.reason}` : ''
      }${status.message ? `: ${status.message}` : ''}`,
      res.status,
      status,
    );
  }

  private async request(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<KubeResponse> {
    const token = await this.connection.getToken();
    const url = new URL(`${this.connection.url.replace(/\/+$/, '')}${path}`);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: this.timeoutMs,
          headers: {
            accept: 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined
              ? {
                  'content-type': contentType ?? 'application/json',
                  'content-length': Buffer.byteLength(body),
                }
              : {}),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = undefined;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = { message: text.slice(0, 500) };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`timed out after ${this.timeoutMs} ms`)),
      );
      req.on('error', error =>
        reject(
          new KubeRequestError(
            `Cannot reach management cluster ${this.name}: ${error.message}`,
            0,
          ),
        ),
      );
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}
