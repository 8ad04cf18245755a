import http from 'node:http';
import { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { readBody } from './transport';

setFlagsFromString('--expose-gc');
const gc: () => void = runInNewContext('gc');

describe('readBody', () => {
  let server: http.Server;
  let url: string;
  const page = 'x'.repeat(2 * 1024 * 1024);

  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(page);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise(resolve => server.close(resolve));
  });

  it('keeps nothing of a body once it has been read, while its response lives on (a keep-alive socket holds it)', async () => {
    const agent = new http.Agent({ keepAlive: true });
    const res = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http.get(url, { agent }, resolve).on('error', reject),
    );
    const chunks: WeakRef<Buffer>[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(new WeakRef(chunk)));
    const listenersBefore = res
      .eventNames()
      .map(name => [name, res.listenerCount(name)]);
    let reading: Promise<string> | undefined = readBody(res, {
      maxBytes: 10 * 1024 * 1024,
    });
    // the promise holds the text it resolved with
    const promise = new WeakRef(reading);
    expect((await reading).length).toBe(page.length);
    reading = undefined;
    expect(chunks.length).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) {
      await new Promise(resolve => setImmediate(resolve));
      gc();
    }
    const retained = chunks.filter(chunk => chunk.deref() !== undefined);
    expect(retained).toHaveLength(0);
    expect(promise.deref()).toBeUndefined();
    expect(
      res.eventNames().map(name => [name, res.listenerCount(name)]),
    ).toEqual(listenersBefore);
    agent.destroy();
  });
});
