import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from './cli';
import { eventually, kubectl, tempDir } from './__testUtils__';

describe('fleet-sim CLI', () => {
  it('parses its options', () => {
    const args = parseArgs([
      '--management',
      '2',
      '--clusters=12',
      '--seed',
      'demo',
      '--port',
      '0',
      '--kubeconfig',
      '/tmp/k',
      '--step-ms',
      '50',
      '--teams',
      'a,b',
      '--no-anomalies',
      '--admin-port',
      '0',
      '--state',
      '/tmp/s',
    ]);
    expect(args.options).toMatchObject({
      managementClusters: 2,
      clusters: 12,
      seed: 'demo',
      port: 0,
      kubeconfigPath: '/tmp/k',
      teams: ['a', 'b'],
      anomalies: false,
      adminPort: 0,
      timing: { stepMs: 50 },
    });
    expect(args.statePath).toBe('/tmp/s');
    expect(() => parseArgs(['--bogus'])).toThrow('unknown option --bogus');
    expect(() => parseArgs(['--clusters', '-1'])).toThrow(
      'non-negative integer',
    );
    expect(() => parseArgs(['--seed'])).toThrow('needs a value');
    expect(() => parseArgs(['--clusters=-1'])).toThrow('non-negative integer');
    expect(() => parseArgs(['--port', '8.5'])).toThrow('non-negative integer');
    expect(() => parseArgs(['--no-anomalies=yes'])).toThrow('takes no value');
    expect(() => parseArgs(['extra'])).toThrow('unknown option extra');
    expect(parseArgs(['-h']).help).toBe(true);
    expect(parseArgs([])).toEqual({
      options: {},
      statePath: undefined,
      load: undefined,
      help: false,
    });
  });

  it('serves a fleet, writes a kubeconfig with a context per management cluster, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const kubeconfig = path.join(dir, 'kubeconfig');
    const state = path.join(dir, 'state.json');
    const bin = path.resolve(__dirname, '..', 'bin', 'fleet-sim');
    const child = spawn(
      process.execPath,
      [
        bin,
        '--management',
        '2',
        '--clusters',
        '4',
        '--seed',
        'cli',
        '--port',
        '0',
        '--kubeconfig',
        kubeconfig,
        '--state',
        state,
      ],
      {
        env: { ...process.env, NODE_OPTIONS: '' },
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>(resolve =>
      child.on('exit', code => resolve(code)),
    );
    try {
      await eventually(() => out.includes('fleet-sim ready'), {
        timeoutMs: 40000,
        intervalMs: 100,
      });
      const contexts = await kubectl(
        ['config', 'get-contexts', '-o', 'name'],
        kubeconfig,
      );
      expect(contexts.stdout.trim().split('\n')).toEqual([
        'mgmt-eu-1',
        'mgmt-us-1',
      ]);
      const list = await kubectl(
        ['--context', 'mgmt-us-1', 'get', 'clusters', '-A', '-o', 'name'],
        kubeconfig,
      );
      expect(list.code).toBe(0);
      expect(list.stdout.trim().split('\n')).toHaveLength(2);
      const saved = JSON.parse(fs.readFileSync(state, 'utf8'));
      expect(
        saved.managementClusters.map((m: { name: string }) => m.name),
      ).toEqual(['mgmt-eu-1', 'mgmt-us-1']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('fleet-sim stopped');
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60000);
});
