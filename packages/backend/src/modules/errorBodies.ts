import { NextFunction, Request, Response } from 'express';

function strip(error: unknown, depth = 0): void {
  if (!error || typeof error !== 'object' || depth > 5) return;
  const e = error as { stack?: unknown; cause?: unknown };
  delete e.stack;
  strip(e.cause, depth + 1);
}

/**
 * Removes stack traces from the error bodies the portal answers (`{ error: { stack } }`, as Backstage's error handler
 * writes them when the backend runs in development mode, which `make start` does): they carry absolute file paths
 * and say nothing a user needs. The backend's logs keep them.
 */
export function withoutErrorStacks(
  _req: Request,
  res: Response,
  next: NextFunction,
): void {
  const json = res.json.bind(res);
  res.json = (body?: unknown) => {
    if (res.statusCode >= 400 && body && typeof body === 'object') {
      strip((body as { error?: unknown }).error);
    }
    return json(body);
  };
  next();
}
