import { mockServices } from '@backstage/backend-test-utils';
import { ListClustersResponse } from '@shipyard/plugin-shipyard-common';
import { ShipyardApiClient } from './ShipyardApiClient';

const BASE_URL = 'http://shipyard.test/api/shipyard';

const PAGE: ListClustersResponse = {
  items: [],
  totalCount: 0,
  revision: 1,
};

/** An answer whose headers arrived and whose body never ends, whatever happens to the request's signal. */
function answerThatNeverEnds(): Response {
  return new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"items":['));
      },
    }),
    { status: 200, headers: { 'content-type': 'application/json' } },
  );
}

function clientWith(logger = mockServices.logger.mock()) {
  return new ShipyardApiClient({
    discovery: {
      getBaseUrl: async () => BASE_URL,
      getExternalBaseUrl: async () => BASE_URL,
    },
    auth: mockServices.auth(),
    pageSize: 500,
    timeoutMs: 200,
    retry: { attempts: 3, firstDelayMs: 10, maxDelayMs: 10 },
    logger,
  });
}

async function firstPage(client: ShipyardApiClient) {
  for await (const page of client.listClusterPages()) return page;
  return undefined;
}

/** Settles with `work`, or with 'still waiting' after `ms`. */
function within<T>(work: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    work,
    new Promise<'still waiting'>(resolve => {
      timer = setTimeout(() => resolve('still waiting'), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

describe('ShipyardApiClient', () => {
  afterEach(() => jest.restoreAllMocks());

  it('gives up a read whose body does not end by the request timeout, even when the body ignores the abort, and asks again', async () => {
    const fetchSpy = jest
      .spyOn(globalThis, 'fetch')
      .mockImplementationOnce(async () => answerThatNeverEnds())
      .mockImplementationOnce(async () => Response.json(PAGE));
    const logger = mockServices.logger.mock();

    const page = await within(firstPage(clientWith(logger)), 3_000);

    expect(page).toEqual(PAGE);
    expect(fetchSpy).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^Reading page 1 of the clusters failed \(try 1 of 3\), asking again in 10 ms: .*TimeoutError/,
      ),
    );
  });

  it('gives up a read whose answer never comes, even when the request ignores the abort', async () => {
    const fetchSpy = jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(() => new Promise<Response>(() => {}));

    const read = within(
      clientWith()
        .listManagementClusters()
        .then(
          () => 'answered',
          e => `failed: ${e}`,
        ),
      3_000,
    );

    await expect(read).resolves.toMatch(/^failed: TimeoutError/);
    expect(fetchSpy).toHaveBeenCalledTimes(3);
  });

  it('stops at once when its caller gives the read up', async () => {
    jest
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async () => answerThatNeverEnds());
    const controller = new AbortController();
    const client = clientWith();

    const read = within(
      client.listManagementClusters({ signal: controller.signal }).then(
        () => 'answered',
        e => `failed: ${e}`,
      ),
      3_000,
    );
    setTimeout(() => controller.abort(new Error('the sync was stopped')), 20);

    await expect(read).resolves.toBe('failed: Error: the sync was stopped');
  });
});
