import { ResponseError } from '@backstage/errors';
import { FleetChangeEvent } from '@shipyard/plugin-shipyard-common';
import { ShipyardClient } from './ShipyardClient';
import { FleetStreamState } from './types';

const baseUrl = 'http://localhost:7007/api/shipyard';
const discoveryApi = { getBaseUrl: jest.fn(async () => baseUrl) };

function jsonResponse(body: unknown, status = 200) {
  return {
    ok: status >= 200 && status < 300,
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    headers: new Map([['content-type', 'application/json']]),
    json: async () => body,
    text: async () => JSON.stringify(body),
    url: baseUrl,
  } as unknown as Response;
}

/** A streaming response whose chunks the test pushes. */
function streamResponse() {
  const encoder = new TextEncoder();
  const queue: Array<(r: ReadableStreamReadResult<Uint8Array>) => void> = [];
  const pending: ReadableStreamReadResult<Uint8Array>[] = [];
  const deliver = (r: ReadableStreamReadResult<Uint8Array>) => {
    const waiter = queue.shift();
    if (waiter) waiter(r);
    else pending.push(r);
  };
  const response = {
    ok: true,
    status: 200,
    body: {
      getReader: () => ({
        read: () =>
          new Promise<ReadableStreamReadResult<Uint8Array>>(resolve => {
            const next = pending.shift();
            if (next) resolve(next);
            else queue.push(resolve);
          }),
      }),
    },
  } as unknown as Response;
  return {
    response,
    push: (text: string) =>
      deliver({ done: false, value: encoder.encode(text) }),
    end: () => deliver({ done: true, value: undefined }),
  };
}

describe('ShipyardClient', () => {
  it('lists clusters with the query string of the request', async () => {
    const fetch = jest.fn(async () =>
      jsonResponse({ items: [], totalCount: 0, revision: 1 }),
    );
    const client = new ShipyardClient({ discoveryApi, fetchApi: { fetch } });
    await client.listClusters({
      owner: ['group:default/a', 'group:default/b'],
      health: ['degraded'],
      limit: 50,
    });
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/clusters?owner=group%3Adefault%2Fa&owner=group%3Adefault%2Fb&health=degraded&limit=50`,
      expect.anything(),
    );
  });

  it('lets the first read with the same request take over a read begun ahead, once and within 10 s', async () => {
    let answers = 0;
    const fetch = jest.fn(async () =>
      jsonResponse({ items: [], totalCount: 0, revision: ++answers }),
    );
    const client = new ShipyardClient({ discoveryApi, fetchApi: { fetch } });
    const request = {
      health: ['degraded' as const],
      sort: 'name' as const,
      limit: 50,
      fields: 'list' as const,
    };
    client.readClustersAhead(request);
    await new Promise(r => setTimeout(r, 0));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenCalledWith(
      `${baseUrl}/clusters?health=degraded&sort=name&limit=50&fields=list`,
      expect.anything(),
    );
    // another request reads on its own and leaves the one ahead in place
    await client.listClusters({ ...request, health: ['unhealthy'] });
    expect(fetch).toHaveBeenCalledTimes(2);
    // the same request (an equal object, undefined filters left out) takes it over: no request of its own
    await expect(
      client.listClusters({ ...request, owner: undefined }),
    ).resolves.toMatchObject({ revision: 1 });
    expect(fetch).toHaveBeenCalledTimes(2);
    // taken over once: the next read is a read of its own
    await expect(client.listClusters(request)).resolves.toMatchObject({
      revision: 3,
    });

    // a read begun ahead more than 10 s before is not taken over
    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      client.readClustersAhead(request);
      now.mockReturnValue(1_010_000);
      await expect(client.listClusters(request)).resolves.toMatchObject({
        revision: 5,
      });
      expect(fetch).toHaveBeenCalledTimes(5);
    } finally {
      now.mockRestore();
    }
  });

  it('fails the read that takes over a read begun ahead as that read fails, or at once when its caller gives up', async () => {
    const down = jest.fn(async () =>
      jsonResponse({ error: { name: 'NotFoundError', message: 'x' } }, 404),
    );
    const refusing = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch: down },
      retryDelaysMs: [5],
    });
    refusing.readClustersAhead({ fields: 'list' });
    await expect(
      refusing.listClusters({ fields: 'list' }),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect(down).toHaveBeenCalledTimes(1);

    let answer: (response: Response) => void = () => {};
    const held = jest.fn(
      () => new Promise<Response>(resolve => (answer = resolve)),
    );
    const slow = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch: held },
    });
    slow.readClustersAhead({ fields: 'list' });
    await new Promise(r => setTimeout(r, 0));
    expect(held).toHaveBeenCalledTimes(1);
    const controller = new AbortController();
    const read = slow.listClusters(
      { fields: 'list' },
      { signal: controller.signal },
    );
    controller.abort();
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
    answer(jsonResponse({ items: [], totalCount: 0, revision: 1 }));
    expect(held).toHaveBeenCalledTimes(1);
  });

  it('reads a cluster, the summary and the management clusters', async () => {
    const fetch = jest.fn(
      async (_url: RequestInfo | URL, _init?: RequestInit) =>
        jsonResponse({ ok: 1 }),
    );
    const client = new ShipyardClient({ discoveryApi, fetchApi: { fetch } });
    await client.getCluster({
      managementCluster: 'mc',
      namespace: 'ns',
      name: 'a',
    });
    await client.getSummary();
    await client.listManagementClusters();
    expect(fetch.mock.calls.map(c => c[0])).toEqual([
      `${baseUrl}/clusters/mc/ns/a`,
      `${baseUrl}/summary`,
      `${baseUrl}/management-clusters`,
    ]);
  });

  it('throws ResponseError on errors', async () => {
    const fetch = jest.fn(async () =>
      jsonResponse(
        {
          error: {
            name: 'NotFoundError',
            message: 'Cluster mc/ns/a not found',
          },
          response: { statusCode: 404 },
        },
        404,
      ),
    );
    const client = new ShipyardClient({ discoveryApi, fetchApi: { fetch } });
    await expect(
      client.getCluster({
        managementCluster: 'mc',
        namespace: 'ns',
        name: 'a',
      }),
    ).rejects.toBeInstanceOf(ResponseError);
  });

  it('asks a read again after a failure on the way, and answers when the backend does', async () => {
    const fetch = jest
      .fn()
      // the backend answered 500 (its permission decision was lost), then the connection failed
      .mockResolvedValueOnce(
        jsonResponse(
          { error: { name: 'TypeError', message: 'fetch failed' } },
          500,
        ),
      )
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce(
        jsonResponse({ items: [], totalCount: 0, revision: 1 }),
      );
    const client = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch },
      retryDelaysMs: [20, 40],
    });
    const started = Date.now();
    await expect(client.listClusters({ fields: 'list' })).resolves.toEqual({
      items: [],
      totalCount: 0,
      revision: 1,
    });
    expect(fetch).toHaveBeenCalledTimes(3);
    // after each failure, the next delay
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it('fails a read once its tries are spent, at once on a refusal, and when its caller gives up', async () => {
    const down = jest.fn(async () =>
      jsonResponse({ error: { name: 'Error', message: 'busy' } }, 503),
    );
    const busy = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch: down },
      retryDelaysMs: [5, 5],
    });
    await expect(busy.getSummary()).rejects.toMatchObject({ statusCode: 503 });
    expect(down).toHaveBeenCalledTimes(3);

    const notFound = jest.fn(async () =>
      jsonResponse({ error: { name: 'NotFoundError', message: 'x' } }, 404),
    );
    const refusing = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch: notFound },
      retryDelaysMs: [5, 5],
    });
    await expect(
      refusing.getVersionDebt({ owner: ['group:default/a'] }),
    ).rejects.toMatchObject({ statusCode: 404 });
    expect(notFound).toHaveBeenCalledTimes(1);

    down.mockClear();
    const patient = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch: down },
      retryDelaysMs: [60_000],
    });
    const controller = new AbortController();
    const started = Date.now();
    const read = patient.listClusters({}, { signal: controller.signal });
    await new Promise(r => setTimeout(r, 20));
    controller.abort();
    // with the signal's reason, as the backend plugins' retryTransient, not the 503 before the wait; at once
    await expect(read).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(down).toHaveBeenCalledTimes(1);

    const stopped = new AbortController();
    stopped.abort(new Error('left the page'));
    await expect(
      patient.getSummary({ signal: stopped.signal }),
    ).rejects.toThrow('left the page');
    expect(down).toHaveBeenCalledTimes(1);
  });

  it('returns an empty history on 404 and the history otherwise', async () => {
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(jsonResponse({}, 404))
      .mockResolvedValueOnce(
        jsonResponse({
          items: [
            { at: '2024-01-01T00:00:00Z', health: 'healthy', reasons: [] },
          ],
        }),
      );
    const client = new ShipyardClient({ discoveryApi, fetchApi: { fetch } });
    const key = { managementCluster: 'mc', namespace: 'ns', name: 'a' };
    await expect(client.getClusterHistory(key)).resolves.toEqual({ items: [] });
    await expect(client.getClusterHistory(key)).resolves.toEqual({
      items: [{ at: '2024-01-01T00:00:00Z', health: 'healthy', reasons: [] }],
    });
    expect(fetch).toHaveBeenLastCalledWith(
      `${baseUrl}/clusters/mc/ns/a/history`,
      expect.anything(),
    );
  });

  it('streams change events to every subscriber over one connection, and reconnects', async () => {
    const first = streamResponse();
    const second = streamResponse();
    const fetch = jest
      .fn()
      .mockResolvedValueOnce(first.response)
      .mockResolvedValueOnce(second.response);
    const client = new ShipyardClient({
      discoveryApi,
      fetchApi: { fetch },
      reconnectDelayMs: 5,
    });
    const events: FleetChangeEvent[] = [];
    const states: FleetStreamState[] = [];
    const hellos: number[] = [];
    const a = client.subscribe({
      onChange: e => events.push(e),
      onState: s => states.push(s),
      onHello: r => hellos.push(r),
    });
    const b = client.subscribe({ onChange: () => {} });
    await new Promise(r => setTimeout(r, 0));
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch.mock.calls[0][0]).toBe(`${baseUrl}/events`);

    first.push('event: hello\ndata: {"revision":3}\n\n');
    first.push(
      'id: 4\nevent: change\ndata: {"revision":4,"changes":[{"managementCluster":"mc","namespace":"ns","name":"a","type":"upserted","entityChanged":false}]}\n\n',
    );
    await new Promise(r => setTimeout(r, 0));
    expect(hellos).toEqual([3]);
    expect(events).toHaveLength(1);
    expect(events[0].revision).toBe(4);

    first.end();
    await new Promise(r => setTimeout(r, 30));
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch.mock.calls[1][1].headers['Last-Event-ID']).toBe('4');
    expect(states).toContain('reconnecting');

    a.unsubscribe();
    b.unsubscribe();
    const signal: AbortSignal = fetch.mock.calls[1][1].signal;
    expect(signal.aborted).toBe(true);
  });
});
