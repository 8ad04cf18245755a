/**
 * Reading objects as the reconcilers do: metadata, labels, finalizers, conditions, owners, versions.
 */
import crypto from 'node:crypto';
import { KindRef } from '../capi/distributions';
import { asArray, asObject, isObject, JsonObject } from '../util/json';

export function meta(obj: JsonObject): JsonObject {
  const m = asObject(obj.metadata);
  if (m) return m;
  const created: JsonObject = {};
  obj.metadata = created;
  return created;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function labelsOf(obj: JsonObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(asObject(meta(obj).labels) ?? {}))
    if (typeof v === 'string') out[k] = v;
  return out;
}

export function finalizersOf(obj: JsonObject): string[] {
  const f = meta(obj).finalizers;
  return Array.isArray(f)
    ? f.filter((x): x is string => typeof x === 'string')
    : [];
}

export function condTrue(obj: JsonObject | undefined, type: string): boolean {
  for (const c of asArray(asObject(obj?.status)?.conditions) ?? []) {
    if (isObject(c) && c.type === type) return c.status === 'True';
  }
  return false;
}

export function num(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

export function creationMs(obj: JsonObject): number {
  const t = Date.parse(String(meta(obj).creationTimestamp ?? ''));
  return Number.isNaN(t) ? Date.now() : t;
}

export function ownerName(obj: JsonObject, kind: string): string | undefined {
  for (const r of asArray(meta(obj).ownerReferences) ?? []) {
    if (isObject(r) && r.kind === kind && typeof r.name === 'string')
      return r.name;
  }
  return undefined;
}

export function hashOf(value: unknown): string {
  const h = crypto.createHash('sha1').update(JSON.stringify(value)).digest();
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < 10; i++) out += alphabet[h[i] % alphabet.length];
  return out;
}

export function pick(
  labels: Record<string, string>,
  keys: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (labels[k] !== undefined) out[k] = labels[k];
  return out;
}

export function kindRefOf(ref: JsonObject | undefined): KindRef | undefined {
  if (!ref) return undefined;
  return {
    group: String(ref.apiGroup ?? String(ref.apiVersion ?? '').split('/')[0]),
    version: 'v1beta2',
    kind: String(ref.kind ?? ''),
  };
}

export function refTemplate(ref: JsonObject | undefined): {
  kind: KindRef;
  name: string;
} {
  return {
    kind: kindRefOf(ref) ?? {
      group: 'infrastructure.cluster.x-k8s.io',
      version: 'v1beta2',
      kind: 'DevMachineTemplate',
    },
    name: String(ref?.name ?? ''),
  };
}

export function compareVersions(a: string, b: string): number {
  const pa = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(a);
  const pb = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(b);
  if (!pa || !pb) return a.localeCompare(b);
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i] ?? 0) - Number(pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
