import http from 'node:http';
import { AddressInfo, Server } from 'node:net';

/** The event stream of a backend as a client reads it: what arrived so far. */
export interface EventStream {
  /** Everything the stream sent so far. */
  readonly received: string;
  /** Ends the stream. */
  close(): void;
}

/**
 * Opens `GET /api/shipyard/events` on a backend's server (as an anonymous caller, or as the backend's default
 * credentials decide); `onResponse` sees the response's head.
 */
export function openEventStream(
  server: Server,
  onResponse?: (res: http.IncomingMessage) => void,
): EventStream {
  const port = (server.address() as AddressInfo).port;
  let received = '';
  const req = http.get(`http://127.0.0.1:${port}/api/shipyard/events`, res => {
    onResponse?.(res);
    res.setEncoding('utf8');
    res.on('data', chunk => {
      received += chunk;
    });
  });
  req.on('error', () => {});
  return {
    get received() {
      return received;
    },
    close: () => req.destroy(),
  };
}
