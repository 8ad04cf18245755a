import { OwnershipConfig } from './config';

/** Owner, system, lifecycle and profile of a cluster, resolved from its labels/annotations and namespace. */
export interface ResolvedOwnership {
  owner: string;
  system?: string;
  lifecycle?: string;
  profile?: string;
  profileVersion?: string;
}

/** A bare name or `namespace/name` as an entity ref of `kind` (`team-a` → `group:default/team-a`). */
export function normaliseRef(value: string, kind: string): string {
  if (value.includes(':')) return value;
  if (value.includes('/')) return `${kind}:${value}`;
  return `${kind}:default/${value}`;
}

/**
 * Resolves ownership: the configured label/annotation keys on the CAPI Cluster (labels first, then annotations, keys
 * in order), then the namespace → group mapping (`managementCluster/namespace` before `namespace`), then the
 * default owner. Bare names become entity refs (`team-a` → `group:default/team-a`).
 */
export class OwnershipResolver {
  constructor(private readonly config: OwnershipConfig) {}

  /** Annotation keys worth keeping on trimmed Cluster records. */
  get annotationKeys(): Set<string> {
    const c = this.config;
    return new Set([
      ...c.ownerKeys,
      ...c.systemKeys,
      ...c.lifecycleKeys,
      ...c.profileKeys,
      ...c.profileVersionKeys,
      'shipyard.io/title',
    ]);
  }

  resolve(
    managementCluster: string,
    namespace: string,
    labels: Record<string, string>,
    annotations: Record<string, string>,
  ): ResolvedOwnership {
    const pick = (keys: string[]) => {
      for (const key of keys) {
        const v = labels[key] ?? annotations[key];
        if (v) return v;
      }
      return undefined;
    };
    const explicitOwner = pick(this.config.ownerKeys);
    const owner = explicitOwner
      ? normaliseRef(explicitOwner, 'group')
      : this.config.namespaceOwners[`${managementCluster}/${namespace}`] ??
        this.config.namespaceOwners[namespace] ??
        this.config.defaultOwner;
    const system = pick(this.config.systemKeys);
    return {
      owner: normaliseRef(owner, 'group'),
      system: system ? normaliseRef(system, 'system') : undefined,
      lifecycle: pick(this.config.lifecycleKeys),
      profile: pick(this.config.profileKeys),
      profileVersion: pick(this.config.profileVersionKeys),
    };
  }
}
