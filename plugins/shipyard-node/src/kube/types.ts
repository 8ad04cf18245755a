import { KubeApiError, KubeStatus } from './errors';

/**
 * A Kubernetes object as it comes over the wire: metadata plus anything. (client-node's model types describe
 * deserialized objects, with `Date`s for timestamps; these are the JSON the API server sends.)
 */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{
      apiVersion: string;
      kind: string;
      name: string;
      uid: string;
      controller?: boolean;
    }>;
  };
  spec?: any;
  status?: any;
}

/** One page of a list. */
export interface KubeListPage<T = KubeObject> {
  items: T[];
  /** resourceVersion of the list (set on every page; the last page's is the one to watch from). */
  resourceVersion: string;
  continueToken?: string;
}

/** A watch event (`ERROR` events are thrown as {@link KubeApiError}s). */
export type KubeWatchEvent<T = KubeObject> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: T }
  | { type: 'BOOKMARK'; resourceVersion: string };

/** Parses one line of a watch stream; an `ERROR` event, or a line that is not an event, throws. */
export function parseWatchLine(line: string): KubeWatchEvent {
  let parsed: { type?: string; object?: any };
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new KubeApiError('invalid watch event', 0, 'Invalid');
  }
  switch (parsed.type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED':
      return { type: parsed.type, object: parsed.object as KubeObject };
    case 'BOOKMARK':
      return {
        type: 'BOOKMARK',
        resourceVersion: String(parsed.object?.metadata?.resourceVersion ?? ''),
      };
    case 'ERROR': {
      const status = (parsed.object ?? {}) as KubeStatus;
      throw new KubeApiError(
        status.message ?? 'watch error',
        status.code ?? 500,
        status.reason,
        status,
      );
    }
    default:
      throw new KubeApiError(
        `unknown watch event type ${parsed.type}`,
        0,
        'Invalid',
      );
  }
}
