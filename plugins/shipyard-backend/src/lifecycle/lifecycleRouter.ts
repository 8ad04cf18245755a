import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  BUNDLED_VERSION_SUPPORT,
  VersionSupportCalendarEntry,
  VersionSupportResponse,
  dayOf,
  daysUntil,
} from '@shipyard/plugin-shipyard-common';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { VersionLifecycle } from './VersionLifecycle';
import { VersionSupportRefresher } from './VersionSupportRefresher';

const querySchema = z
  .object({
    distribution: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a distribution name')
      .max(63)
      .optional(),
  })
  .strict();

/**
 * The support calendars in force with the status of every record on the day asked, where each came from (the data
 * file, a refreshed calendar with its URL and age, or configuration) and the state of the refresh sources.
 */
export async function describeVersionSupport(
  lifecycle: VersionLifecycle,
  refresher: VersionSupportRefresher | undefined,
  options: { distribution?: string } = {},
): Promise<VersionSupportResponse> {
  const now = lifecycle.now();
  const calendar = lifecycle.calendar;
  const distributions: VersionSupportCalendarEntry[] = [];
  for (const info of calendar.distributions()) {
    if (options.distribution && info.name !== options.distribution) continue;
    const entry: VersionSupportCalendarEntry = { ...info, records: [] };
    if (info.refreshedAt) {
      entry.ageSeconds = Math.max(
        0,
        Math.round((now - Date.parse(info.refreshedAt)) / 1000),
      );
    }
    for (const record of calendar.records(info.name)) {
      const vs = lifecycle.evaluate(
        { distribution: info.name, kubernetesMinor: record.minor },
        now,
      );
      entry.records.push({
        ...record,
        status: vs.status,
        ...(vs.nextBoundary
          ? {
              nextBoundary: vs.nextBoundary,
              daysToNextBoundary: daysUntil(vs.nextBoundary.date, now),
            }
          : {}),
      });
    }
    distributions.push(entry);
  }
  return {
    evaluatedAt: new Date(now).toISOString(),
    dataFile: {
      schemaVersion: BUNDLED_VERSION_SUPPORT.schemaVersion,
      updatedAt: BUNDLED_VERSION_SUPPORT.updatedAt,
      ageDays: Math.max(
        0,
        Math.floor(
          (Date.parse(`${dayOf(now)}T00:00:00Z`) -
            Date.parse(`${BUNDLED_VERSION_SUPPORT.updatedAt}T00:00:00Z`)) /
            86_400_000,
        ),
      ),
    },
    nearingEndOfLifeDays: lifecycle.config.nearingEndOfLifeDays,
    refresh: {
      enabled: refresher?.enabled ?? false,
      sources: (await refresher?.status()) ?? [],
    },
    distributions,
  };
}

/** `GET /version-support`: the support calendars in force and where they come from. */
export function createLifecycleRouter(options: {
  lifecycle: VersionLifecycle;
  refresher?: VersionSupportRefresher;
  httpAuth: HttpAuthService;
}): express.Router {
  const router = Router();
  router.get('/version-support', async (req, res) => {
    await options.httpAuth.credentials(req, { allow: ['user', 'service'] });
    const parsed = querySchema.safeParse(req.query);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InputError(
        issue.code === 'unrecognized_keys'
          ? `unknown query parameter "${issue.keys[0]}"`
          : `Invalid query parameter ${issue.path[0]}: ${issue.message}`,
      );
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.json(
      await describeVersionSupport(
        options.lifecycle,
        options.refresher,
        parsed.data,
      ),
    );
  });
  return router;
}
