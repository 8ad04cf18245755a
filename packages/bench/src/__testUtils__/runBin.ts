import { spawn } from 'node:child_process';
import path from 'node:path';

/** Runs one of the package's commands (`bin/<name>`) as a child process; resolves with its exit code and output. */
export function runBin(
  name: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', name);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    let output = '';
    child.stdout.on('data', c => {
      output += c;
    });
    child.stderr.on('data', c => {
      output += c;
    });
    child.on('error', reject);
    child.on('close', code => resolve({ code, output }));
  });
}
