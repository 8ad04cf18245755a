import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeCredentials } from './credentials';
import { KubeApiError } from './errors';
import { KubeClient, SERVER_SIDE_APPLY } from './KubeClient';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A tiny API server whose answers the tests script by path. */
async function startServer(
  handle: (req: Seen, res: http.ServerResponse) => void,
) {
  const seen: Seen[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', c => {
      body += c;
    });
    req.on('end', () => {
      const s = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
      };
      seen.push(s);
      handle(s, res);
    });
  });
  server.on('connection', s => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise(r => server.close(r));
    },
  };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  status: 'Failure',
  code,
  reason,
  message,
  details: { causes: [{ field: 'spec.x', message: 'bad' }] },
});

describe('KubeClient', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  let handler: (req: Seen, res: http.ServerResponse) => void;
  let client: KubeClient;

  beforeAll(async () => {
    server = await startServer((req, res) => handler(req, res));
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.seen.length = 0;
    client = new KubeClient(
      new KubeCredentials(`${server.url}/prefix`, { token: 'tkn' }),
      { requestTimeoutMs: 2000, idleTimeoutMs: 1000 },
    );
  });
  afterEach(() => client.close());

  it('gets objects under the server path with the token, undefined when not found', async () => {
    handler = (req, res) =>
      req.url.endsWith('/there')
        ? json(res, 200, { metadata: { name: 'there' } })
        : json(res, 404, status(404, 'NotFound', 'not there'));
    expect((await client.get('/api/v1/namespaces/there'))?.metadata.name).toBe(
      'there',
    );
    expect(await client.get('/api/v1/namespaces/gone')).toBeUndefined();
    expect(server.seen[0].url).toBe('/prefix/api/v1/namespaces/there');
    expect(server.seen[0].headers.authorization).toBe('Bearer tkn');
  });

  it('counts the connections it opens: one for requests in turn, more for requests side by side', async () => {
    handler = (_req, res) => json(res, 200, { metadata: { name: 'x' } });
    expect(client.connectionsOpened).toBe(0);
    await client.get('/api/v1/namespaces/a');
    await client.get('/api/v1/namespaces/b');
    expect(client.connectionsOpened).toBe(1);
    await Promise.all(
      ['c', 'd', 'e'].map(n => client.get(`/api/v1/namespaces/${n}`)),
    );
    expect(client.connectionsOpened).toBe(3);
  });

  it('tells how long opening its connection took, for the request that opened one', async () => {
    handler = (_req, res) => json(res, 200, {});
    const first = await client.request('/readyz');
    expect(first.connectMs).toBeGreaterThanOrEqual(0);
    // over the kept-alive connection
    const second = await client.request('/readyz');
    expect(second.connectMs).toBeUndefined();
  });

  it('creates and applies with field manager and dry run; errors carry the Status', async () => {
    handler = (req, res) =>
      req.method === 'POST'
        ? json(res, 422, status(422, 'Invalid', 'spec.x is bad'))
        : json(res, 200, JSON.parse(req.body));
    const error = await client
      .create(
        '/apis/g/v1/namespaces/n/things',
        { kind: 'Thing' },
        {
          fieldManager: 'shipyard',
          dryRun: true,
        },
      )
      .catch(e => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.statusCode).toBe(422);
    expect(error.reason).toBe('Invalid');
    expect(error.status.details.causes[0].field).toBe('spec.x');
    expect(error.message).toContain('spec.x is bad');
    expect(server.seen[0].url).toBe(
      '/prefix/apis/g/v1/namespaces/n/things?fieldManager=shipyard&dryRun=All',
    );
    expect(JSON.parse(server.seen[0].body)).toEqual({ kind: 'Thing' });

    const applied = await client.apply(
      '/apis/g/v1/namespaces/n/things/t',
      { kind: 'Thing', spec: { a: 1 } },
      { fieldManager: 'shipyard', force: true },
    );
    expect(applied.spec).toEqual({ a: 1 });
    expect(server.seen[1].method).toBe('PATCH');
    expect(server.seen[1].headers['content-type']).toBe(SERVER_SIDE_APPLY);
    expect(server.seen[1].url).toBe(
      '/prefix/apis/g/v1/namespaces/n/things/t?fieldManager=shipyard&force=true',
    );
  });

  it('lists page by page with selectors', async () => {
    handler = (req, res) => {
      const params = new URL(req.url, 'http://x').searchParams;
      const page = params.get('continue') ? 2 : 1;
      json(res, 200, {
        items: [{ metadata: { name: `item-${page}` } }],
        metadata: {
          resourceVersion: `rv${page}`,
          continue: page === 1 ? 'next' : undefined,
        },
      });
    };
    const pages = [];
    for await (const page of client.list('/api/v1/secrets', {
      pageSize: 1,
      labelSelector: 'a=b',
    })) {
      pages.push(page);
    }
    expect(
      pages.map(p => [p.items[0].metadata.name, p.resourceVersion]),
    ).toEqual([
      ['item-1', 'rv1'],
      ['item-2', 'rv2'],
    ]);
    expect(server.seen[1].url).toBe(
      '/prefix/api/v1/secrets?labelSelector=a%3Db&limit=1&continue=next',
    );
  });

  it('answers raw requests whatever their status, and names nothing in transport errors', async () => {
    handler = (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('[-]etcd failed');
    };
    const res = await client.request('/readyz', { accept: 'text/plain' });
    expect(res).toEqual({
      status: 500,
      contentType: 'text/plain',
      body: '[-]etcd failed',
      // the first request opened the client's connection
      connectMs: expect.any(Number),
    });
    const closed = new KubeClient(
      new KubeCredentials('http://127.0.0.1:1', { token: 't' }),
    );
    const error = await closed.request('/readyz').catch(e => e);
    closed.close();
    expect(error).toBeInstanceOf(KubeApiError);
    expect(error.statusCode).toBe(0);
    expect(error.reason).toBe('Unreachable');
    expect(error.message).toBe('connection refused');
  });

  it('aborts a request on its signal', async () => {
    const controller = new AbortController();
    // aborted once the server has it, and never answered: a fixed delay could abort it before the server read it,
    // which a busy machine then recorded during the next test
    handler = () => controller.abort();
    const error = await client
      .request('/readyz', { signal: controller.signal })
      .catch(e => e);
    expect(error.reason).toBe('Aborted');
  });

  describe('watch', () => {
    const added = (name: string) =>
      `${JSON.stringify({ type: 'ADDED', object: { metadata: { name } } })}\n`;
    const streaming = (res: http.ServerResponse) =>
      res.writeHead(200, { 'content-type': 'application/json' });
    const events = async (
      options: Partial<Parameters<KubeClient['watch']>[1]> = {},
    ) => {
      const out: string[] = [];
      let error: KubeApiError | undefined;
      const started = Date.now();
      try {
        for await (const event of client.watch('/apis/g/v1/things', {
          resourceVersion: '5',
          timeoutSeconds: 10,
          ...options,
        })) {
          out.push(
            event.type === 'BOOKMARK'
              ? `BOOKMARK ${event.resourceVersion}`
              : `${event.type} ${event.object.metadata.name}`,
          );
        }
      } catch (e) {
        error = e as KubeApiError;
      }
      return { out, error, ms: Date.now() - started };
    };

    it('yields events and bookmarks, and throws an ERROR event as an expired error', async () => {
      handler = (_req, res) => {
        streaming(res);
        res.write(added('a'));
        res.write(
          `${JSON.stringify({
            type: 'BOOKMARK',
            object: { metadata: { resourceVersion: '7' } },
          })}\n`,
        );
        res.end(
          `${JSON.stringify({
            type: 'ERROR',
            object: status(410, 'Expired', 'too old'),
          })}\n`,
        );
      };
      const { out, error } = await events();
      expect(out).toEqual(['ADDED a', 'BOOKMARK 7']);
      expect(error?.isExpired).toBe(true);
      expect(error?.status?.message).toBe('too old');
      expect(server.seen[0].url).toBe(
        '/prefix/apis/g/v1/things?watch=1&allowWatchBookmarks=true&resourceVersion=5&timeoutSeconds=10',
      );
    });

    it('fails a server that sends no response headers within the response timeout', async () => {
      handler = () => undefined;
      const { error, ms } = await events({ responseTimeoutMs: 200 });
      expect(error?.reason).toBe('Timeout');
      expect(error?.message).toMatch(/no response within 200 ms/);
      // ended by the timeout, not left open (a busy machine's timers fire late)
      expect(ms).toBeLessThan(5000);
    });

    it('fails a stream that sends no event or bookmark for the event timeout', async () => {
      let opened = 0;
      handler = (_req, res) => {
        streaming(res);
        res.write(added('a'));
        // then only blank keep-alive lines, no event
        const timer = setInterval(() => res.write('\n'), 50);
        res.on('close', () => clearInterval(timer));
      };
      const { out, error, ms } = await events({
        eventTimeoutMs: 300,
        onOpen: () => opened++,
      });
      expect(opened).toBe(1);
      expect(out).toEqual(['ADDED a']);
      expect(error?.reason).toBe('Timeout');
      expect(error?.message).toMatch(/no event or bookmark within 300 ms/);
      // ended by the timeout, not left open (a busy machine's timers fire late)
      expect(ms).toBeLessThan(5000);
    });

    it('keeps a stream whose events come more often than the event timeout, and fails it once they stop', async () => {
      let sentUntil = 0;
      handler = (_req, res) => {
        streaming(res);
        let n = 0;
        // an event every 50 ms for 1.2 s (four times the limit), then only blank keep-alive lines
        const timer = setInterval(() => {
          if (n < 24) {
            res.write(added(`e${n++}`));
            sentUntil = Date.now();
          } else res.write('\n');
        }, 50);
        res.on('close', () => clearInterval(timer));
      };
      const { out, error } = await events({ eventTimeoutMs: 300 });
      const failedAt = Date.now();
      expect(out).toEqual(Array.from({ length: 24 }, (_, i) => `ADDED e${i}`));
      expect(error?.reason).toBe('Timeout');
      expect(error?.message).toMatch(/no event or bookmark within 300 ms/);
      // judged from the last event, not from the first or from the stream's start
      expect(failedAt - sentUntil).toBeGreaterThanOrEqual(280);
    });

    /** Blocks the event loop, as a long synchronous task of the process (or a pause of the process) does. */
    const blockEventLoop = (ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        // busy
      }
    };

    it('reads a bookmark that arrived while the event loop was blocked past the event timeout before judging the stream silent', async () => {
      handler = (_req, res) => {
        streaming(res);
        res.flushHeaders();
        // (from a check-phase callback: the loop's next phase is then the timers', before any socket is read)
        setTimeout(
          () =>
            setImmediate(() => {
              res.write(
                `${JSON.stringify({
                  type: 'BOOKMARK',
                  object: { metadata: { resourceVersion: '7' } },
                })}\n`,
              );
              // the bookmark is on its way; the process is busy until the client's limit has long passed
              blockEventLoop(900);
            }),
          100,
        );
      };
      const { out, error } = await events({ eventTimeoutMs: 300 });
      expect(out).toEqual(['BOOKMARK 7']);
      // and a stream that then really falls silent is still found out
      expect(error?.reason).toBe('Timeout');
      expect(error?.message).toMatch(/no event or bookmark within 300 ms/);
    });

    it('reads response headers that arrived while the event loop was blocked past the response timeout', async () => {
      handler = (_req, res) => {
        streaming(res);
        res.flushHeaders();
        res.write(added('a'));
        blockEventLoop(900);
        setTimeout(() => res.end(), 50);
      };
      const { out, error } = await events({ responseTimeoutMs: 300 });
      expect(error).toBeUndefined();
      expect(out).toEqual(['ADDED a']);
    });

    it('ends quietly when its signal aborts', async () => {
      handler = (_req, res) => {
        streaming(res);
        res.write(added('a'));
      };
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const { out, error } = await events({ signal: controller.signal });
      expect(out).toEqual(['ADDED a']);
      expect(error).toBeUndefined();
    });
  });
});
