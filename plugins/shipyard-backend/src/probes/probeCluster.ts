import { ClusterNodesSummary } from '@shipyard/plugin-shipyard-common';
import {
  KubeApiError,
  KubeClient,
  KubeResponse,
} from '@shipyard/plugin-shipyard-node/kube';
import { detectDistribution } from './distribution';
import { ProbeResult, ProbeTarget } from './types';

/** Options of {@link probeCluster}. */
export interface ProbeOptions {
  timeoutMs: number;
  maxNodes: number;
  kubeSystemChecks: boolean;
  /** Read `/apis` for distribution detection (done on the first probe and then rarely). */
  discovery: boolean;
  /**
   * Whether a slow server may get more connections for the probe's other requests (default true). Off while the
   * prober's round is congested: a late answer is then the prober's machine, and more connections only cost
   * handshakes.
   */
  hedge?: boolean;
  /** Clock (ms). */
  now?: () => number;
}

/** The API groups that distribution detection looks for. */
const INTERESTING_GROUPS = new Set([
  'config.openshift.io',
  'autopilot.k0sproject.io',
  'networking.gke.io',
  'crd.k8s.amazonaws.com',
  'vpcresources.k8s.aws',
]);

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';

/**
 * Connections one probe may open when the server answers slowly. A probe's requests otherwise queue on the cluster's
 * one keep-alive connection; only one idle connection is kept, so the others close once their requests are done and
 * slow clusters do not add up to more open sockets than clusters.
 */
export const PARALLEL_SOCKETS = 3;

/** Largest response body a probe reads. */
export const MAX_PROBE_RESPONSE_BYTES = 16 * 1024 * 1024;

function parseJson(body: string): any {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** `4`, `3920m` → cores. */
function parseCpu(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.endsWith('m')) return Number(value.slice(0, -1)) / 1000;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

const MEMORY_UNITS: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** `16329708Ki` → bytes. */
function parseMemory(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)([kMGT]i?|Ki)?$/.exec(value);
  if (!m) return undefined;
  return Number(m[1]) * (MEMORY_UNITS[m[2] ?? ''] ?? 1);
}

/** Names of the failing checks of a `/readyz` body (`[-]etcd failed: …`). */
function failedChecksOf(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split('\n')) {
    const m = /^\[-\]([^\s:]+)/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/**
 * What a request that got no response says about the cluster. The probe's deadline aborts its requests: an abort
 * is a timeout.
 */
function requestFailure(error: unknown): {
  kind: 'timeout' | 'tls' | 'unreachable';
  message: string;
} {
  if (!(error instanceof KubeApiError)) {
    return { kind: 'unreachable', message: 'request failed' };
  }
  switch (error.reason) {
    case 'Aborted':
      return { kind: 'timeout', message: 'timeout' };
    case 'Timeout':
      return { kind: 'timeout', message: error.message };
    case 'TLSError':
      return { kind: 'tls', message: error.message };
    default:
      return { kind: 'unreachable', message: error.message };
  }
}

/** A short description of an HTTP error response (from a `Status` body when there is one). */
function describeHttpError(res: KubeResponse): string {
  const status = res.contentType.includes('json')
    ? parseJson(res.body)
    : undefined;
  const message =
    status && status.kind === 'Status' && typeof status.message === 'string'
      ? `: ${status.message.slice(0, 160)}`
      : '';
  return `HTTP ${res.status}${message}`;
}

interface NodesFacts {
  summary: ClusterNodesSummary;
  notReady: string[];
  labels: Array<Record<string, string>>;
}

function summariseNodes(items: any[], acc: NodesFacts) {
  const s = acc.summary;
  for (const node of items) {
    s.total++;
    const conditions: any[] = node?.status?.conditions ?? [];
    const ready = conditions.some(
      c => c?.type === 'Ready' && c?.status === 'True',
    );
    if (ready) s.ready++;
    else {
      s.notReady++;
      if (acc.notReady.length < 5)
        acc.notReady.push(String(node?.metadata?.name));
    }
    const kubelet = node?.status?.nodeInfo?.kubeletVersion;
    if (typeof kubelet === 'string') {
      s.kubeletVersions[kubelet] = (s.kubeletVersions[kubelet] ?? 0) + 1;
    }
    const labels: Record<string, string> = node?.metadata?.labels ?? {};
    let hasRole = false;
    for (const key of Object.keys(labels)) {
      if (key.startsWith(NODE_ROLE_PREFIX)) {
        const role = key.slice(NODE_ROLE_PREFIX.length);
        if (role) {
          hasRole = true;
          s.roles[role] = (s.roles[role] ?? 0) + 1;
        }
      }
    }
    if (!hasRole) s.roles.worker = (s.roles.worker ?? 0) + 1;
    if (acc.labels.length < 3) acc.labels.push(labels);
    const capacity = node?.status?.capacity ?? {};
    const cpu = parseCpu(capacity.cpu);
    const memory = parseMemory(capacity.memory);
    const pods = Number(capacity.pods);
    const cap = (s.capacity ??= {});
    if (cpu !== undefined)
      cap.cpu = Math.round(((cap.cpu ?? 0) + cpu) * 1000) / 1000;
    if (memory !== undefined) cap.memoryBytes = (cap.memoryBytes ?? 0) + memory;
    if (Number.isFinite(pods)) cap.pods = (cap.pods ?? 0) + pods;
  }
}

/**
 * Probes one workload cluster: `/readyz` (or `/healthz`), then in parallel `/version`, the nodes (paged), the
 * kube-system pods and, when asked, `/apis`. Everything happens within `timeoutMs`; what has not answered by then is
 * abandoned. Never throws.
 */
export async function probeCluster(
  target: ProbeTarget,
  client: KubeClient,
  options: ProbeOptions,
  previous: Pick<ProbeResult, 'apiGroups' | 'apiGroupsAt'> | undefined,
): Promise<ProbeResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const at = new Date(started).toISOString();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  const signal = controller.signal;
  let total = 0;
  let failed = 0;
  let example = '';
  let unauthorized = false;
  /** Time spent opening connections (ms) by the requests so far. */
  let connectingMs = 0;
  const counted = async (path: string, accept?: string) => {
    total++;
    const res = await client.request(path, { signal, accept });
    connectingMs += res.connectMs ?? 0;
    if (res.status === 401 || res.status === 403) unauthorized = true;
    else if (res.status >= 500 || res.status === 429) {
      failed++;
      if (!example) example = describeHttpError(res);
    }
    return res;
  };
  const result: ProbeResult = {
    key: target.key,
    at,
    ok: false,
    latencyMs: 0,
    consecutiveFailures: 0,
  };
  const finish = () => {
    clearTimeout(timer);
    result.latencyMs = now() - started;
    return result;
  };

  // 1. readiness
  let readyz: KubeResponse;
  client.setMaxSockets(1);
  try {
    readyz = await counted('/readyz', 'text/plain');
    if (readyz.status === 404) {
      readyz = await counted('/healthz', 'text/plain');
    }
  } catch (error) {
    const e = requestFailure(error);
    result.failure = e.kind;
    result.error =
      e.kind === 'timeout'
        ? `no answer within ${options.timeoutMs} ms`
        : e.message;
    return finish();
  }
  if (
    readyz.status >= 400 &&
    readyz.status < 600 &&
    readyz.body.includes('[-]')
  ) {
    result.failure = 'not-ready';
    result.failedChecks = failedChecksOf(readyz.body);
    result.error = `API server not ready: ${
      result.failedChecks.join(', ') || `HTTP ${readyz.status}`
    } failed`;
  }

  // 2. the rest, in parallel
  // Queued on the cluster's one connection, the requests below take about as long as `/readyz` each. When that
  // would use up half of the deadline, the server is slow (not merely busy) and they go out side by side: opening
  // connections costs handshakes, missing the deadline costs the probe.
  // The time /readyz took less the opening of its connection (a TLS handshake, long on a busy machine or to a far
  // server): the requests that follow go over that connection.
  const following =
    2 + (options.kubeSystemChecks ? 1 : 0) + (options.discovery ? 1 : 0);
  const answeringMs = now() - started - connectingMs;
  if (connectingMs > 0) result.connectMs = Math.round(connectingMs);
  if (
    options.hedge !== false &&
    answeringMs * following > options.timeoutMs / 2
  ) {
    client.setMaxSockets(PARALLEL_SOCKETS);
  }
  const readyzRequests = total;
  result.readyzMs = now() - started;
  const tasks: Array<Promise<void>> = [];
  const transportErrors: string[] = [];
  // requests still running when the deadline ends the probe: the server is slow, not failing
  let abandoned = 0;
  const guard = (p: Promise<void>) =>
    p.catch(error => {
      if (signal.aborted) {
        abandoned++;
        return;
      }
      transportErrors.push(requestFailure(error).message);
    });

  tasks.push(
    guard(
      counted('/version').then(res => {
        if (res.status !== 200) return;
        const v = parseJson(res.body)?.gitVersion;
        if (typeof v === 'string') result.gitVersion = v;
      }),
    ),
  );

  const nodes: NodesFacts = {
    summary: {
      total: 0,
      ready: 0,
      notReady: 0,
      kubeletVersions: {},
      roles: {},
    },
    notReady: [],
    labels: [],
  };
  let nodesOk = false;
  tasks.push(
    guard(
      (async () => {
        let cont: string | undefined;
        const pageSize = Math.min(500, options.maxNodes);
        do {
          const params = new URLSearchParams({ limit: String(pageSize) });
          if (cont) params.set('continue', cont);
          const res = await counted(`/api/v1/nodes?${params}`);
          if (res.status !== 200) return;
          const list = parseJson(res.body);
          summariseNodes(Array.isArray(list?.items) ? list.items : [], nodes);
          cont = list?.metadata?.continue || undefined;
          if (cont && nodes.summary.total >= options.maxNodes) {
            nodes.summary.truncated = true;
            cont = undefined;
          }
        } while (cont);
        nodesOk = true;
      })(),
    ),
  );

  // one more GET whose document, when it answers 200, goes to `use`
  const readDocument = (path: string, use: (doc: any) => void) =>
    tasks.push(
      guard(
        counted(path).then(res => {
          if (res.status === 200) use(parseJson(res.body));
        }),
      ),
    );

  if (options.kubeSystemChecks) {
    readDocument('/api/v1/namespaces/kube-system/pods?limit=500', doc => {
      const items: any[] = doc?.items ?? [];
      const bad: string[] = [];
      let notReady = 0;
      for (const pod of items) {
        const phase = pod?.status?.phase;
        if (phase === 'Succeeded') continue;
        const ready = (pod?.status?.conditions ?? []).some(
          (c: any) => c?.type === 'Ready' && c?.status === 'True',
        );
        if (phase !== 'Running' || !ready) {
          notReady++;
          if (bad.length < 5) bad.push(String(pod?.metadata?.name));
        }
      }
      result.kubeSystem = {
        pods: items.length,
        notReady,
        notReadyPods: bad,
      };
    });
  }

  if (options.discovery) {
    readDocument('/apis', doc => {
      const groups: any[] = doc?.groups ?? [];
      result.apiGroups = groups
        .map(g => String(g?.name))
        .filter(name => INTERESTING_GROUPS.has(name));
      result.apiGroupsAt = at;
    });
  } else if (previous?.apiGroups) {
    result.apiGroups = previous.apiGroups;
    result.apiGroupsAt = previous.apiGroupsAt;
  }

  await Promise.all(tasks);

  if (nodesOk) {
    result.nodes = nodes.summary;
    result.notReadyNodes = nodes.notReady;
  }
  const parallelTotal = total - readyzRequests;
  const transportFailed = transportErrors.length;
  if (failed + transportFailed > 0) {
    result.apiErrors = {
      failed: failed + transportFailed,
      total,
      example: example || transportErrors[0],
    };
  }
  if (abandoned > 0) result.unanswered = abandoned;
  if (!result.failure) {
    if (transportFailed > 0 && transportFailed + abandoned === parallelTotal) {
      result.failure = 'unreachable';
      result.error = transportErrors[0];
    } else if (unauthorized && !result.gitVersion && !nodesOk) {
      result.failure = 'unauthorized';
      result.error = 'the API server rejected the credentials';
    } else if (failed > 0 && failed === total - transportFailed) {
      result.failure = 'errors';
      result.error = `every request failed (${example})`;
    }
  }
  result.ok = !result.failure;
  result.distribution = detectDistribution({
    gitVersion: result.gitVersion,
    kubeletVersions: result.nodes
      ? Object.keys(result.nodes.kubeletVersions)
      : [],
    nodeLabels: nodes.labels,
    apiGroups: result.apiGroups,
    controlPlaneKind: target.controlPlaneKind,
    infrastructureKind: target.infrastructureKind,
  });
  return finish();
}
