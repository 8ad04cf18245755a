/** Writing responses (objects, Status errors, text) and reading request bodies. */
import { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ApiError, errors } from './errors';
import { OutputFormat } from './negotiation';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function sendText(
  res: ServerResponse,
  code: number,
  text: string,
  contentType: string,
  warnings?: string[],
): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[]> = {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache, private',
  };
  if (warnings?.length)
    headers.Warning = warnings.map(w => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

export function sendStatus(res: ServerResponse, error: ApiError): void {
  const headers: Record<string, string> = {};
  if (error.details?.retryAfterSeconds)
    headers['Retry-After'] = String(error.details.retryAfterSeconds);
  if (res.headersSent || res.destroyed) return;
  if (error.code === 413) {
    // The rest of the body is never read: the connection cannot be reused.
    headers.Connection = 'close';
    res.shouldKeepAlive = false;
    res.on('finish', () => res.socket?.destroySoon());
  }
  res.writeHead(error.code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(JSON.stringify(error.toStatus()));
}

export function sendObject(
  res: ServerResponse,
  code: number,
  obj: unknown,
  format: OutputFormat,
  warnings?: string[],
): void {
  if (format.kind === 'yaml') {
    sendText(res, code, stringifyYaml(obj), 'application/yaml', warnings);
  } else {
    sendText(res, code, JSON.stringify(obj), 'application/json', warnings);
  }
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw errors.tooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

export function parseBody(
  buffer: Buffer,
  contentType: string,
  yamlAllowed: boolean,
): unknown {
  const text = buffer.toString('utf8');
  if (text.trim() === '')
    throw errors.badRequest('the body of the request is empty');
  try {
    if (yamlAllowed && /yaml/.test(contentType)) return parseYaml(text);
    return JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(
      `couldn't get version/kind; json parse error: ${
        e instanceof Error ? e.message : String(e)
      }`,
    );
  }
}
