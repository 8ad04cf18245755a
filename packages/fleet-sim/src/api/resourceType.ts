/** What the simulated API servers know of a resource type: names, versions, printer columns, subresources, verbs. */
import { JsonObject } from '../util/json';

/** A printer column of a custom resource (`additionalPrinterColumns`). */
export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
  format?: string;
}

export interface ResourceVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  columns?: PrinterColumn[];
  /** The `openAPIV3Schema` of this version. */
  schema?: JsonObject;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

/** A resource served by the simulated API servers. */
export interface ResourceType {
  /** `group/plural`, `core/plural` for the legacy group. */
  id: string;
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  versions: ResourceVersion[];
  status: boolean;
  scale?: ScaleSubresource;
  /** Custom resource semantics (generation on spec change, no strategic merge, no unconditional update). */
  custom: boolean;
  verbs: string[];
  /** Extra field selectors beyond `metadata.name` / `metadata.namespace`. */
  fields?: Record<string, (obj: JsonObject) => string | undefined>;
  /** Whether DELETE answers with the object (true) or a Status (false). */
  returnDeletedObject: boolean;
  /** The provider or distribution family the kind belongs to, for documentation. */
  family?: string;
}

/** The type id of the served CustomResourceDefinitions. */
export const CRD_TYPE_ID = 'apiextensions.k8s.io/customresourcedefinitions';

export const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];
