import type { MessagePort } from 'node:worker_threads';
import {
  KubeApiError,
  KubeClient,
  KubeClientOptions,
} from '@shipyard/plugin-shipyard-node/kube';
import type { KubeStatus } from '@shipyard/plugin-shipyard-node/kube';
import type { ManagementClusterConnection } from '@shipyard/plugin-shipyard-node';
import { internNothing } from '../index/intern';
import type { WatchTarget } from './discovery';
import { ListedObject, failureReply, listedObject } from './listed';
import { serveInWorker } from '../service/workerScript';

/**
 * The script of a list worker thread (see `ListWorkers`): this module, from the TypeScript sources or from the
 * built package, whichever the backend runs. Loaded by the backend's thread only for this name.
 */
export const listWorkerFile: string = __filename;

/** What `workerData` holds. */
export interface ListWorkerData {
  shipyardListWorker: true;
}

/** A management cluster's connection as it crosses to a worker thread: its address and TLS material, no functions. */
export type ListWorkerConnection = Omit<
  ManagementClusterConnection,
  'getToken'
> & {
  /** Identifies the connection across messages (the worker keeps one client per id). */
  id: number;
  client: KubeClientOptions;
  /** The annotations a Cluster's record keeps (`OwnershipResolver.annotationKeys`). */
  annotationKeys: string[];
};

/** From the backend's thread to a worker. */
export type ListWorkerMessage =
  | {
      type: 'page';
      id: number;
      connection: ListWorkerConnection;
      /** The bearer token of this request (asked for in the backend's thread, as for every request). */
      token: string | undefined;
      target: WatchTarget;
      pageSize: number;
      continueToken?: string;
    }
  | { type: 'abort'; id: number }
  | { type: 'forget'; connectionId: number }
  | { type: 'cpu' }
  | { type: 'close' };

/** A {@link KubeApiError} as it crosses back. */
export interface ListWorkerError {
  message: string;
  statusCode: number;
  reason?: string;
  status?: KubeStatus;
}

/** From a worker to the backend's thread. */
export type ListWorkerReply =
  | { type: 'ready' }
  | {
      type: 'page';
      id: number;
      items: ListedObject[];
      resourceVersion: string;
      continueToken?: string;
    }
  | { type: 'error'; id: number; error: ListWorkerError }
  /** Anything but a {@link KubeApiError}: the page is read again in the backend's thread. */
  | { type: 'failed'; id: number; message: string }
  | { type: 'cpu'; ms: number };

interface Held {
  client: KubeClient;
  token?: string;
  annotationKeys: ReadonlySet<string>;
}

function serve(port: MessagePort) {
  internNothing();
  const held = new Map<number, Held>();
  const inFlight = new Map<number, AbortController>();
  const reply = (message: ListWorkerReply) => port.postMessage(message);

  const clientOf = (connection: ListWorkerConnection): Held => {
    let entry = held.get(connection.id);
    if (!entry) {
      const { client: options, annotationKeys, ...endpoint } = connection;
      const created: Held = {
        annotationKeys: new Set(annotationKeys),
        client: new KubeClient(
          // the token of the request being sent: each page brings the one the backend's thread asked for
          { ...endpoint, getToken: async () => created.token },
          options,
        ),
      };
      entry = created;
      held.set(connection.id, entry);
    }
    return entry;
  };

  const page = async (
    message: Extract<ListWorkerMessage, { type: 'page' }>,
  ) => {
    const { id, target } = message;
    const abort = new AbortController();
    inFlight.set(id, abort);
    try {
      const entry = clientOf(message.connection);
      entry.token = message.token;
      const listed = await entry.client.listPage(
        target.path,
        { pageSize: message.pageSize, signal: abort.signal },
        message.continueToken,
      );
      const items: ListedObject[] = new Array(listed.items.length);
      for (let i = 0; i < items.length; i++) {
        items[i] = listedObject(target, listed.items[i], entry.annotationKeys);
      }
      reply({
        type: 'page',
        id,
        items,
        resourceVersion: listed.resourceVersion,
        continueToken: listed.continueToken,
      });
    } catch (error) {
      reply(failureReply(id, error));
    } finally {
      inFlight.delete(id);
    }
  };

  port.on('message', (message: ListWorkerMessage) => {
    switch (message.type) {
      case 'page':
        page(message);
        return;
      case 'abort':
        inFlight.get(message.id)?.abort();
        return;
      case 'forget':
        held.get(message.connectionId)?.client.close();
        held.delete(message.connectionId);
        return;
      case 'cpu': {
        const cpu = process.threadCpuUsage();
        reply({ type: 'cpu', ms: (cpu.user + cpu.system) / 1000 });
        return;
      }
      case 'close':
        for (const abort of inFlight.values()) abort.abort();
        for (const entry of held.values()) entry.client.close();
        held.clear();
        port.close();
        return;
      default:
    }
  });
  reply({ type: 'ready' });
}

serveInWorker<ListWorkerData>('shipyardListWorker', serve);
