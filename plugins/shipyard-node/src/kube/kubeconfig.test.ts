import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { parseKubeconfig, readKubeconfigFile } from './kubeconfig';

const kubeconfig = (user: string) => `
apiVersion: v1
kind: Config
current-context: c
clusters:
  - name: k
    cluster:
      server: https://10.0.0.1:6443/prefix
      certificate-authority-data: ${Buffer.from(
        '-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n',
      ).toString('base64')}
contexts:
  - name: c
    context: { cluster: k, user: u }
users:
  - name: u
    user: ${user}
`;

describe('kubeconfig parsing', () => {
  it('keeps server, CA and token or client certificate, and never prints them', () => {
    const creds = parseKubeconfig(kubeconfig('{ token: s3cr3t-token }'));
    expect(creds.server).toBe('https://10.0.0.1:6443/prefix');
    expect(creds.options.token).toBe('s3cr3t-token');
    expect(creds.options.ca).toContain('BEGIN CERTIFICATE');
    for (const text of [
      JSON.stringify({ creds }),
      `${creds}`,
      inspect(creds),
      inspect({ creds }),
    ]) {
      expect(text).not.toContain('s3cr3t');
      expect(text).not.toContain('BEGIN');
    }
    const cert = Buffer.from('CERT').toString('base64');
    expect(
      parseKubeconfig(
        kubeconfig(
          `{ client-certificate-data: ${cert}, client-key-data: ${cert} }`,
        ),
      ).options.cert,
    ).toBe('CERT');
  });

  it('rejects what it cannot use without quoting the document', () => {
    expect(() =>
      parseKubeconfig(kubeconfig('{ exec: { command: aws } }')),
    ).toThrow(/exec/);
    expect(() => parseKubeconfig(kubeconfig('{ username: x }'))).toThrow(
      /neither a token/,
    );
    expect(() => parseKubeconfig('{')).toThrow('kubeconfig is not valid YAML');
  });
});

describe('kubeconfig from a Secret', () => {
  it('reads no local file a document names', () => {
    const creds = parseKubeconfig(
      kubeconfig('{ token: inline, token-file: /etc/hostname }'),
    );
    expect(creds.options.token).toBe('inline');
    expect(() =>
      parseKubeconfig(kubeconfig('{ token-file: /etc/hostname }')),
    ).toThrow(/neither a token/);
    expect(() =>
      parseKubeconfig(
        kubeconfig(
          '{ client-certificate: /etc/hostname, client-key: /etc/hostname }',
        ),
      ),
    ).toThrow(/neither a token/);
  });
});

// the first file read loads client-node, a large module: seconds on a busy machine
jest.setTimeout(120_000);

describe('kubeconfig files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-kubeconfig-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, text);
    return file;
  }

  const file = (users: string, current = 'a') => `
apiVersion: v1
kind: Config
current-context: ${current}
clusters:
  - name: one
    cluster:
      server: https://one.example:6443/
      certificate-authority: ca.pem
      tls-server-name: api.one.example
  - name: two
    cluster:
      server: https://two.example:6443
      insecure-skip-tls-verify: true
contexts:
  - name: a
    context: { cluster: one, user: a }
  - name: b
    context: { cluster: two, user: b }
users:
${users}
`;

  it('reads the current context or the given one, files relative to the kubeconfig', async () => {
    await write('ca.pem', 'CA PEM');
    const kubeconfigFile = await write(
      'config',
      file(`  - name: a
    user: { token: token-a }
  - name: b
    user: { tokenFile: token-b.txt }`),
    );
    await write('token-b.txt', 'token-b\n');

    const a = await readKubeconfigFile(kubeconfigFile);
    expect(a.server).toBe('https://one.example:6443');
    expect(Buffer.from(a.caData ?? '', 'base64').toString()).toBe('CA PEM');
    expect(a.tlsServerName).toBe('api.one.example');
    expect(a.skipTLSVerify).toBe(false);
    expect(await a.getToken()).toBe('token-a');

    const b = await readKubeconfigFile(kubeconfigFile, 'b');
    expect(b.server).toBe('https://two.example:6443');
    expect(b.skipTLSVerify).toBe(true);
    expect(await b.getToken()).toBe('token-b');
    // a token file is read for every request: projected tokens rotate
    await write('token-b.txt', 'token-b2');
    expect(await b.getToken()).toBe('token-b2');

    await expect(readKubeconfigFile(kubeconfigFile, 'c')).rejects.toThrow(
      'has no context "c"',
    );
  });

  it('runs an exec credential plugin for the token', async () => {
    const plugin = await write(
      'plugin.js',
      `process.stdout.write(JSON.stringify({
        apiVersion: 'client.authentication.k8s.io/v1',
        kind: 'ExecCredential',
        status: { token: 'exec-' + process.env.SHIPYARD_TEST_SUFFIX },
      }));`,
    );
    const kubeconfigFile = await write(
      'exec-config',
      file(`  - name: a
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: ${JSON.stringify(process.execPath)}
        args: [${JSON.stringify(plugin)}]
        env: [{ name: SHIPYARD_TEST_SUFFIX, value: token }]`),
    );
    const endpoint = await readKubeconfigFile(kubeconfigFile);
    expect(await endpoint.getToken()).toBe('exec-token');
  });
});
