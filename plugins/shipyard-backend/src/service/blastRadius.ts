import {
  ClusterKey,
  ManagementClusterBlastRadius,
} from '@shipyard/plugin-shipyard-common';
import { StoredClusterSummary } from '../index/FleetIndex';

/*
 * The management chain and the blast radius of each management cluster, read from the index: which clusters,
 * hosted control planes and teams depend on it, directly (observed through it, hosted on it) and through the
 * management clusters it manages as Cluster API clusters of its own.
 */

interface Direct {
  clusters: number;
  teams: Set<string>;
  hostedControlPlanes: number;
  /** Management clusters whose Cluster lives here (not this one itself). */
  manages: string[];
  /** This management cluster's own Cluster, wherever it lives. */
  self?: ClusterKey;
}

export interface ManagementChain {
  /** A management cluster's own cluster record, when one names it. */
  clusterOf(name: string): ClusterKey | undefined;
  blastRadius(name: string): ManagementClusterBlastRadius;
  /** What a stale management cluster leaves unobserved, in a sentence. */
  staleMessage(name: string): string;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function managementChain(
  summaries: Iterable<StoredClusterSummary>,
): ManagementChain {
  const direct = new Map<string, Direct>();
  const of = (name: string) => {
    let d = direct.get(name);
    if (!d) {
      d = {
        clusters: 0,
        teams: new Set(),
        hostedControlPlanes: 0,
        manages: [],
      };
      direct.set(name, d);
    }
    return d;
  };
  for (const s of summaries) {
    const d = of(s.managementCluster);
    d.clusters++;
    if (s.owner) d.teams.add(s.owner);
    if (s.hostedControlPlane)
      of(s.hostedControlPlane.hostCluster).hostedControlPlanes++;
    if (s.managementClusterOf) {
      of(s.managementClusterOf).self = {
        managementCluster: s.managementCluster,
        namespace: s.namespace,
        name: s.name,
      };
      if (s.managementClusterOf !== s.managementCluster)
        d.manages.push(s.managementClusterOf);
    }
  }
  // every management cluster it manages, through any depth (a cycle counts once)
  const managed = (name: string): string[] => {
    const out: string[] = [];
    const seen = new Set([name]);
    const queue = [...(direct.get(name)?.manages ?? [])];
    while (queue.length) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      out.push(next);
      queue.push(...(direct.get(next)?.manages ?? []));
    }
    return out.sort();
  };
  return {
    clusterOf: name => direct.get(name)?.self,
    blastRadius: name => {
      const d = direct.get(name);
      const chain = managed(name);
      const teams = new Set(d?.teams ?? []);
      let clusters = d?.clusters ?? 0;
      let hosted = d?.hostedControlPlanes ?? 0;
      for (const m of chain) {
        const md = direct.get(m);
        if (!md) continue;
        clusters += md.clusters;
        hosted += md.hostedControlPlanes;
        md.teams.forEach(t => teams.add(t));
      }
      return {
        clusters: d?.clusters ?? 0,
        teams: d?.teams.size ?? 0,
        hostedControlPlanes: d?.hostedControlPlanes ?? 0,
        managementClusters: chain,
        total: { clusters, teams: teams.size, hostedControlPlanes: hosted },
      };
    },
    staleMessage: name => {
      const d = direct.get(name);
      const chain = managed(name);
      let text = `${name} unreachable: ${plural(
        d?.clusters ?? 0,
        'cluster',
      )} of ${plural(d?.teams.size ?? 0, 'team')} not observed, ${plural(
        d?.hostedControlPlanes ?? 0,
        'hosted control plane',
      )} not confirmed`;
      if (chain.length)
        text += `; the management ${
          chain.length === 1 ? 'cluster' : 'clusters'
        } ${chain.join(', ')} it manages cannot be changed through it`;
      return text;
    },
  };
}
