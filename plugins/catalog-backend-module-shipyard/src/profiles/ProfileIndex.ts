import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_PROFILE_SOURCE,
  CLUSTER_PROFILE_KIND,
  ClusterSummary,
} from '@shipyard/plugin-shipyard-common';
import { ShipyardCatalogConfig } from '../config';
import { generatedProfileEntityName } from '../entities/naming';
import { generatedProfileEntityRef } from '../entities/profileEntities';

/**
 * Supplies the ClusterProfile entities of the catalog (the YAML profiles platform teams keep, and the generated
 * ones), and the System entities clusters may name.
 */
export interface CatalogProfileSource {
  listCatalogProfiles(): Promise<Entity[]>;
  listSystems?(): Promise<Entity[]>;
}

/** Reads YAML ClusterProfiles through the catalog API with the module's service credentials. */
export class CatalogServiceProfileSource implements CatalogProfileSource {
  constructor(
    private readonly catalog: CatalogService,
    private readonly auth: AuthService,
  ) {}

  async listCatalogProfiles(): Promise<Entity[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: CLUSTER_PROFILE_KIND },
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.annotations',
          'spec.clusterClass',
          'spec.managementClusters',
        ],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items;
  }

  async listSystems(): Promise<Entity[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: 'System' },
        fields: ['kind', 'metadata.name', 'metadata.namespace'],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items;
  }
}

interface Claim {
  ref: string;
  className: string;
  namespace?: string;
  managementClusters: Set<string>;
}

const key3 = (mc: string, ns: string, name: string) => `${mc}/${ns}/${name}`;

/**
 * Which ClusterProfile a cluster depends on, and which ClusterClasses are claimed by YAML profiles (a YAML profile
 * that names a ClusterClass takes precedence over the profile generated from it).
 */
export class ProfileIndex {
  private claims: Claim[] = [];
  private generated = new Set<string>();
  /** Refs of every ClusterProfile and System in the catalog, once read. */
  private known?: Set<string>;
  /** When the last read of the catalog started. */
  private readAt = 0;
  /** Refs found absent, and since when. */
  private readonly absentSince = new Map<string, number>();
  private recheck?: ReturnType<typeof setTimeout>;
  private loadedAt = 0;
  private loading?: Promise<void>;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly options: {
      config: ShipyardCatalogConfig;
      source?: CatalogProfileSource;
      logger: LoggerService;
      /** Reuse YAML profiles loaded less than this long ago (default 30 s). */
      ttlMs?: number;
      /** A reference absent from the catalog is reported once a read this much later still lacks it (default 30 s). */
      missingGraceMs?: number;
    },
  ) {}

  /** Called after the set of claims or generated profiles changed. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify() {
    for (const l of this.listeners) l();
  }

  /** Reloads the YAML profiles unless they are fresh. Failures keep the last known claims. */
  async refreshCatalogProfiles(force = false): Promise<void> {
    const source = this.options.source;
    if (!source) return;
    const ttl = this.options.ttlMs ?? 30_000;
    if (!force && Date.now() - this.loadedAt < ttl) return;
    if (!this.loading) {
      this.loading = (async () => {
        const startedAt = Date.now();
        try {
          const [entities, systems] = await Promise.all([
            source.listCatalogProfiles(),
            source.listSystems?.() ?? Promise.resolve(undefined),
          ]);
          const next = this.toClaims(entities);
          const known = new Set(
            [...entities, ...(systems ?? [])].map(e =>
              stringifyEntityRef(e).toLocaleLowerCase('en-US'),
            ),
          );
          const knownChanged =
            !this.known ||
            known.size !== this.known.size ||
            [...known].some(k => !this.known!.has(k));
          const changed =
            JSON.stringify(
              next.map(c => [
                c.ref,
                c.className,
                c.namespace,
                [...c.managementClusters],
              ]),
            ) !==
            JSON.stringify(
              this.claims.map(c => [
                c.ref,
                c.className,
                c.namespace,
                [...c.managementClusters],
              ]),
            );
          this.claims = next;
          this.known = known;
          this.loadedAt = Date.now();
          this.readAt = startedAt;
          if (changed || knownChanged) this.notify();
        } catch (error) {
          this.options.logger.warn(
            `Could not read ClusterProfiles from the catalog, keeping the last known ones: ${error}`,
          );
        } finally {
          this.loading = undefined;
        }
      })();
    }
    await this.loading;
  }

  private toClaims(entities: Entity[]): Claim[] {
    const claims: Claim[] = [];
    for (const e of entities) {
      if (
        e.metadata.annotations?.[ANNOTATION_PROFILE_SOURCE] === 'cluster-class'
      ) {
        continue;
      }
      const spec = e.spec ?? {};
      const cc = spec.clusterClass;
      const mcs = spec.managementClusters;
      if (!cc || typeof cc !== 'object' || Array.isArray(cc)) continue;
      const className = (cc as { name?: unknown }).name;
      const namespace = (cc as { namespace?: unknown }).namespace;
      if (typeof className !== 'string' || !Array.isArray(mcs)) continue;
      claims.push({
        ref: stringifyEntityRef(e),
        className,
        namespace: typeof namespace === 'string' ? namespace : undefined,
        managementClusters: new Set(
          mcs.filter((m): m is string => typeof m === 'string'),
        ),
      });
    }
    return claims.sort((a, b) => a.ref.localeCompare(b.ref));
  }

  /** The YAML profile that claims a ClusterClass, if any. */
  claimOf(
    managementCluster: string,
    namespace: string,
    className: string,
  ): string | undefined {
    return this.claims.find(
      c =>
        c.className === className &&
        (c.namespace === undefined || c.namespace === namespace) &&
        c.managementClusters.has(managementCluster),
    )?.ref;
  }

  /** Records the profiles generated from ClusterClasses (as `[managementCluster, namespace, class]`). */
  setGenerated(keys: Iterable<[string, string, string]>): void {
    const next = new Set<string>();
    for (const [mc, ns, name] of keys) next.add(key3(mc, ns, name));
    const changed =
      next.size !== this.generated.size ||
      [...next].some(k => !this.generated.has(k));
    this.generated = next;
    if (changed) this.notify();
  }

  /** Whether the last read of the catalog lacks the ClusterProfile or System `ref` names (generated ones count). */
  private absent(ref: string): boolean {
    if (!this.known) return false;
    const normalized = ref.toLocaleLowerCase('en-US');
    if (this.known.has(normalized)) return false;
    const prefix = `clusterprofile:${this.options.config.entityNamespace}/`;
    if (normalized.startsWith(prefix)) {
      const name = normalized.slice(prefix.length);
      for (const k of this.generated) {
        const [mc, ns, cls] = k.split('/');
        if (generatedProfileEntityName(mc, ns, cls) === name) return false;
      }
    }
    return true;
  }

  /**
   * Whether the catalog lacks the ClusterProfile or System `ref` names, confirmed by a read of the catalog made at
   * least `missingGraceMs` after the reference was first found absent (the catalog may not have processed its
   * locations yet when the fleet is first read). A first absence schedules that read; listeners hear of its result.
   */
  isMissing(ref: string): boolean {
    const key = ref.toLocaleLowerCase('en-US');
    if (!this.absent(ref)) {
      this.absentSince.delete(key);
      return false;
    }
    const since = this.absentSince.get(key);
    const grace = this.options.missingGraceMs ?? 30_000;
    if (since !== undefined && this.readAt - since >= grace) return true;
    if (since === undefined) this.absentSince.set(key, Date.now());
    this.scheduleRecheck(grace);
    return false;
  }

  private scheduleRecheck(delayMs: number) {
    if (this.recheck || !this.options.source) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.refreshCatalogProfiles(true)
        .then(() => this.notify())
        .catch(error =>
          this.options.logger.warn(
            `Could not check the catalog for missing profiles and systems: ${error}`,
          ),
        );
    }, delayMs);
    this.recheck.unref?.();
  }

  /**
   * The ClusterProfile a cluster depends on: the profile named by its label, else the YAML profile that claims its
   * ClusterClass, else the profile generated from its ClusterClass (when one was generated). A label that names the
   * cluster's own ClusterClass while no profile has that name stands for the profile of that class: generated
   * profiles and the clusters that depend on them follow one naming rule (`generatedProfileEntityName`).
   */
  resolve(
    summary: Pick<
      ClusterSummary,
      'managementCluster' | 'namespace' | 'profile' | 'clusterClass'
    >,
  ): string | undefined {
    const { config } = this.options;
    if (summary.profile) {
      const labelled = `clusterprofile:${config.entityNamespace}/${summary.profile}`;
      if (
        summary.profile !== summary.clusterClass ||
        !this.known ||
        !this.absent(labelled)
      ) {
        return labelled;
      }
      return this.resolveClass(summary) ?? labelled;
    }
    return this.resolveClass(summary);
  }

  private resolveClass(
    summary: Pick<
      ClusterSummary,
      'managementCluster' | 'namespace' | 'clusterClass'
    >,
  ): string | undefined {
    const { config } = this.options;
    if (!summary.clusterClass) return undefined;
    const claimed = this.claimOf(
      summary.managementCluster,
      summary.namespace,
      summary.clusterClass,
    );
    if (claimed) return claimed;
    if (
      this.generated.has(
        key3(
          summary.managementCluster,
          summary.namespace,
          summary.clusterClass,
        ),
      )
    ) {
      return generatedProfileEntityRef(
        config,
        summary.managementCluster,
        summary.namespace,
        summary.clusterClass,
      );
    }
    return undefined;
  }
}
