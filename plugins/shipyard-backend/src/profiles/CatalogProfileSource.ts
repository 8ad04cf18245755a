import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  CLUSTER_PROFILE_KIND,
  ClusterProfileSpec,
} from '@shipyard/plugin-shipyard-common';

/** A ClusterProfile entity as far as it is read: its name and the spec fields asked for. */
export interface ProfileEntity {
  metadata: { name: string };
  spec?: Partial<ClusterProfileSpec>;
}

/** Supplies the ClusterProfile entities. */
export interface ProfileEntitySource {
  listProfiles(): Promise<ProfileEntity[]>;
}

/**
 * Reads every ClusterProfile entity through the catalog API with the plugin's own service credentials, only the
 * spec fields its reader needs (`specFields`, such as `version` or `variables.pinned`).
 */
export class CatalogProfileSource implements ProfileEntitySource {
  constructor(
    private readonly catalog: Pick<CatalogService, 'getEntities'>,
    private readonly auth: AuthService,
    private readonly specFields: readonly string[],
  ) {}

  async listProfiles(): Promise<ProfileEntity[]> {
    const { items } = await this.catalog.getEntities(
      {
        filter: { kind: CLUSTER_PROFILE_KIND },
        fields: ['metadata.name', ...this.specFields.map(f => `spec.${f}`)],
      },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    return items as ProfileEntity[];
  }
}
