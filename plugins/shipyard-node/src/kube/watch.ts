import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { KubeApiError, transportError } from './errors';
import { IoTimeout, ioTimeout } from './timeouts';
import { KubeWatchEvent, parseWatchLine } from './types';

/**
 * The events of a watch response, parsed line by line as they arrive. Ends when the server closes the stream or
 * `signal` aborts (quietly); throws a {@link KubeApiError} for an `ERROR` event, a broken stream, an event larger
 * than `maxEventBytes`, and (reason `Timeout`) when no event, bookmarks included, arrives for `eventTimeoutMs`.
 */
export async function* readWatchEvents(
  res: http.IncomingMessage,
  options: {
    path: string;
    maxEventBytes: number;
    eventTimeoutMs?: number;
    signal?: AbortSignal;
  },
): AsyncGenerator<KubeWatchEvent> {
  const { path, signal } = options;
  const eventTimeoutMs = options.eventTimeoutMs ?? 0;
  // a limit on the server's silence: what it sent in time is read before the stream is judged silent. One timer per
  // stream, not one per event: an event notes its time, and the timer, when it expires, looks again from the last
  // event's time (a busy watch carries hundreds of events a second)
  let eventTimer: IoTimeout | undefined;
  let lastEventAt = performance.now();
  const checkSilence = () => {
    const quietMs = performance.now() - lastEventAt;
    if (quietMs < eventTimeoutMs) {
      eventTimer = ioTimeout(eventTimeoutMs - quietMs, checkSilence);
      return;
    }
    res.destroy(
      new KubeApiError(
        `watch ${path}: no event or bookmark within ${eventTimeoutMs} ms`,
        0,
        'Timeout',
      ),
    );
  };
  if (eventTimeoutMs > 0) eventTimer = ioTimeout(eventTimeoutMs, checkSilence);
  res.setEncoding('utf8');
  let buffer = '';
  try {
    for await (const chunk of res as AsyncIterable<string>) {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        if (line.trim().length === 0) continue;
        const event = parseWatchLine(line);
        lastEventAt = performance.now();
        yield event;
      }
      if (buffer.length > options.maxEventBytes) {
        throw new KubeApiError(
          `watch ${path}: event larger than ${options.maxEventBytes} bytes`,
          0,
          'TooLarge',
        );
      }
    }
  } catch (error) {
    if (signal?.aborted) return;
    if (error instanceof KubeApiError) throw error;
    const e = transportError(error);
    throw new KubeApiError(`watch ${path} failed: ${e.message}`, 0, e.reason);
  } finally {
    eventTimer?.clear();
    res.destroy();
  }
  if (buffer.trim().length > 0 && !signal?.aborted) {
    yield parseWatchLine(buffer);
  }
}
