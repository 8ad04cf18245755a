import { dirname } from 'node:path';
import {
  MessagePort,
  Worker,
  isMainThread,
  parentPort,
  workerData,
} from 'node:worker_threads';

/**
 * How to start a worker thread's script of this package. The built package runs its `….cjs.js` as it is; under the
 * TypeScript sources (tests, `backstage-cli package start`) the thread first registers the Backstage CLI's node
 * transform, a development dependency there, which the backend's own registration does not reach (hooks are per
 * thread).
 */
export function workerScript(file: string): { script: string; eval: boolean } {
  if (!/\.[cm]?ts$/.test(file)) return { script: file, eval: false };
  const transform = `require.resolve('@backstage/cli/config/nodeTransform.cjs', { paths: [${JSON.stringify(
    dirname(file),
  )}] })`;
  return {
    eval: true,
    script: `require(${transform});\nrequire(${JSON.stringify(file)});\n`,
  };
}

/** What a thread of this package tells its starter; every thread's first message is `{ type: 'ready' }`. */
export interface WorkerHandlers<Reply> {
  /** Every message after `ready`. */
  onReply(reply: Reply): void;
  /** The thread failed or exited after it was ready. */
  onLost(worker: Worker, reason: string): void;
}

/**
 * Starts the thread of `file` (a module of this package that ends with `serveInWorker`) and resolves once it is
 * ready; an error or an exit before that rejects, after that is `onLost`'s.
 */
export function startWorker<Reply extends { type: string }>(
  file: string,
  data: unknown,
  handlers: WorkerHandlers<Reply>,
): Promise<Worker> {
  return new Promise<Worker>((resolve, reject) => {
    const { script, eval: evalScript } = workerScript(file);
    let ready = false;
    let worker: Worker;
    try {
      worker = new Worker(script, { eval: evalScript, workerData: data });
    } catch (error) {
      reject(error);
      return;
    }
    worker.on('message', (reply: Reply) => {
      if (reply.type === 'ready' && !ready) {
        ready = true;
        resolve(worker);
      } else handlers.onReply(reply);
    });
    worker.on('error', error => {
      if (!ready) reject(error);
      else
        handlers.onLost(
          worker,
          `${(error as Error).name}: ${(error as Error).message}`,
        );
    });
    worker.on('exit', code => {
      if (!ready) reject(new Error(`the thread exited with code ${code}`));
      else handlers.onLost(worker, `exit code ${code}`);
    });
  });
}

/**
 * In a thread started by `startWorker` with `workerData[flag]` set, runs `serve` on the port to the starter; anywhere
 * else (the backend's thread loading the module for its file name) does nothing.
 */
export function serveInWorker<Data>(
  flag: string,
  serve: (port: MessagePort, data: Data) => void,
): void {
  const data = workerData as Record<string, unknown> | undefined;
  if (!isMainThread && parentPort && data?.[flag]) {
    serve(parentPort, workerData as Data);
  }
}

/** How long a thread asked to close may take to exit before it is ended. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Asks a thread to close (`{ type: 'close' }`: it ends what is in flight and exits) and ends it if it has not exited
 * within the grace period.
 */
export async function stopWorker(worker: Worker): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  worker.postMessage({ type: 'close' });
  await Promise.race([
    new Promise<void>(resolve => worker.once('exit', () => resolve())),
    new Promise<void>(resolve => {
      timer = setTimeout(() => {
        worker.terminate().then(
          () => resolve(),
          () => resolve(),
        );
      }, CLOSE_GRACE_MS);
    }),
  ]);
  clearTimeout(timer);
}
