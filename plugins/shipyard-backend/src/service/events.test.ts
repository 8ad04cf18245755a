import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockServices } from '@backstage/backend-test-utils';
import { AuthenticationError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import { routerApp } from '../__testUtils__/routerApp';
import { FleetIndex } from '../index/FleetIndex';
import { eventually } from '@shipyard/test-utils';
import { makeSummary } from '../__testUtils__/summaries';
import { FleetService } from './FleetService';
import { createRouter } from './router';

/*
 * GET /events: streams are capped per user and in total (429 over the cap), end when their token expires, and
 * follow a change of the permission policy.
 */

interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: () => string;
  ended: Promise<void>;
  close: () => void;
}

async function startApp(options: {
  limits?: {
    maxStreams?: number;
    maxStreamsPerUser?: number;
    permissionRecheckMs?: number;
  };
  expiresAt?: (user: string) => Date | undefined;
  decision?: () => { result: AuthorizeResult };
}) {
  const index = new FleetIndex();
  index.upsert(makeSummary({ name: 'first' }));
  const fleet = { index } as unknown as FleetService;
  const app = routerApp(
    await createRouter({
      fleet,
      logger: mockServices.logger.mock(),
      httpAuth: {
        credentials: async (req: express.Request) => {
          const user = /^Bearer (\w+)$/.exec(
            req.header('authorization') ?? '',
          )?.[1];
          if (!user) throw new AuthenticationError('no token');
          const expiresAt = options.expiresAt?.(user);
          if (expiresAt && expiresAt.getTime() <= Date.now()) {
            throw new AuthenticationError('token expired');
          }
          return {
            $$type: '@backstage/BackstageCredentials',
            principal: { type: 'user', userEntityRef: `user:default/${user}` },
            ...(expiresAt ? { expiresAt } : {}),
          };
        },
      } as any,
      permissions: {
        authorizeConditional: async () => [
          options.decision?.() ?? { result: AuthorizeResult.ALLOW },
        ],
      } as any,
      ruleset: {
        getRuleByName: () => {
          throw new Error('unused');
        },
      } as any,
      decisionCacheMs: 0,
      events: options.limits,
    }),
  );
  const server = http.createServer(app);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const streams: Stream[] = [];

  function open(user: string): Promise<Stream> {
    return new Promise((resolve, reject) => {
      let text = '';
      let done: () => void;
      const ended = new Promise<void>(r => {
        done = r;
      });
      const req = http.get(
        `http://127.0.0.1:${port}/events`,
        { headers: { authorization: `Bearer ${user}` } },
        res => {
          res.setEncoding('utf8');
          res.on('data', chunk => {
            text += chunk;
          });
          res.on('end', () => done());
          res.on('close', () => done());
          const stream: Stream = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: () => text,
            ended,
            close: () => req.destroy(),
          };
          streams.push(stream);
          resolve(stream);
        },
      );
      req.on('error', reject);
    });
  }

  async function stop() {
    streams.forEach(s => s.close());
    server.closeAllConnections?.();
    await new Promise(resolve => server.close(resolve));
  }
  return { index, open, stop };
}

describe('GET /events', () => {
  it('caps the streams per user and in total, answering 429 with Retry-After over the cap', async () => {
    const app = await startApp({
      limits: { maxStreams: 3, maxStreamsPerUser: 2 },
    });
    try {
      const a1 = await app.open('alice');
      const a2 = await app.open('alice');
      expect([a1.status, a2.status]).toEqual([200, 200]);
      const a3 = await app.open('alice');
      expect(a3.status).toBe(429);
      expect(Number(a3.headers['retry-after'])).toBeGreaterThan(0);
      await a3.ended;
      expect(JSON.parse(a3.text()).error.message).toMatch(
        /at most 2 event streams per user/,
      );
      const b1 = await app.open('bob');
      expect(b1.status).toBe(200);
      // three streams are open: the total cap holds for everybody
      const b2 = await app.open('bob');
      expect(b2.status).toBe(429);
      // a closed stream frees its place
      a1.close();
      await eventually(async () => {
        const again = await app.open('alice');
        expect(again.status).toBe(200);
      });
    } finally {
      await app.stop();
    }
  });

  it('ends a stream when its token expires', async () => {
    const expiry = Date.now() + 600;
    const app = await startApp({
      expiresAt: () => new Date(expiry),
    });
    try {
      const stream = await app.open('alice');
      expect(stream.status).toBe(200);
      await eventually(() => expect(stream.text()).toContain('event: hello'));
      await Promise.race([
        stream.ended,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('stream still open')), 5000),
        ),
      ]);
      expect(Date.now()).toBeGreaterThanOrEqual(expiry);
      expect(stream.text()).toMatch(/event: end\ndata: {"reason":"expired"}/);
    } finally {
      await app.stop();
    }
  });

  it('re-checks the permission of open streams: a policy that now denies ends them', async () => {
    let decision: AuthorizeResult = AuthorizeResult.ALLOW;
    const app = await startApp({
      limits: { permissionRecheckMs: 100 },
      decision: () => ({ result: decision }),
    });
    try {
      const stream = await app.open('alice');
      await eventually(() => expect(stream.text()).toContain('event: hello'));
      app.index.upsert(makeSummary({ name: 'second' }));
      await eventually(() => expect(stream.text()).toContain('"second"'));
      decision = AuthorizeResult.DENY;
      await Promise.race([
        stream.ended,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('stream still open')), 5000),
        ),
      ]);
      expect(stream.text()).toMatch(/event: end\ndata: {"reason":"forbidden"}/);
    } finally {
      await app.stop();
    }
  });
});
