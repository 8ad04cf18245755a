import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { KubeApiError, transportError } from './errors';
import { IoTimeout, ioTimeout } from './timeouts';

/*
 * HTTP exchanges bounded in time and size (see the header comment of `KubeClient.ts` for why they are our own).
 */

/** Where the requests of one client go, prepared once (no URL parsing per request). */
export interface HttpTarget {
  transport: typeof http | typeof https;
  agent: http.Agent;
  protocol: string;
  /** An IPv6 literal without its brackets, as `http.request` wants it. */
  hostname: string;
  port: string;
  /** Path prefix of the server URL, without a trailing slash. */
  basePath: string;
}

/** The prepared target of a server URL. */
export function httpTarget(url: string, agent: http.Agent): HttpTarget {
  const base = new URL(url);
  return {
    transport: base.protocol === 'https:' ? https : http,
    agent,
    protocol: base.protocol,
    hostname: base.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: base.port,
    basePath: base.pathname.replace(/\/$/, ''),
  };
}

/** Time limits of one exchange (ms; 0 or absent: none). */
export interface Limits {
  /** The whole exchange, body included. */
  deadlineMs: number;
  /** Socket inactivity. */
  idleMs: number;
  /** Until the response headers. */
  responseMs?: number;
}

/** The error of a request that failed in transport, named by `what` (nothing named when absent). */
function failure(
  error: unknown,
  signal: AbortSignal | undefined,
  what: string | undefined,
): KubeApiError {
  if (error instanceof KubeApiError) return error;
  const e = signal?.aborted
    ? new KubeApiError('aborted', 0, 'Aborted')
    : transportError(error);
  return new KubeApiError(
    what ? `${what}: ${e.message}` : e.message,
    0,
    e.reason,
  );
}

/** How long opening its connection took (ms), for the responses of requests that opened one (see `connectMsOf`). */
const connectTimes = new WeakMap<http.IncomingMessage, number>();

/**
 * How long opening the connection took (TCP and TLS, ms) for a response of {@link sendRequest} whose request opened
 * one; undefined when it went over a kept-alive connection. The part of a first answer's time that was not the
 * server's answering.
 */
export function connectMsOf(res: http.IncomingMessage): number | undefined {
  return connectTimes.get(res);
}

/**
 * Sends a request and resolves with the response once its headers arrived. The limits stay armed while the body is
 * read; `signal` aborts the exchange at any point. Rejects with a {@link KubeApiError}.
 */
export function sendRequest(
  target: HttpTarget,
  path: string,
  options: {
    method?: string;
    headers: http.OutgoingHttpHeaders;
    body?: string;
    signal?: AbortSignal;
  },
  limits: Limits,
  what: string | undefined,
): Promise<http.IncomingMessage> {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(failure(new Error('aborted'), signal, what));
      return;
    }
    let response: http.IncomingMessage | undefined;
    // limits on the server: what it sent in time is read before it is judged late (see timeouts.ts)
    let deadline: IoTimeout | undefined;
    let responseTimer: IoTimeout | undefined;
    let connectMs: number | undefined;
    const req = target.transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.basePath + path,
        method: options.method ?? 'GET',
        agent: target.agent,
        headers: options.headers,
        signal,
      },
      res => {
        response = res;
        if (connectMs !== undefined) connectTimes.set(res, connectMs);
        responseTimer?.clear();
        if (deadline) res.once('close', () => deadline?.clear());
        resolve(res);
      },
    );
    req.once('socket', socket => {
      // a kept-alive socket is connected already
      if (!socket.connecting) return;
      const began = performance.now();
      socket.once(
        socket instanceof tls.TLSSocket ? 'secureConnect' : 'connect',
        () => {
          connectMs = performance.now() - began;
        },
      );
    });
    const timeout = (message: string) => {
      const error = new KubeApiError(
        `request to ${what ?? 'the API server'} ${message}`,
        0,
        'Timeout',
      );
      if (response) response.destroy(error);
      else req.destroy(error);
    };
    if (limits.deadlineMs > 0) {
      deadline = ioTimeout(limits.deadlineMs, () =>
        timeout(`exceeded its deadline of ${limits.deadlineMs} ms`),
      );
    }
    const responseMs = limits.responseMs ?? 0;
    if (responseMs > 0) {
      responseTimer = ioTimeout(responseMs, () =>
        timeout(`got no response within ${responseMs} ms`),
      );
    }
    if (deadline || responseTimer) {
      req.once('close', () => {
        responseTimer?.clear();
        if (!response) deadline?.clear();
      });
    }
    if (limits.idleMs > 0) {
      req.setTimeout(limits.idleMs, () => {
        // idle unless the socket had something waiting to be read when the limit expired
        const read = req.socket?.bytesRead ?? 0;
        setImmediate(() => {
          if (response?.complete || (req.socket?.bytesRead ?? 0) !== read) {
            return;
          }
          timeout(`idle for ${limits.idleMs} ms`);
        }).unref?.();
      });
    }
    req.on('error', error => reject(failure(error, signal, what)));
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

/**
 * Reads a whole body (list pages are megabytes: one copy from the chunks, no string concatenation), refusing a body
 * larger than `maxBytes` as soon as it passes it (or before reading, when its declared length does). Events rather
 * than an async iterator: this runs for every request of every probe.
 */
export function readBody(
  res: http.IncomingMessage,
  options: { maxBytes: number; what?: string; signal?: AbortSignal },
): Promise<string> {
  const { maxBytes, what } = options;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: KubeApiError) => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    const tooLarge = () => {
      const message = `response larger than ${maxBytes} bytes`;
      fail(
        new KubeApiError(what ? `${what}: ${message}` : message, 0, 'TooLarge'),
      );
      res.destroy();
    };
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      tooLarge();
      return;
    }
    let chunks: Buffer[] = [];
    let length = 0;
    // the response outlives its body (a keep-alive socket refers to it): the listeners, and with them the chunks and
    // this promise (which holds the text it resolved with), are let go as soon as the body is whole
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        chunks = [];
        res.off('data', onData);
        tooLarge();
      } else chunks.push(chunk);
    };
    res.on('data', onData);
    const onError = (error: Error) =>
      fail(failure(error, options.signal, what));
    const onClose = () => {
      // closed before its end without an error event: the connection went away
      if (!res.complete) {
        fail(failure(new Error('connection closed'), options.signal, what));
      }
    };
    res.once('end', () => {
      res.off('data', onData);
      res.off('error', onError);
      res.off('close', onClose);
      const whole = chunks;
      chunks = [];
      if (settled) return;
      settled = true;
      resolve(
        whole.length === 1
          ? whole[0].toString('utf8')
          : Buffer.concat(whole, length).toString('utf8'),
      );
    });
    res.once('error', onError);
    res.once('close', onClose);
  });
}
