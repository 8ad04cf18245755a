import { createHash } from 'node:crypto';
import type { MessagePort } from 'node:worker_threads';
import { KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { internNothing } from '../index/intern';
import type { WatchTarget, WatchedKind } from './discovery';
import { WatchedEvent, failureReply, watchedEvent } from './listed';
import type { ListWorkerConnection, ListWorkerError } from './listWorkerThread';
import { serveInWorker } from '../service/workerScript';

/**
 * The script of the watch thread (see `WatchWorker`): this module, from the TypeScript sources or from the built
 * package, whichever the backend runs. Loaded by the backend's thread only for this name.
 */
export const watchWorkerFile: string = __filename;

/** What `workerData` holds. */
export interface WatchWorkerData {
  shipyardWatchWorker: true;
}

/** What a watch asks of the server (`KubeWatchOptions` without its functions and signal). */
export interface WatchRequestOptions {
  resourceVersion: string;
  timeoutSeconds: number;
  responseTimeoutMs?: number;
  eventTimeoutMs?: number;
}

/** From the backend's thread to the watch thread. */
export type WatchWorkerMessage =
  | {
      type: 'watch';
      id: number;
      connection: ListWorkerConnection;
      /** The bearer token of this request (asked for in the backend's thread, as for every request). */
      token: string | undefined;
      target: WatchTarget;
      options: WatchRequestOptions;
    }
  | { type: 'stop'; id: number }
  | { type: 'forget'; connectionId: number }
  | { type: 'close' };

/** From the watch thread to the backend's thread; a watch's replies come in order, `open` first. */
export type WatchWorkerReply =
  | { type: 'ready' }
  /** The server accepted the watch. */
  | { type: 'open'; id: number }
  /** The events parsed since the last reply, in order, of every watch that had any. */
  | { type: 'read'; watches: Array<[id: number, events: WatchedEvent[]]> }
  /** The server ended the watch (its timeout). */
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: ListWorkerError }
  /** Anything but a {@link KubeApiError}. */
  | { type: 'failed'; id: number; message: string };

/**
 * The kinds whose objects the reconciler leaves as they are when an object's record is the one it holds: nothing is
 * marked, nothing else is written (see `applyProjection`). An event of such an object whose record is the one its
 * watch sent last crosses as `UNCHANGED` (its key and resourceVersion): a heartbeat annotation, a status field no
 * record keeps. Add-ons and ClusterClasses are sent whole.
 */
const UNCHANGED_KINDS: ReadonlySet<WatchedKind> = new Set<WatchedKind>([
  'Cluster',
  'ControlPlane',
  'MachineDeployment',
  'MachineSet',
  'Machine',
  'MachinePool',
  'MachineHealthCheck',
]);

/** 48 bits of the SHA-1 of a record's JSON: equal for equal records, and for different ones by chance one in 2^48. */
function fingerprintOf(record: unknown): number {
  return createHash('sha1')
    .update(JSON.stringify(record) ?? '')
    .digest()
    .readUIntLE(0, 6);
}

interface Held {
  client: KubeClient;
  token?: string;
  annotationKeys: ReadonlySet<string>;
}

function serve(port: MessagePort) {
  internNothing();
  const held = new Map<number, Held>();
  const watches = new Map<number, AbortController>();
  const reply = (message: WatchWorkerReply) => port.postMessage(message);
  // the events of every watch read in one turn go across in one message
  let read = new Map<number, WatchedEvent[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (read.size === 0) return;
    const watched = [...read];
    read = new Map();
    reply({ type: 'read', watches: watched });
  };
  const push = (id: number, event: WatchedEvent) => {
    const events = read.get(id);
    if (events) events.push(event);
    else read.set(id, [event]);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };

  const clientOf = (connection: ListWorkerConnection): Held => {
    let entry = held.get(connection.id);
    if (!entry) {
      const { client: options, annotationKeys, ...endpoint } = connection;
      const created: Held = {
        annotationKeys: new Set(annotationKeys),
        client: new KubeClient(
          // the token of the request being sent: each watch brings the one the backend's thread asked for
          { ...endpoint, getToken: async () => created.token },
          options,
        ),
      };
      entry = created;
      held.set(connection.id, entry);
    }
    return entry;
  };

  const watch = async (
    message: Extract<WatchWorkerMessage, { type: 'watch' }>,
  ) => {
    const { id, target } = message;
    const abort = new AbortController();
    watches.set(id, abort);
    // the fingerprint of the record this watch sent last, per object (`ns/name`); a new watch (after a relist, or
    // a broken stream) starts with none
    const sent = UNCHANGED_KINDS.has(target.kind)
      ? new Map<string, number>()
      : undefined;
    try {
      const entry = clientOf(message.connection);
      entry.token = message.token;
      for await (const event of entry.client.watch(target.path, {
        ...message.options,
        signal: abort.signal,
        onOpen: () => reply({ type: 'open', id }),
      })) {
        if (abort.signal.aborted) break;
        const watched = watchedEvent(target, event, entry.annotationKeys);
        push(id, sent ? unchangedOrNot(sent, watched) : watched);
      }
      // what was read before the end goes first
      flush();
      if (!abort.signal.aborted) reply({ type: 'end', id });
    } catch (error) {
      flush();
      if (abort.signal.aborted) return;
      reply(failureReply(id, error));
    } finally {
      watches.delete(id);
    }
  };

  port.on('message', (message: WatchWorkerMessage) => {
    switch (message.type) {
      case 'watch':
        watch(message);
        return;
      case 'stop':
        watches.get(message.id)?.abort();
        return;
      case 'forget':
        held.get(message.connectionId)?.client.close();
        held.delete(message.connectionId);
        return;
      case 'close':
        for (const abort of watches.values()) abort.abort();
        for (const entry of held.values()) entry.client.close();
        held.clear();
        port.close();
        return;
      default:
    }
  });
  reply({ type: 'ready' });
}

/**
 * The event as it crosses: `UNCHANGED` for a valid object whose record is the one last sent (`sent`: the fingerprint
 * of each object's last record, kept up to date).
 */
function unchangedOrNot(
  sent: Map<string, number>,
  event: WatchedEvent,
): WatchedEvent {
  if (event.type === 'BOOKMARK' || event.type === 'UNCHANGED') return event;
  if (event.type === 'DELETED') {
    if (event.removed) {
      sent.delete(`${event.removed.namespace}/${event.removed.name}`);
    }
    return event;
  }
  const listed = event.listed;
  if (listed.reason !== undefined) {
    // a malformed object: what was sent of any object is sent again
    sent.clear();
    return event;
  }
  const key = `${listed.namespace}/${listed.name}`;
  const fingerprint = fingerprintOf(listed.record);
  if (sent.get(key) === fingerprint) {
    return { type: 'UNCHANGED', key, version: event.version };
  }
  sent.set(key, fingerprint);
  return event;
}

serveInWorker<WatchWorkerData>('shipyardWatchWorker', serve);
