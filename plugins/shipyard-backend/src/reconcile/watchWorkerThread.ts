import type { MessagePort } from 'node:worker_threads';
import { KubeApiError, KubeClient } from '@shipyard/plugin-shipyard-node/kube';
import { internNothing } from '../index/intern';
import type { WatchTarget } from './discovery';
import { WatchedEvent, watchedEvent } from './listed';
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
  /** The events parsed since the last reply of this watch, in order. */
  | { type: 'events'; id: number; events: WatchedEvent[] }
  /** The server ended the watch (its timeout). */
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: ListWorkerError }
  /** Anything but a {@link KubeApiError}. */
  | { type: 'failed'; id: number; message: string };

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
    // the events of one read go across in one message
    let batch: WatchedEvent[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      if (batch.length === 0 || abort.signal.aborted) return;
      const events = batch;
      batch = [];
      reply({ type: 'events', id, events });
    };
    try {
      const entry = clientOf(message.connection);
      entry.token = message.token;
      for await (const event of entry.client.watch(target.path, {
        ...message.options,
        signal: abort.signal,
        onOpen: () => reply({ type: 'open', id }),
      })) {
        batch.push(watchedEvent(target, event, entry.annotationKeys));
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }
      flush();
      if (!abort.signal.aborted) reply({ type: 'end', id });
    } catch (error) {
      flush();
      if (abort.signal.aborted) return;
      if (error instanceof KubeApiError) {
        reply({
          type: 'error',
          id,
          error: {
            message: error.message,
            statusCode: error.statusCode,
            reason: error.reason,
            status: error.status,
          },
        });
      } else {
        reply({
          type: 'failed',
          id,
          message: String((error as Error)?.message),
        });
      }
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

serveInWorker<WatchWorkerData>('shipyardWatchWorker', serve);
