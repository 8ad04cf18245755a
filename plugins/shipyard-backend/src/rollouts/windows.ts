/*
 * Weekly maintenance windows in a time zone (luxon does the zone arithmetic, daylight saving included): whether a
 * cluster may start an upgrade now, and when its next window opens.
 */
import { DateTime } from 'luxon';
import type { MaintenanceWindow, Weekday } from './model';

const WEEKDAY_NUMBER: Record<Weekday, number> = {
  mon: 1,
  tue: 2,
  wed: 3,
  thu: 4,
  fri: 5,
  sat: 6,
  sun: 7,
};

/** The windows that apply to a cluster: those without owner/profile, and those naming its owner or profile. */
export function windowsFor(
  windows: readonly MaintenanceWindow[] | undefined,
  cluster: { owner: string; profile?: string },
): MaintenanceWindow[] {
  return (windows ?? []).filter(w => {
    if (!w.owner && !w.profile) return true;
    if (w.owner?.includes(cluster.owner)) return true;
    return Boolean(cluster.profile && w.profile?.includes(cluster.profile));
  });
}

/** The openings of a window around `now` (the one that may still be open, this week's and next week's). */
function openings(
  w: MaintenanceWindow,
  now: number,
): Array<{ from: number; to: number }> {
  const local = DateTime.fromMillis(now, { zone: w.timeZone });
  const [hour, minute] = w.start.split(':').map(Number);
  const out: Array<{ from: number; to: number }> = [];
  const monday = local.startOf('week');
  for (let week = -1; week <= 1; week++) {
    for (const day of w.days) {
      const start = monday
        .plus({ weeks: week, days: WEEKDAY_NUMBER[day] - 1 })
        .set({ hour, minute, second: 0, millisecond: 0 });
      const from = start.toMillis();
      out.push({ from, to: from + w.durationMinutes * 60_000 });
    }
  }
  return out;
}

/**
 * Whether a time lies in one of the windows (no windows: always), and otherwise when the next window opens; when
 * open, until when.
 */
export function windowState(
  windows: readonly MaintenanceWindow[],
  now: number,
): { open: boolean; until?: number; nextOpen?: number } {
  if (windows.length === 0) return { open: true };
  let until: number | undefined;
  let nextOpen: number | undefined;
  for (const w of windows) {
    for (const o of openings(w, now)) {
      if (o.from <= now && now < o.to) {
        until = Math.max(until ?? 0, o.to);
      } else if (
        o.from > now &&
        (nextOpen === undefined || o.from < nextOpen)
      ) {
        nextOpen = o.from;
      }
    }
  }
  if (until !== undefined) return { open: true, until };
  return { open: false, ...(nextOpen !== undefined ? { nextOpen } : {}) };
}
