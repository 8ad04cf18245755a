/** The options of writes to the API server (create, update, patch, delete) and what a delete returns. */
import { JsonObject } from '../util/json';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  /** API version of the request and response bodies; defaults to the storage version. */
  version?: string;
  subresource?: string;
  dryRun?: boolean;
  /** Records managedFields for this manager (API requests); internal writes leave it unset. */
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  /** Internal writes (controllers) skip schema validation and keep status on create. */
  internal?: boolean;
  /** Receives `Warning` header texts. */
  warnings?: string[];
  force?: boolean;
  /** managedFields to store on create (server-side apply creating an object). */
  managedFields?: JsonObject[];
  /** The caller hands over the body (no defensive copy); internal callers only. */
  owned?: boolean;
}

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface DeleteResult {
  /** The object (storage version), as it is after the delete call. */
  object: JsonObject;
  /** Whether it is gone (false: waiting for finalizers). */
  deleted: boolean;
}
