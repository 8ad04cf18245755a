import { SimKube, SimKubeTarget } from '@shipyard/test-utils';

/** Reads a simulated cluster directly (ground truth for the tests, independent of the module). */
export function simGet(
  target: SimKubeTarget,
  path: string,
): Promise<{ status: number; body: any }> {
  return new SimKube(target).request('GET', path);
}

/** Names (`namespace/name`) of every CAPI Cluster of a simulated management cluster. */
export async function simClusterNames(
  target: SimKubeTarget,
): Promise<string[]> {
  return (await new SimKube(target).list('clusters'))
    .map((c: any) => `${c.metadata.namespace}/${c.metadata.name}`)
    .sort();
}
