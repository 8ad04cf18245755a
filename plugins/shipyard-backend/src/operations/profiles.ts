import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CLUSTER_PROFILE_KIND,
  ClusterProfileSize,
  ClusterProfileSpec,
} from '@shipyard/plugin-shipyard-common';

/** The named sizes of a cluster profile (what a resize must stay within). */
export interface ProfileSizes {
  /** The sizes of a profile by name; undefined when the profile is not in the catalog. */
  sizesOf(
    profile: string,
  ): Promise<Record<string, ClusterProfileSize> | undefined>;
  /** The spec of a profile (its current version) by name; undefined when the profile is not in the catalog. */
  specOf(profile: string): Promise<ClusterProfileSpec | undefined>;
}

/** Reads a profile's sizes and spec from the catalog (as the backend itself: the user's permission is checked on the cluster). */
export class CatalogProfileSizes implements ProfileSizes {
  constructor(
    private readonly catalog: Pick<CatalogService, 'getEntities'>,
    private readonly auth: AuthService,
  ) {}

  async sizesOf(profile: string) {
    const items = await this.read(profile, 'spec.sizes');
    const sizes = (items[0]?.spec as { sizes?: unknown } | undefined)?.sizes;
    if (!items[0]) return undefined;
    return (sizes ?? {}) as Record<string, ClusterProfileSize>;
  }

  async specOf(profile: string) {
    const items = await this.read(profile, 'spec');
    return items[0]?.spec as ClusterProfileSpec | undefined;
  }

  private async read(profile: string, field: string) {
    const name = profile.includes('/') ? profile.split('/').pop()! : profile;
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: CLUSTER_PROFILE_KIND, 'metadata.name': name },
        fields: ['metadata.name', field],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items;
  }
}

/** The bounds of one worker pool's replicas: the smallest and largest worker count of the profile's sizes. */
export function workerBounds(
  sizes: Record<string, ClusterProfileSize> | undefined,
  fallbackMax: number,
): { min: number; max: number } {
  const counts = Object.values(sizes ?? {})
    .map(s => s.workerReplicas)
    .filter(n => Number.isInteger(n));
  if (counts.length === 0) return { min: 1, max: fallbackMax };
  return { min: Math.min(...counts), max: Math.max(...counts) };
}
