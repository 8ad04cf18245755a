/*
 * Reading a support calendar in the endoflife.date v1 product format (`GET /api/v1/products/{product}`):
 * `{ schema_version, result: { name, releases: [{ name, releaseDate, isLts, eoasFrom, eolFrom, eoesFrom, … }] } }`.
 * The `is…` flags of the format are the source's view on the day it answered; they are ignored here, because a status
 * is always computed from the dates on the day it is asked for.
 */
import {
  VersionSupportRecord,
  kubernetesMinorFor,
  versionSupportRecordSchema,
} from '@shipyard/plugin-shipyard-common';
import { z } from 'zod';

const dateOrFlag = z.union([z.string(), z.boolean(), z.null()]).optional();

const releaseSchema = z
  .object({
    name: z.string().min(1).max(64),
    releaseDate: dateOrFlag,
    isLts: z.boolean().nullish(),
    eoasFrom: dateOrFlag,
    eolFrom: dateOrFlag,
    eoesFrom: dateOrFlag,
  })
  .passthrough();

/** Schema of an endoflife.date v1 product response (the fields Shipyard reads; others pass). */
export const endOfLifeProductSchema = z
  .object({
    schema_version: z.string().regex(/^1\./, 'must be a 1.x schema version'),
    result: z
      .object({
        name: z.string().min(1),
        releases: z.array(releaseSchema).max(1000),
      })
      .passthrough(),
  })
  .passthrough();

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function dayOf(v: unknown): string | undefined {
  return typeof v === 'string' && DAY.test(v) ? v : undefined;
}

/** The records of a product response, and what could not be read. */
export interface ParsedEndOfLifeProduct {
  product: string;
  records: VersionSupportRecord[];
  /** Releases skipped (not a minor, or dates out of order), with why. */
  skipped: string[];
}

/**
 * Maps an endoflife.date v1 product to support records of one distribution: `releaseDate`, `eoasFrom` (end of active
 * support) → `maintenanceFrom`, `eolFrom` → `endOfStandardSupport`, `eoesFrom` → `endOfExtendedSupport`, `isLts` →
 * `lts`. Release names are Kubernetes minors (`1.33`), or OpenShift versions (`4.16`) with the `openshift` scheme.
 * Throws an `Error` naming the first problem when the document is not in that format.
 */
export function parseEndOfLifeProduct(
  body: unknown,
  options: {
    distribution: string;
    source: string;
    fetchedAt: string;
    scheme?: 'kubernetes' | 'openshift';
    extendedSupportCharged?: boolean;
  },
): ParsedEndOfLifeProduct {
  const parsed = endOfLifeProductSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `not an endoflife.date v1 product: ${issue.path.join('.') || '(root)'} ${
        issue.message
      }`,
    );
  }
  const records: VersionSupportRecord[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const release of parsed.data.result.releases) {
    const scheme = options.scheme ?? 'kubernetes';
    if (!/^v?\d+\.\d+$/.test(release.name)) {
      skipped.push(`${release.name}: not a minor`);
      continue;
    }
    const minor = kubernetesMinorFor(release.name, scheme);
    if (!minor || seen.has(minor)) {
      skipped.push(`${release.name}: not a minor, or a duplicate`);
      continue;
    }
    const record: VersionSupportRecord = {
      distribution: options.distribution,
      minor,
      source: options.source,
      fetchedAt: options.fetchedAt,
    };
    if (scheme === 'openshift') record.productVersion = release.name;
    const releaseDate = dayOf(release.releaseDate);
    const eoas = dayOf(release.eoasFrom);
    const eol = dayOf(release.eolFrom);
    const eoes = dayOf(release.eoesFrom);
    if (releaseDate) record.releaseDate = releaseDate;
    if (eoas && (!eol || eoas <= eol)) record.maintenanceFrom = eoas;
    if (eol) record.endOfStandardSupport = eol;
    if (eoes && (!eol || eoes >= eol)) record.endOfExtendedSupport = eoes;
    if (
      record.endOfExtendedSupport &&
      options.extendedSupportCharged !== undefined
    )
      record.extendedSupportCharged = options.extendedSupportCharged;
    if (release.isLts) record.lts = true;
    const valid = versionSupportRecordSchema.safeParse(record);
    if (!valid.success) {
      const issue = valid.error.issues[0];
      skipped.push(`${release.name}: ${issue.path.join('.')} ${issue.message}`);
      continue;
    }
    seen.add(minor);
    records.push(record);
  }
  return { product: parsed.data.result.name, records, skipped };
}
