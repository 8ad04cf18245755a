import {
  KubeApiError,
  KubeObject,
  KubeWatchEvent,
} from '@shipyard/plugin-shipyard-node/kube';
import type { WatchTarget } from './discovery';
import type { ListWorkerError } from './listWorkerThread';
import { Projection, projectObject } from './kinds';
import { intern } from '../index/intern';
import { adoptRecord } from './records';
import { malformedReason, objectKeyOf } from './validate';

/*
 * A listed object as the reconciler applies it: its projection, or why it is skipped. Made where the object was
 * parsed: in the reconciler's thread, or in a list worker thread, which sends only this across (see `ListWorkers`).
 */

/** The key of an object that has no name. */
export const UNNAMED = '(unnamed)';

/** A valid object: its namespace, name and record (a HelmReleaseProxy or binding that names no cluster has none). */
export interface ValidObject {
  namespace: string;
  name: string;
  record: Projection;
  reason?: undefined;
}

/** An object skipped as malformed: its key (`(unnamed)` without a name), resourceVersion and the reason. */
export interface MalformedObject {
  key: string;
  version: string;
  reason: string;
}

export type ListedObject = ValidObject | MalformedObject;

/** The resourceVersion of an object that may be malformed ('' when it has none). */
export function versionOf(obj: unknown): string {
  const rv = (obj as KubeObject | undefined)?.metadata?.resourceVersion;
  return typeof rv === 'string' ? rv : '';
}

/** One listed (or added or modified) object of a kind: projected when valid, else why it cannot be ingested. */
export function listedObject(
  target: WatchTarget,
  obj: unknown,
  annotationKeys: ReadonlySet<string>,
): ListedObject {
  let reason = malformedReason(obj, target);
  if (!reason) {
    const valid = obj as KubeObject;
    try {
      return {
        namespace: valid.metadata.namespace ?? 'default',
        name: valid.metadata.name,
        record: projectObject(target.kind, valid, annotationKeys),
      };
    } catch (error) {
      reason = `cannot be read: ${(error as Error).message}`;
    }
  }
  return {
    key: objectKeyOf(obj as KubeObject) ?? UNNAMED,
    version: versionOf(obj),
    reason,
  };
}

/**
 * A watch event as the reconciler applies it: made where the event was parsed (in the reconciler's thread, or in the
 * watch thread, which sends only this across: see `WatchWorker`). `key` is the object's `ns/name` (undefined without
 * a name), `version` its resourceVersion ('' when it has none: the watch goes on from the last one there was).
 * `UNCHANGED`: an object modified whose record is the one its watch sent last (see `watchWorkerThread`).
 */
export type WatchedEvent =
  | { type: 'BOOKMARK'; resourceVersion: string }
  | { type: 'UNCHANGED'; key: string; version: string }
  | {
      type: 'ADDED' | 'MODIFIED';
      key?: string;
      version: string;
      listed: ListedObject;
    }
  | {
      type: 'DELETED';
      key?: string;
      version: string;
      /** Namespace and name of the object removed; undefined when the deletion names no valid object. */
      removed?: { namespace: string; name: string };
    };

/** The {@link WatchedEvent} of a watch event of a kind. */
export function watchedEvent(
  target: WatchTarget,
  event: KubeWatchEvent,
  annotationKeys: ReadonlySet<string>,
): WatchedEvent {
  if (event.type === 'BOOKMARK') return event;
  if (event.type === 'DELETED') return deletedEvent(target, event.object);
  const obj = event.object;
  return {
    type: event.type,
    key: objectKeyOf(obj),
    version: versionOf(obj),
    listed: listedObject(target, obj, annotationKeys),
  };
}

/** The {@link WatchedEvent} of an object of a kind deleted (watched, or gone since the last list). */
export function deletedEvent(
  target: WatchTarget,
  obj: KubeObject,
): Extract<WatchedEvent, { type: 'DELETED' }> {
  return {
    type: 'DELETED',
    key: objectKeyOf(obj),
    version: versionOf(obj),
    // a deletion is judged leniently: what identifies the object is enough to remove it
    removed: malformedReason(obj, target, true)
      ? undefined
      : {
          namespace: obj.metadata.namespace ?? 'default',
          name: obj.metadata.name,
        },
  };
}

/** The `ns/name` key of a listed object (`(unnamed)` for a malformed one without a name). */
export function keyOfListed(listed: ListedObject): string {
  return listed.reason === undefined
    ? `${listed.namespace}/${listed.name}`
    : listed.key;
}

/**
 * Takes in objects listed in another thread (structured clones, every string a copy of its own): their strings
 * shared with this thread's records as the projections share them (see {@link adoptRecord}), and an object's name
 * the one its record holds, as it is when the object is projected here.
 */
export function adoptListed(target: WatchTarget, listed: ListedObject[]): void {
  for (const item of listed) {
    if (item.reason !== undefined) continue;
    item.namespace = intern(item.namespace);
    if (item.record === undefined) continue;
    const record = adoptRecord(target.kind, item.record);
    item.record = record;
    const name = (record as { name?: unknown }).name;
    if (typeof name === 'string' && name === item.name) item.name = name;
  }
}

/**
 * How a read that failed in a list or watch worker thread crosses back: a {@link KubeApiError} with its status (the
 * backend's thread throws it again as one), anything else as its message.
 */
export function failureReply(
  id: number,
  error: unknown,
):
  | { type: 'error'; id: number; error: ListWorkerError }
  | { type: 'failed'; id: number; message: string } {
  if (error instanceof KubeApiError) {
    return {
      type: 'error',
      id,
      error: {
        message: error.message,
        statusCode: error.statusCode,
        reason: error.reason,
        status: error.status,
      },
    };
  }
  return { type: 'failed', id, message: String((error as Error)?.message) };
}
