import { MiddlewareFactory } from '@backstage/backend-defaults/rootHttpRouter';
import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import request from 'supertest';
import { withoutErrorStacks } from './errorBodies';

describe('withoutErrorStacks', () => {
  it('keeps stack traces out of every error body of the portal, even in development mode', async () => {
    const app = express();
    app.use(withoutErrorStacks);
    app.get('/fail', () => {
      throw Object.assign(new Error('boom'), {
        cause: new Error('underneath'),
      });
    });
    app.get('/ok', (_req, res) => {
      res.json({ stack: 'a field named stack that is data' });
    });
    app.use(
      MiddlewareFactory.create({
        config: mockServices.rootConfig(),
        logger: mockServices.logger.mock(),
      }).error({ showStackTraces: true }),
    );
    const failed = await request(app).get('/fail');
    expect(failed.status).toBe(500);
    expect(failed.body.error.message).toBe('boom');
    expect(JSON.stringify(failed.body)).not.toMatch(/\.ts:\d+|\n\s+at /);
    expect(failed.body.error.stack).toBeUndefined();
    expect(failed.body.error.cause?.stack).toBeUndefined();
    const ok = await request(app).get('/ok');
    expect(ok.body).toEqual({ stack: 'a field named stack that is data' });
  });
});
