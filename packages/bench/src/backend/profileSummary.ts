/** A node of a V8 CPU profile (`Profiler.stop`). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/** A V8 CPU profile (`.cpuprofile`). */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}

/** Where the sampled time of one or more profiles went. */
export interface ProfileSummary {
  /** Sampled time outside idle (ms). */
  busyMs: number;
  /** Requests answered while profiling (for the per-request column). */
  requests: number;
  /**
   * CPU time of the thread while profiling (ms): the per-request column is each share of it. The samples count wall
   * time, which on a busy machine includes time the thread waited for a core.
   */
  cpuMs: number;
  /** Self time by where the code comes from (package, Node module, Shipyard folder), largest first. */
  byOrigin: Array<{ origin: string; ms: number }>;
  /** Self time of the largest functions. */
  byFunction: Array<{ origin: string; name: string; ms: number }>;
}

/** Where a script comes from: an installed package, a module of Node, a folder of this repository. */
export function originOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'garbage collection';
    if (functionName === '(program)') return 'native (program)';
    if (functionName === '(idle)') return 'idle';
    return '';
  }
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) {
    const parts = url.slice('node:'.length).split('/');
    return `node:${parts.slice(0, parts[0] === 'internal' ? 2 : 1).join('/')}`;
  }
  const repo = /\/(plugins|packages)\/([^/]+)\/src\/(?:([^/]+)\/)?/.exec(url);
  if (repo) return `${repo[2]}${repo[3] ? `/${repo[3]}` : ''}`;
  return url;
}

/**
 * Self time of the profiles by origin and by function. A sample in a frame without a script (a built-in such as
 * `JSON.stringify`, a native call) is charged to the nearest caller with one, so that the work a package asks of V8
 * counts as that package's.
 */
export function summarizeProfile(
  profiles: CpuProfile[],
  requests: number,
  cpuMs: number,
): ProfileSummary {
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<
    string,
    { origin: string; name: string; ms: number }
  >();
  let busy = 0;
  for (const profile of profiles) {
    const nodes = new Map(profile.nodes.map(n => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes)
      for (const c of n.children ?? []) parent.set(c, n.id);
    const charged = new Map<number, ProfileNode>();
    const chargeOf = (id: number): ProfileNode => {
      const known = charged.get(id);
      if (known) return known;
      let node = nodes.get(id)!;
      let at: number | undefined = id;
      while (
        at !== undefined &&
        originOf(
          nodes.get(at)!.callFrame.url,
          nodes.get(at)!.callFrame.functionName,
        ) === ''
      ) {
        at = parent.get(at);
      }
      if (at !== undefined) node = nodes.get(at)!;
      charged.set(id, node);
      return node;
    };
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < samples.length; i++) {
      // a sample's time is the delta to the next one
      const ms = (deltas[i + 1] ?? 0) / 1000;
      const node = chargeOf(samples[i]);
      const origin =
        originOf(node.callFrame.url, node.callFrame.functionName) || 'other';
      if (origin === 'idle') continue;
      busy += ms;
      byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
      const name = `${node.callFrame.functionName || '(anonymous)'} ${
        node.callFrame.url.split('/').pop() ?? ''
      }:${node.callFrame.lineNumber + 1}`;
      const key = `${origin}\0${name}`;
      const f = byFunction.get(key) ?? { origin, name, ms: 0 };
      f.ms += ms;
      byFunction.set(key, f);
    }
  }
  return {
    busyMs: busy,
    requests,
    cpuMs,
    byOrigin: [...byOrigin]
      .map(([origin, ms]) => ({ origin, ms }))
      .sort((a, b) => b.ms - a.ms),
    byFunction: [...byFunction.values()]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 30),
  };
}

/** The summary as two Markdown tables: by origin, and the largest functions. */
export function formatProfileSummary(s: ProfileSummary, of: string): string {
  const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1)} %`;
  const us = (ms: number) =>
    ((1000 * (ms / s.busyMs) * s.cpuMs) / s.requests).toFixed(1);
  const lines = [
    `CPU profile of the backend's thread, ${of}: ${s.busyMs.toFixed(
      0,
    )} ms of samples outside idle over ${s.requests} requests, ${us(
      s.busyMs,
    )} µs of CPU per request; self time, the per-request column as its share of that CPU`,
    '',
    '| origin | ms | share | µs of CPU per request |',
    '| --- | ---: | ---: | ---: |',
    ...s.byOrigin
      .filter(o => o.ms >= s.busyMs / 1000)
      .map(
        o =>
          `| ${o.origin} | ${o.ms.toFixed(0)} | ${pct(o.ms)} | ${us(o.ms)} |`,
      ),
    '',
    '| function | origin | ms | share |',
    '| --- | --- | ---: | ---: |',
    ...s.byFunction.map(
      f => `| ${f.name} | ${f.origin} | ${f.ms.toFixed(0)} | ${pct(f.ms)} |`,
    ),
  ];
  return lines.join('\n');
}
