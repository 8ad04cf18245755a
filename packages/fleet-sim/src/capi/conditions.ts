/** Conditions (v1beta2 and deprecated v1beta1) and replica counts, as every Cluster API status carries them. */
import { ts } from './kinds';
import { JsonObject, JsonValue, asArray, isObject } from '../util/json';

export type CondStatus = 'True' | 'False' | 'Unknown';

export interface Cond {
  type: string;
  status: CondStatus;
  reason: string;
  message?: string;
}

/** Builds v1beta2 conditions, keeping lastTransitionTime of unchanged ones from `previous`. */
export function conditions(
  list: Cond[],
  at: number,
  generation: number | undefined,
  previous?: JsonValue,
): JsonObject[] {
  const old = new Map<string, JsonObject>();
  for (const c of asArray(previous) ?? []) {
    if (isObject(c) && typeof c.type === 'string') old.set(c.type, c);
  }
  return list.map(c => {
    const prev = old.get(c.type);
    const out: JsonObject = {
      type: c.type,
      status: c.status,
      reason: c.reason,
      message:
        c.status === 'True' && c.message === undefined ? '' : c.message ?? '',
    };
    out.lastTransitionTime =
      prev &&
      prev.status === c.status &&
      typeof prev.lastTransitionTime === 'string'
        ? prev.lastTransitionTime
        : ts(at);
    if (generation !== undefined) out.observedGeneration = generation;
    return out;
  });
}

/** Deprecated (v1beta1) conditions shown to v1beta1 readers. */
export function v1beta1Conditions(
  list: Array<{
    type: string;
    ok: boolean;
    reason?: string;
    severity?: string;
  }>,
  at: number,
  previous?: JsonValue,
): JsonObject[] {
  const old = new Map<string, JsonObject>();
  for (const c of asArray(previous) ?? []) {
    if (isObject(c) && typeof c.type === 'string') old.set(c.type, c);
  }
  return list.map(c => {
    const status = c.ok ? 'True' : 'False';
    const prev = old.get(c.type);
    const out: JsonObject = {
      type: c.type,
      status,
      lastTransitionTime:
        prev &&
        prev.status === status &&
        typeof prev.lastTransitionTime === 'string'
          ? prev.lastTransitionTime
          : ts(at),
    };
    if (!c.ok) {
      out.severity = c.severity ?? 'Warning';
      if (c.reason) out.reason = c.reason;
    }
    return out;
  });
}

export function yes(type: string, reason: string, message?: string): Cond {
  return { type, status: 'True', reason, message };
}

export function no(type: string, reason: string, message?: string): Cond {
  return { type, status: 'False', reason, message };
}

export function unknown(type: string, reason: string, message?: string): Cond {
  return { type, status: 'Unknown', reason, message };
}

export function check(
  type: string,
  ok: boolean,
  okReason: string,
  badReason: string,
  badMessage?: string,
  okMessage?: string,
): Cond {
  return ok ? yes(type, okReason, okMessage) : no(type, badReason, badMessage);
}

export interface Counts {
  desired: number;
  replicas: number;
  ready: number;
  available: number;
  upToDate: number;
}

export function counts(
  desired: number,
  replicas = desired,
  ready = replicas,
  available = ready,
  upToDate = replicas,
): Counts {
  return { desired, replicas, ready, available, upToDate };
}

export function addCounts(a: Counts, b: Counts): Counts {
  return {
    desired: a.desired + b.desired,
    replicas: a.replicas + b.replicas,
    ready: a.ready + b.ready,
    available: a.available + b.available,
    upToDate: a.upToDate + b.upToDate,
  };
}

export const ZERO: Counts = counts(0, 0, 0, 0, 0);
