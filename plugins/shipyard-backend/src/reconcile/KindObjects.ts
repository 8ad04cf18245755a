/**
 * The objects of one kind a reconciler holds: namespace → name → the name of the Cluster (in the same namespace) the
 * object is filed under, if any. Keyed by the strings the records already keep (no `ns/name` key per object: at
 * ~18 objects per cluster those keys and owner keys were the largest part of a management cluster's bookkeeping).
 */
export class KindObjects {
  private readonly byNamespace = new Map<
    string,
    Map<string, string | undefined>
  >();
  private count = 0;

  /** How many objects are held. */
  get size(): number {
    return this.count;
  }

  has(namespace: string, name: string): boolean {
    return this.byNamespace.get(namespace)?.has(name) ?? false;
  }

  /** The name of the Cluster the object is filed under (undefined: none, or not held). */
  clusterOf(namespace: string, name: string): string | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }

  /** The `ns/cluster-name` key of the Cluster the object is filed under, if any. */
  ownerKeyOf(namespace: string, name: string): string | undefined {
    const cluster = this.clusterOf(namespace, name);
    return cluster === undefined ? undefined : `${namespace}/${cluster}`;
  }

  set(namespace: string, name: string, clusterName: string | undefined): void {
    let names = this.byNamespace.get(namespace);
    if (!names) {
      names = new Map();
      this.byNamespace.set(namespace, names);
    }
    if (!names.has(name)) this.count++;
    names.set(name, clusterName);
  }

  delete(namespace: string, name: string): void {
    const names = this.byNamespace.get(namespace);
    if (!names?.delete(name)) return;
    this.count--;
    if (names.size === 0) this.byNamespace.delete(namespace);
  }

  /** Every object held, as namespace and name. */
  *keys(): IterableIterator<[namespace: string, name: string]> {
    for (const [namespace, names] of this.byNamespace) {
      for (const name of names.keys()) yield [namespace, name];
    }
  }
}

/**
 * Keeps an object that is a record of its own (a ControlPlane, a ClusterClass, a ClusterResourceSet) under its
 * `ns/name` key, filed under its own name; `record` undefined (the object deleted) removes it.
 */
export function keepOwnRecord<T>(
  records: Map<string, T>,
  objects: KindObjects,
  key: string,
  namespace: string,
  name: string,
  record: T | undefined,
): void {
  if (record === undefined) {
    records.delete(key);
    objects.delete(namespace, name);
  } else {
    records.set(key, record);
    objects.set(namespace, name, name);
  }
}
