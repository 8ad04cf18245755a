import { LoggerService } from '@backstage/backend-plugin-api';
import { ProfileEntitySource } from '../profiles/CatalogProfileSource';
import {
  ProfileVersionNode,
  profileVersionNodes,
} from '@shipyard/plugin-shipyard-common';

/** The spec fields of a ClusterProfile that its versions are read from. */
export const LIFECYCLE_PROFILE_FIELDS = [
  'version',
  'distribution',
  'kubernetes',
  'upgradesTo',
  'previousVersions',
] as const;

/**
 * The versions of every cluster profile, read from the catalog and reused for a short time (profiles change with a
 * commit, not per request). When the catalog cannot be read, the last versions read stay in use.
 */
export class ProfileVersions {
  private nodes: ProfileVersionNode[] = [];
  private loadedAt = -Infinity;
  private loading?: Promise<void>;
  private available = false;

  constructor(
    private readonly options: {
      source: ProfileEntitySource;
      logger: LoggerService;
      /** Reuse what was read for this long (default 60 s). */
      ttlMs?: number;
      now?: () => number;
    },
  ) {}

  /** Every known profile version, and whether the catalog could be read. */
  async get(): Promise<{ nodes: ProfileVersionNode[]; available: boolean }> {
    const now = (this.options.now ?? Date.now)();
    if (now - this.loadedAt > (this.options.ttlMs ?? 60_000)) {
      this.loading ??= this.load(now).finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return { nodes: this.nodes, available: this.available };
  }

  private async load(now: number) {
    try {
      const entities = await this.options.source.listProfiles();
      const nodes: ProfileVersionNode[] = [];
      for (const entity of entities) {
        const spec = entity.spec;
        if (!entity.metadata?.name || !spec?.version || !spec.kubernetes)
          continue;
        nodes.push(
          ...profileVersionNodes({
            metadata: entity.metadata,
            spec: {
              version: spec.version,
              distribution: spec.distribution ?? '',
              kubernetes: spec.kubernetes,
              upgradesTo: spec.upgradesTo,
              previousVersions: spec.previousVersions,
            },
          }),
        );
      }
      this.nodes = nodes;
      this.available = true;
      this.loadedAt = now;
    } catch (error) {
      this.options.logger.warn(
        `Shipyard: reading cluster profiles from the catalog failed, upgrade plans use ${
          this.available
            ? 'the profiles read before'
            : 'the support calendar alone'
        }: ${error}`,
      );
      // try again after a short while rather than on every request
      this.loadedAt = now - (this.options.ttlMs ?? 60_000) + 10_000;
    }
  }
}
