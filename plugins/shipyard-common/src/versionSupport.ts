/*
 * Kubernetes version support: upstream minor releases with their release and end-of-life dates, and the evaluation
 * of a cluster's version against them. Deployments update or extend the table through configuration
 * (`shipyard.health.versionSupport`), so a new release does not need a new build.
 */

/** Support status of a Kubernetes minor release on a given day. */
export type VersionSupportStatus =
  | 'supported'
  | 'nearing-end-of-life'
  | 'end-of-life'
  | 'unknown';

/** Every version support status, from best to worst, then `unknown`. */
export const VERSION_SUPPORT_STATUSES: readonly VersionSupportStatus[] = [
  'supported',
  'nearing-end-of-life',
  'end-of-life',
  'unknown',
];

/** One Kubernetes minor release. */
export interface KubernetesRelease {
  /** `1.31` */
  minor: string;
  /** ISO date (`YYYY-MM-DD`) of the `.0` release. */
  releaseDate?: string;
  /** ISO date (`YYYY-MM-DD`) after which the release gets no more patches. */
  endOfLife: string;
  /** True while the dates are the planned ones rather than published facts. */
  estimated?: boolean;
}

/**
 * Upstream Kubernetes minor releases with their end-of-life dates (kubernetes.io/releases). Managed distributions
 * (EKS extended support, OpenShift, …) may differ; configure per-distribution overrides for them.
 */
export const KUBERNETES_RELEASES: readonly KubernetesRelease[] = [
  { minor: '1.19', releaseDate: '2020-08-26', endOfLife: '2021-10-28' },
  { minor: '1.20', releaseDate: '2020-12-08', endOfLife: '2022-02-28' },
  { minor: '1.21', releaseDate: '2021-04-08', endOfLife: '2022-06-28' },
  { minor: '1.22', releaseDate: '2021-08-04', endOfLife: '2022-10-28' },
  { minor: '1.23', releaseDate: '2021-12-07', endOfLife: '2023-02-28' },
  { minor: '1.24', releaseDate: '2022-05-03', endOfLife: '2023-07-28' },
  { minor: '1.25', releaseDate: '2022-08-23', endOfLife: '2023-10-28' },
  { minor: '1.26', releaseDate: '2022-12-09', endOfLife: '2024-02-28' },
  { minor: '1.27', releaseDate: '2023-04-11', endOfLife: '2024-06-28' },
  { minor: '1.28', releaseDate: '2023-08-15', endOfLife: '2024-10-28' },
  { minor: '1.29', releaseDate: '2023-12-13', endOfLife: '2025-02-28' },
  { minor: '1.30', releaseDate: '2024-04-17', endOfLife: '2025-06-28' },
  { minor: '1.31', releaseDate: '2024-08-13', endOfLife: '2025-10-28' },
  { minor: '1.32', releaseDate: '2024-12-11', endOfLife: '2026-02-28' },
  { minor: '1.33', releaseDate: '2025-04-23', endOfLife: '2026-06-28' },
  { minor: '1.34', releaseDate: '2025-08-27', endOfLife: '2026-10-27' },
  { minor: '1.35', releaseDate: '2025-12-17', endOfLife: '2027-02-28' },
  {
    minor: '1.36',
    releaseDate: '2026-04-22',
    endOfLife: '2027-06-28',
    estimated: true,
  },
];

/** Default number of days before end of life during which a release is `nearing-end-of-life`. */
export const DEFAULT_NEARING_END_OF_LIFE_DAYS = 90;

/** Version support of one cluster. */
export interface ClusterVersionSupport {
  status: VersionSupportStatus;
  /** The Kubernetes minor evaluated (`1.31`), from the workload cluster when probed, else from the spec. */
  minor?: string;
  /** ISO date of the end of life of that minor, when known. */
  endOfLife?: string;
}

/** Options of {@link evaluateVersionSupport}. */
export interface VersionSupportOptions {
  /** The release table (default {@link KUBERNETES_RELEASES}). */
  releases?: readonly KubernetesRelease[];
  /** Per-distribution end-of-life dates by minor (`{ eks: { '1.29': '2026-03-23' } }`); they win over the table. */
  distributionEndOfLife?: Record<string, Record<string, string>>;
  /** Days before end of life that count as nearing it (default {@link DEFAULT_NEARING_END_OF_LIFE_DAYS}). */
  nearingEndOfLifeDays?: number;
  /** Today (default: now). */
  now?: Date;
}

/** Parses a minor (`1.31`, `v1.31.2`) into numbers. */
function minorParts(minor: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(minor);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Compares two Kubernetes minors numerically (`1.9` < `1.10`); unparsable ones sort first. */
export function compareKubernetesMinors(a: string, b: string): number {
  const pa = minorParts(a);
  const pb = minorParts(b);
  if (!pa || !pb) return (pa ? 1 : 0) - (pb ? 1 : 0);
  return pa[0] - pb[0] || pa[1] - pb[1];
}

/** Merges release overrides (minor → end-of-life date) into a release table. */
export function withReleaseOverrides(
  releases: readonly KubernetesRelease[],
  overrides: Record<string, string>,
): KubernetesRelease[] {
  const byMinor = new Map(releases.map(r => [r.minor, { ...r }]));
  for (const [minor, endOfLife] of Object.entries(overrides)) {
    const existing = byMinor.get(minor);
    if (existing) {
      existing.endOfLife = endOfLife;
      delete existing.estimated;
    } else {
      byMinor.set(minor, { minor, endOfLife });
    }
  }
  return [...byMinor.values()].sort((a, b) =>
    compareKubernetesMinors(a.minor, b.minor),
  );
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Support status of a Kubernetes minor on a day: `end-of-life` after its end-of-life date, `nearing-end-of-life`
 * within the window before it, else `supported`. A minor newer than every minor in the table is `supported`; one
 * older than every minor is `end-of-life`; an unparsable one is `unknown`.
 */
export function evaluateVersionSupport(
  minor: string | undefined,
  options: VersionSupportOptions & { distribution?: string } = {},
): ClusterVersionSupport {
  if (!minor || !minorParts(minor)) return { status: 'unknown' };
  const parts = minorParts(minor)!;
  const normalized = `${parts[0]}.${parts[1]}`;
  const releases = options.releases ?? KUBERNETES_RELEASES;
  const now = (options.now ?? new Date()).getTime();
  const nearingDays =
    options.nearingEndOfLifeDays ?? DEFAULT_NEARING_END_OF_LIFE_DAYS;
  const distributionDate = options.distribution
    ? options.distributionEndOfLife?.[options.distribution]?.[normalized]
    : undefined;
  const endOfLife =
    distributionDate ?? releases.find(r => r.minor === normalized)?.endOfLife;
  if (!endOfLife) {
    if (releases.length === 0) return { status: 'unknown', minor: normalized };
    const newest = releases[releases.length - 1].minor;
    const oldest = releases[0].minor;
    if (compareKubernetesMinors(normalized, newest) > 0) {
      return { status: 'supported', minor: normalized };
    }
    if (compareKubernetesMinors(normalized, oldest) < 0) {
      return { status: 'end-of-life', minor: normalized };
    }
    return { status: 'unknown', minor: normalized };
  }
  // the end-of-life day itself still counts as supported
  const eol = Date.parse(`${endOfLife}T23:59:59.999Z`);
  let status: VersionSupportStatus;
  if (Number.isNaN(eol)) status = 'unknown';
  else if (now > eol) status = 'end-of-life';
  else if (now > eol - nearingDays * DAY_MS) status = 'nearing-end-of-life';
  else status = 'supported';
  return { status, minor: normalized, endOfLife };
}

/**
 * Version skew between a control plane and its kubelets, by the upstream policy: kubelets may be up to three minors
 * older than the API server (two before 1.28) and never newer.
 */
export function kubeletSkew(
  controlPlaneMinor: string,
  kubeletMinor: string,
): { minorsBehind: number; supported: boolean } | undefined {
  const cp = minorParts(controlPlaneMinor);
  const k = minorParts(kubeletMinor);
  if (!cp || !k || cp[0] !== k[0]) return undefined;
  const minorsBehind = cp[1] - k[1];
  const allowed = cp[1] >= 28 ? 3 : 2;
  return {
    minorsBehind,
    supported: minorsBehind >= 0 && minorsBehind <= allowed,
  };
}
