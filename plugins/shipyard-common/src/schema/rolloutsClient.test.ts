import { DefaultApiClient } from './openapi';
import { RolloutsApiClient } from './rolloutsClient';

const base = 'http://backend.test/api/shipyard';

/** A client whose requests are recorded and answered by `answer`. */
function clientAnswering(
  answer: (url: string, init?: RequestInit) => [number, unknown],
  read?: ConstructorParameters<typeof RolloutsApiClient>[0]['read'],
) {
  const requests: Array<{
    method?: string;
    url: string;
    body?: unknown;
    auth?: string;
  }> = [];
  const api = new DefaultApiClient({
    discoveryApi: { getBaseUrl: async () => base },
    fetchApi: {
      fetch: async (input: any, init?: RequestInit) => {
        const url = String(input);
        const headers = (init?.headers ?? {}) as Record<string, string>;
        requests.push({
          method: init?.method,
          url,
          body: init?.body ? JSON.parse(String(init.body)) : undefined,
          auth: headers.Authorization,
        });
        const [status, body] = answer(url, init);
        return new Response(JSON.stringify(body), {
          status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    },
  });
  return { client: new RolloutsApiClient({ api, read }), requests };
}

describe('RolloutsApiClient', () => {
  it('answers the bodies of the rollout operations and sends what each takes', async () => {
    const rollout = { id: 'r-1', state: 'running' };
    const { client, requests } = clientAnswering(url =>
      url.endsWith('/rollouts?state=running')
        ? [200, { items: [rollout] }]
        : [200, rollout],
    );
    await expect(client.list({ state: 'running' })).resolves.toEqual([rollout]);
    await expect(client.get('r-1')).resolves.toEqual(rollout);
    await client.approve('r-1');
    await client.approve('r-1', 'production');
    await client.operate('r-1', 'pause');
    await client.operate('r-1', 'abort', 'INC-7', { token: 'tok' });
    expect(requests).toEqual([
      { method: 'GET', url: `${base}/rollouts?state=running` },
      { method: 'GET', url: `${base}/rollouts/r-1` },
      { method: 'POST', url: `${base}/rollouts/r-1/approve`, body: {} },
      {
        method: 'POST',
        url: `${base}/rollouts/r-1/approve`,
        body: { stage: 'production' },
      },
      { method: 'POST', url: `${base}/rollouts/r-1/pause`, body: {} },
      {
        method: 'POST',
        url: `${base}/rollouts/r-1/abort`,
        body: { reason: 'INC-7' },
        auth: 'Bearer tok',
      },
    ]);
  });

  it('turns a refusal into a ResponseError, or into what its reader makes of it', async () => {
    const refuse = () =>
      [403, { error: { name: 'NotAllowedError', message: 'no' } }] as [
        number,
        unknown,
      ];
    const spec = { name: 'x' } as any;
    await expect(clientAnswering(refuse).client.plan(spec)).rejects.toEqual(
      expect.objectContaining({ name: 'ResponseError', statusCode: 403 }),
    );
    const read = async (response: { status: number }): Promise<never> => {
      throw new Error(`refused with ${response.status}`);
    };
    await expect(
      clientAnswering(refuse, read).client.create(spec),
    ).rejects.toThrow('refused with 403');
  });
});
