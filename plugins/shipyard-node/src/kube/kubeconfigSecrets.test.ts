import http from 'node:http';
import { AddressInfo } from 'node:net';
import { KubeCredentials } from './credentials';
import { KubeClient } from './KubeClient';
import { KubeconfigError } from './kubeconfig';
import {
  listKubeconfigSecrets,
  readKubeconfigSecret,
} from './kubeconfigSecrets';

const kubeconfig = (server: string) =>
  Buffer.from(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server } }],
      users: [{ name: 'u', user: { token: 'secret-token' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  ).toString('base64');

const secret = (
  name: string,
  clusterName: string | undefined,
  data?: Record<string, string>,
) => ({
  metadata: {
    name,
    namespace: 'team-a',
    labels: clusterName ? { 'cluster.x-k8s.io/cluster-name': clusterName } : {},
  },
  data,
});

describe('the kubeconfig Secret reader', () => {
  let server: http.Server;
  let client: KubeClient;
  const seen: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      res.setHeader('content-type', 'application/json');
      if (url.pathname === '/api/v1/namespaces/team-a/secrets') {
        res.end(
          JSON.stringify({
            metadata: {},
            items: [
              secret('good-kubeconfig', 'good', {
                value: kubeconfig('https://good:6443'),
              }),
              secret('empty-kubeconfig', 'empty', {}),
              secret('broken-kubeconfig', 'broken', {
                value: Buffer.from('{ not: [yaml').toString('base64'),
              }),
              secret('good-ca', 'good', { value: kubeconfig('https://x') }),
            ],
          }),
        );
      } else if (url.pathname === '/api/v1/namespaces/inv/secrets/access') {
        res.end(
          JSON.stringify(
            secret('access', undefined, { config: kubeconfig('https://inv') }),
          ),
        );
      } else {
        res.statusCode = 404;
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
          }),
        );
      }
    });
    await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
    client = new KubeClient(
      new KubeCredentials(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        { token: 'mc' },
      ),
      { requestTimeoutMs: 5000 },
    );
  });
  afterAll(async () => {
    client.close();
    await new Promise(r => server.close(r));
  });

  it('lists the Cluster API kubeconfig Secrets of a namespace by label: credentials, or why a kubeconfig cannot be used', async () => {
    const read = await listKubeconfigSecrets(client, 'team-a');
    expect(seen.at(-1)).toContain(
      `labelSelector=${encodeURIComponent('cluster.x-k8s.io/cluster-name')}`,
    );
    expect([...read.keys()].sort()).toEqual(['broken', 'empty', 'good']);
    const good = read.get('good');
    expect(good).toBeInstanceOf(KubeCredentials);
    expect((good as KubeCredentials).server).toBe('https://good:6443');
    expect((good as KubeCredentials).options.token).toBe('secret-token');
    expect(read.get('empty')).toEqual(
      new KubeconfigError('Secret empty-kubeconfig has no key "value"'),
    );
    expect(read.get('broken')).toBeInstanceOf(KubeconfigError);
  });

  it('reads one named Secret under a given key, undefined when it does not exist', async () => {
    const found = await readKubeconfigSecret(client, {
      namespace: 'inv',
      name: 'access',
      key: 'config',
    });
    expect((found as KubeCredentials).server).toBe('https://inv');
    expect(
      await readKubeconfigSecret(client, {
        namespace: 'inv',
        name: 'access',
        key: 'value',
      }),
    ).toEqual(new KubeconfigError('Secret access has no key "value"'));
    expect(
      await readKubeconfigSecret(client, {
        namespace: 'inv',
        name: 'gone',
        key: 'value',
      }),
    ).toBeUndefined();
  });
});
