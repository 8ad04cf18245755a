import { LoggerService } from '@backstage/backend-plugin-api';

/** A logger that keeps every line (message and metadata) for assertions, and when each was written (`times`). */
export class CaptureLogger implements LoggerService {
  constructor(
    readonly lines: string[] = [],
    private readonly meta: Record<string, unknown> = {},
    readonly times: number[] = [],
  ) {}

  private add(level: string, message: string, meta?: unknown) {
    const extra =
      meta instanceof Error
        ? { error: `${meta.name}: ${meta.message}\n${meta.stack}` }
        : meta;
    this.lines.push(
      `${level} ${message} ${JSON.stringify({
        ...this.meta,
        ...(extra as object),
      })}`,
    );
    this.times.push(Date.now());
  }

  error(message: string, meta?: Error | Record<string, unknown>): void {
    this.add('error', message, meta);
  }
  warn(message: string, meta?: Error | Record<string, unknown>): void {
    this.add('warn', message, meta);
  }
  info(message: string, meta?: Error | Record<string, unknown>): void {
    this.add('info', message, meta);
  }
  debug(message: string, meta?: Error | Record<string, unknown>): void {
    this.add('debug', message, meta);
  }
  child(meta: Record<string, unknown>): LoggerService {
    return new CaptureLogger(this.lines, { ...this.meta, ...meta }, this.times);
  }
}
