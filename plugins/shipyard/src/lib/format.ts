/** `group:default/team-a` → `team-a`; other refs keep their kind unless it is the default. */
export function shortRef(
  ref: string | undefined,
  defaultKind = 'group',
): string {
  if (!ref) return '';
  const m = /^(?:([^:]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref);
  if (!m) return ref;
  const [, kind, namespace, name] = m;
  const prefix =
    kind && kind.toLocaleLowerCase('en-US') !== defaultKind ? `${kind}:` : '';
  const ns = namespace && namespace !== 'default' ? `${namespace}/` : '';
  return `${prefix}${ns}${name}`;
}

/** `2d 4h` style age of an ISO time, relative to now. */
export function formatAge(iso: string | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  let s = Math.max(0, Math.floor((now - t) / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** Locale date-time of an ISO time. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t).toLocaleString();
}

/** `3/3` ready of desired replicas. */
export function formatReplicas(r?: {
  ready?: number;
  desired?: number;
  current?: number;
}): string {
  if (!r) return '—';
  const desired = r.desired ?? r.current;
  if (r.ready === undefined && desired === undefined) return '—';
  return `${r.ready ?? 0}/${desired ?? '?'}`;
}
