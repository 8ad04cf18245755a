import type { MessagePort } from 'node:worker_threads';
import {
  KubeCredentialOptions,
  KubeCredentials,
  pemFrom,
} from '@shipyard/plugin-shipyard-node/kube';
import { ProbeConnections, ProbeRequest } from './ProbeConnections';
import { ProbeResult } from './types';
import { serveInWorker } from '../service/workerScript';

/**
 * The script of the probe worker thread (see `ProbeWorker`): this module, from the TypeScript sources or from the
 * built package, whichever the backend runs. Loaded by the backend's thread only for this name.
 */
export const probeWorkerFile: string = __filename;

/** What `workerData` holds. */
export interface ProbeWorkerData {
  shipyardProbeWorker: true;
  keepAliveMs: number;
  maxConnections?: number;
}

/** Credentials as they cross to the worker thread (a `KubeCredentials` does not survive being cloned). */
export interface ProbeWorkerCredentials {
  server: string;
  options: KubeCredentialOptions;
}

/** From the backend's thread to the worker. */
export type ProbeWorkerMessage =
  | ({
      type: 'probe';
      id: number;
      /** Only when they differ from those the cluster's client was built with. */
      credentials?: ProbeWorkerCredentials;
    } & Omit<ProbeRequest, 'credentials'>)
  | { type: 'forget'; keys: string[] }
  | { type: 'close' };

/** From the worker to the backend's thread. */
export type ProbeWorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: ProbeResult }
  /** The worker holds no client of the cluster (it was forgotten): send the probe again with credentials. */
  | { type: 'credentials'; id: number }
  | { type: 'failed'; id: number; message: string };

function serve(port: MessagePort, data: ProbeWorkerData) {
  const connections = new ProbeConnections({
    keepAliveMs: data.keepAliveMs,
    maxConnections: data.maxConnections,
  });
  const reply = (message: ProbeWorkerReply) => port.postMessage(message);
  port.on('message', (message: ProbeWorkerMessage) => {
    switch (message.type) {
      case 'probe': {
        const { id, credentials } = message;
        if (!credentials && !connections.has(message.target.key)) {
          reply({ type: 'credentials', id });
          return;
        }
        connections
          .probe({
            target: message.target,
            timeoutMs: message.timeoutMs,
            maxNodes: message.maxNodes,
            kubeSystemChecks: message.kubeSystemChecks,
            discovery: message.discovery,
            previous: message.previous,
            hedge: message.hedge,
            credentials: credentials
              ? new KubeCredentials(credentials.server, {
                  ...credentials.options,
                  // every cluster of a management cluster often has the same CA: one copy
                  ca: pemFrom(credentials.options.ca),
                })
              : undefined,
          })
          .then(
            result => reply({ type: 'result', id, result }),
            (error: Error) =>
              reply({ type: 'failed', id, message: String(error?.message) }),
          );
        return;
      }
      case 'forget':
        connections.forget(message.keys);
        return;
      case 'close':
        // what is in flight ends with its connection; the thread exits with nothing left to do
        connections.close().finally(() => port.close());
        return;
      default:
    }
  });
  reply({ type: 'ready' });
}

serveInWorker<ProbeWorkerData>('shipyardProbeWorker', serve);
