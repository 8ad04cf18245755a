import { decodeProtobufBody, encodeProtobufBody } from './protobuf';
import { ApiError } from './errors';
import { startFleetSim, FleetSim } from '../sim/sim';
import { request, RequestOptions } from '../__testUtils__';

jest.setTimeout(30_000);

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

describe('protobuf request bodies', () => {
  it('decode Namespace, Secret, ConfigMap and ServiceAccount into the JSON objects they stand for', () => {
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'n', labels: { a: 'b' } },
        spec: { finalizers: ['kubernetes'] },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's', namespace: 'n', annotations: { x: 'y' } },
        data: { key: Buffer.from([0, 1, 255]).toString('base64'), empty: '' },
        stringData: { plain: 'text' },
        type: 'kubernetes.io/basic-auth',
        immutable: true,
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          generateName: 'cm-',
          namespace: 'n',
          ownerReferences: [
            {
              apiVersion: 'v1',
              kind: 'Namespace',
              name: 'n',
              uid: 'u-1',
              controller: false,
            },
          ],
          finalizers: ['f'],
        },
        data: { k: 'v', blank: '' },
        binaryData: { b: Buffer.from('bin').toString('base64') },
      },
      {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: {
          name: 'sa',
          namespace: 'n',
          creationTimestamp: '2026-01-02T03:04:05Z',
        },
        secrets: [{ name: 'token' }],
        imagePullSecrets: [{ name: 'pull' }],
        automountServiceAccountToken: false,
      },
    ];
    for (const obj of objects) {
      expect(decodeProtobufBody(encodeProtobufBody(obj))).toEqual(obj);
    }
  });

  it('refuse what is not a Kubernetes protobuf envelope (400) and kinds without a layout (415)', () => {
    const status = (body: Buffer) => {
      try {
        decodeProtobufBody(body);
      } catch (e) {
        return e instanceof ApiError ? e.code : -1;
      }
      return 0;
    };
    expect(status(Buffer.from('{"kind":"Namespace"}'))).toBe(400);
    expect(
      status(Buffer.concat([Buffer.from('k8s\0'), Buffer.from([0xff, 0xff])])),
    ).toBe(400);
    const pod = encodeProtobufBody({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'p' },
    });
    // the same envelope, claiming another kind
    const claimed = Buffer.from(
      pod.toString('latin1').replace('Namespace', 'Unhandled'),
      'latin1',
    );
    expect(status(claimed)).toBe(415);
  });
});

describe('protobuf requests over HTTP', () => {
  let sim: FleetSim;
  let base: string;
  let token: string;
  let ca: string;
  const call = (path: string, options: RequestOptions = {}) =>
    request(`${base}${path}`, { token, ca, ...options });

  beforeAll(async () => {
    sim = await startFleetSim({
      managementClusters: 1,
      clusters: 2,
      seed: 'protobuf',
      anomalies: false,
    });
    const m = sim.managementClusters[0];
    base = m.url;
    token = m.token;
    ca = Buffer.from(m.caData, 'base64').toString('utf8');
  });

  afterAll(async () => {
    await sim.stop();
  });

  it('create built-in objects from protobuf bodies and answer in JSON', async () => {
    const created = await call('/api/v1/namespaces', {
      method: 'POST',
      contentType: PROTOBUF,
      accept: `${PROTOBUF}, application/json`,
      body: encodeProtobufBody({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'from-protobuf' },
      }),
    });
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/json');
    expect(created.json().status.phase).toBe('Active');
    const secret = await call('/api/v1/namespaces/from-protobuf/secrets', {
      method: 'POST',
      contentType: PROTOBUF,
      body: encodeProtobufBody({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        stringData: { user: 'admin' },
      }),
    });
    expect(secret.status).toBe(201);
    expect(secret.json()).toMatchObject({
      type: 'Opaque',
      data: { user: Buffer.from('admin').toString('base64') },
    });
  });

  it('answer 415 with a Status for custom resources and kinds without a protobuf layout', async () => {
    const custom = await call(
      '/apis/cluster.x-k8s.io/v1beta2/namespaces/default/clusters',
      { method: 'POST', contentType: PROTOBUF, body: Buffer.from('k8s\0') },
    );
    expect(custom.status).toBe(415);
    expect(custom.json()).toMatchObject({
      kind: 'Status',
      reason: 'UnsupportedMediaType',
      code: 415,
    });
    const pod = await call('/api/v1/namespaces/default/pods', {
      method: 'POST',
      contentType: PROTOBUF,
      body: Buffer.from('k8s\0'),
    });
    expect(pod.status).toBe(415);
    const garbage = await call('/api/v1/namespaces', {
      method: 'POST',
      contentType: PROTOBUF,
      body: Buffer.from('not protobuf'),
    });
    expect(garbage.status).toBe(400);
    expect(garbage.json().kind).toBe('Status');
  });
});
