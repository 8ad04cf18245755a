import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';

/** A minimal scaffolder action context: a temporary workspace, recorded outputs and a checkpoint store. */
export function mockActionContext<I>(
  input: I,
  checkpoints: Map<string, unknown> = new Map(),
) {
  const outputs: Record<string, unknown> = {};
  const workspacePath = fs.mkdtempSync(
    path.join(os.tmpdir(), 'shipyard-action-'),
  );
  const ctx = {
    input,
    logger: mockServices.logger.mock(),
    workspacePath,
    task: { id: 'task-1' },
    user: { ref: 'user:default/alice' },
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    getInitiatorCredentials: async () =>
      mockCredentials.user('user:default/alice'),
    createTemporaryDirectory: async () =>
      fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-tmp-')),
    async checkpoint<T>(opts: {
      key: string;
      fn: () => Promise<T> | T;
    }): Promise<T> {
      if (checkpoints.has(opts.key)) return checkpoints.get(opts.key) as T;
      const value = await opts.fn();
      checkpoints.set(opts.key, value ?? {});
      return value;
    },
  };
  return {
    ctx: ctx as any,
    outputs,
    checkpoints,
    cleanup: () => fs.rmSync(workspacePath, { recursive: true, force: true }),
  };
}
