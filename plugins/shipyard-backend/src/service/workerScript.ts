import { dirname } from 'node:path';

/**
 * How to start a worker thread's script of this package. The built package runs its `….cjs.js` as it is; under the
 * TypeScript sources (tests, `backstage-cli package start`) the thread first registers the Backstage CLI's node
 * transform, a development dependency there, which the backend's own registration does not reach (hooks are per
 * thread).
 */
export function workerScript(file: string): { script: string; eval: boolean } {
  if (!/\.[cm]?ts$/.test(file)) return { script: file, eval: false };
  const transform = `require.resolve('@backstage/cli/config/nodeTransform.cjs', { paths: [${JSON.stringify(
    dirname(file),
  )}] })`;
  return {
    eval: true,
    script: `require(${transform});\nrequire(${JSON.stringify(file)});\n`,
  };
}
