/** One message of a Server-Sent Events stream. */
export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

/** Handlers of {@link SseParser}. */
export interface SseParserHandlers {
  onMessage(message: SseMessage): void;
  onRetry?(ms: number): void;
}

/**
 * Incremental parser of the `text/event-stream` format: feed it decoded text chunks as they arrive, in any split.
 */
export class SseParser {
  private buffer = '';
  private eventType = '';
  private data: string[] = [];
  private id: string | undefined;
  private lastEventId: string | undefined;
  private readonly handlers: SseParserHandlers;

  constructor(handlers: SseParserHandlers) {
    this.handlers = handlers;
  }

  /** The id of the last dispatched message, for `Last-Event-ID` on reconnect. */
  get lastId(): string | undefined {
    return this.lastEventId;
  }

  push(chunk: string): void {
    this.buffer += chunk;
    let start = 0;
    for (;;) {
      const nl = this.findLineEnd(start);
      if (nl === undefined) break;
      const line = this.buffer.slice(start, nl.index);
      start = nl.index + nl.length;
      this.line(line);
    }
    this.buffer = this.buffer.slice(start);
  }

  private findLineEnd(
    from: number,
  ): { index: number; length: number } | undefined {
    for (let i = from; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c === '\n') return { index: i, length: 1 };
      if (c === '\r') {
        if (i + 1 >= this.buffer.length) return undefined; // wait: might be \r\n
        return { index: i, length: this.buffer[i + 1] === '\n' ? 2 : 1 };
      }
    }
    return undefined;
  }

  private line(line: string) {
    if (line === '') {
      this.dispatch();
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
        break;
      default:
        break;
    }
  }

  private dispatch() {
    if (this.id !== undefined) this.lastEventId = this.id;
    if (this.data.length > 0) {
      this.handlers.onMessage({
        event: this.eventType || 'message',
        data: this.data.join('\n'),
        id: this.lastEventId,
      });
    }
    this.eventType = '';
    this.data = [];
    this.id = undefined;
  }
}
