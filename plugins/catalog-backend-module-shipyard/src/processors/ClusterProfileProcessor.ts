import {
  CompoundEntityRef,
  DEFAULT_NAMESPACE,
  Entity,
  RELATION_DEPENDENCY_OF,
  RELATION_DEPENDS_ON,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  getCompoundEntityRef,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  LocationSpec,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  CLUSTER_PROFILE_API_VERSION,
  CLUSTER_PROFILE_KIND,
  ClusterProfileSpec,
} from '@shipyard/plugin-shipyard-common';
import { managementClusterEntityName } from '../entities/naming';
import { validateClusterProfile } from './validateClusterProfile';

/** Options of {@link ClusterProfileProcessor}. */
export interface ClusterProfileProcessorOptions {
  /** Catalog namespace of the management cluster entities (default `default`). */
  managementClusterNamespace?: string;
}

function isClusterProfile(entity: Entity): boolean {
  return (
    entity.apiVersion === CLUSTER_PROFILE_API_VERSION &&
    entity.kind === CLUSTER_PROFILE_KIND
  );
}

/**
 * Accepts the `ClusterProfile` kind, validates it against the JSON schema in `-common` (errors name the field),
 * and emits its relations: ownedBy/ownerOf with its owner, dependsOn/dependencyOf with its management clusters.
 * Clusters relate to profiles through their own `spec.dependsOn`.
 */
export class ClusterProfileProcessor implements CatalogProcessor {
  private readonly managementClusterNamespace: string;

  constructor(options: ClusterProfileProcessorOptions = {}) {
    this.managementClusterNamespace =
      options.managementClusterNamespace ?? DEFAULT_NAMESPACE;
  }

  getProcessorName(): string {
    return 'ClusterProfileProcessor';
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    if (!isClusterProfile(entity)) {
      return false;
    }
    const problems = validateClusterProfile(entity);
    if (problems.length > 0) {
      const ref = `${entity.metadata.namespace ?? DEFAULT_NAMESPACE}/${
        entity.metadata.name
      }`;
      throw new InputError(
        `Invalid ClusterProfile ${ref}: ${problems
          .map(p => `${p.path} ${p.message}`)
          .join('; ')}`,
      );
    }
    const owner = (entity.spec as unknown as ClusterProfileSpec).owner;
    try {
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? DEFAULT_NAMESPACE,
      });
    } catch (e) {
      throw new InputError(
        `Invalid ClusterProfile ${
          entity.metadata.name
        }: spec.owner must be an entity reference (${String(
          e instanceof Error ? e.message : e,
        )})`,
      );
    }
    return true;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isClusterProfile(entity)) {
      return entity;
    }
    const selfRef = getCompoundEntityRef(entity);
    const spec = entity.spec as unknown as ClusterProfileSpec;

    const pair = (
      target: CompoundEntityRef,
      forward: string,
      backward: string,
    ) => {
      emit(
        processingResult.relation({ source: selfRef, type: forward, target }),
      );
      emit(
        processingResult.relation({
          source: target,
          type: backward,
          target: selfRef,
        }),
      );
    };

    const owner = parseEntityRef(spec.owner, {
      defaultKind: 'group',
      defaultNamespace: selfRef.namespace,
    });
    pair(owner, RELATION_OWNED_BY, RELATION_OWNER_OF);

    for (const mc of spec.managementClusters ?? []) {
      pair(
        {
          kind: 'resource',
          namespace: this.managementClusterNamespace,
          name: managementClusterEntityName(mc),
        },
        RELATION_DEPENDS_ON,
        RELATION_DEPENDENCY_OF,
      );
    }
    return entity;
  }
}
