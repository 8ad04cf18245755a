import {
  ClusterVersionSupport,
  HealthReason,
  LABEL_EXTENDED_SUPPORT,
  RefreshedVersionSupport,
  VersionSupportCalendar,
  VersionSupportData,
  daysUntil,
} from '@shipyard/plugin-shipyard-common';
import { VersionSupportConfig } from './config';

/** What the evaluation needs of the configuration. */
export type VersionLifecycleConfig = Pick<
  VersionSupportConfig,
  'nearingEndOfLifeDays' | 'overrides' | 'extendedSupport'
>;

/** What the evaluation of a cluster's version support looks at (fields of a cluster summary). */
export interface LifecycleSubject {
  distribution?: string;
  /** The version the workload cluster reports (wins when present). */
  observedKubernetesVersion?: string;
  /** The desired version of the spec. */
  kubernetesVersion?: string;
  kubernetesMinor?: string;
  labels?: Record<string, string>;
}

/**
 * The version lifecycle of the fleet: the support calendars in force (the data file, refreshed calendars, configured
 * overrides) and their evaluation for a cluster at a time. Answers are computed when asked, from dates; a change of
 * the calendars (a refresh) is announced to subscribers so that derived views re-evaluate at once.
 */
export class VersionLifecycle {
  private current: VersionSupportCalendar;
  private refreshed: RefreshedVersionSupport[] = [];
  private refreshedKey = '[]';
  private readonly listeners = new Set<() => void>();
  private readonly readAt: string;
  private gen = 0;
  readonly now: () => number;

  constructor(
    private readonly options: {
      config: VersionLifecycleConfig;
      now?: () => number;
      /** The data file (default: the one shipped in -common). */
      data?: VersionSupportData;
    },
  ) {
    this.now = options.now ?? Date.now;
    this.readAt = new Date(this.now()).toISOString();
    this.current = this.build();
  }

  /** Bumped whenever the calendars in force change (for caches of derived answers). */
  get generation(): number {
    return this.gen;
  }

  /** The calendars in force. */
  get calendar(): VersionSupportCalendar {
    return this.current;
  }

  get config(): VersionLifecycleConfig {
    return this.options.config;
  }

  /** The refreshed calendars in use. */
  get refreshedCalendars(): readonly RefreshedVersionSupport[] {
    return this.refreshed;
  }

  /** Replaces the refreshed calendars. Returns whether anything changed (subscribers are told then). */
  setRefreshed(refreshed: RefreshedVersionSupport[]): boolean {
    const key = JSON.stringify(refreshed);
    if (key === this.refreshedKey) return false;
    this.refreshed = refreshed;
    this.refreshedKey = key;
    this.current = this.build();
    this.gen++;
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a failing listener must not affect others
      }
    }
    return true;
  }

  /** Subscribes to changes of the calendars. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Whether a cluster counts as enrolled in extended support: its label, else the distribution's setting. */
  extendedSupportOf(subject: LifecycleSubject): boolean | undefined {
    const label = subject.labels?.[LABEL_EXTENDED_SUPPORT];
    if (label === 'true') return true;
    if (label === 'false') return false;
    return subject.distribution
      ? this.options.config.extendedSupport[subject.distribution]
      : undefined;
  }

  /** The support of a cluster's Kubernetes version: the observed one when the cluster told it, else the desired. */
  evaluate(
    subject: LifecycleSubject,
    now: number = this.now(),
  ): ClusterVersionSupport {
    const version =
      subject.observedKubernetesVersion ??
      subject.kubernetesVersion ??
      subject.kubernetesMinor;
    const extendedSupport = this.extendedSupportOf(subject);
    return this.current.evaluate(
      {
        distribution: subject.distribution,
        version,
        ...(extendedSupport === undefined ? {} : { extendedSupport }),
      },
      now,
    );
  }

  /**
   * Health reasons of a version support answer (they never change the health status): `VersionEndOfLife` (warning)
   * past all support, `VersionExtendedSupport` (info) in extended support, `VersionNearingEndOfLife` (info) when free
   * support ends within `nearingEndOfLifeDays`. Messages name dates, not day counts, so they change only at boundaries.
   */
  reasons(
    vs: ClusterVersionSupport,
    source: HealthReason['source'],
    now: number = this.now(),
  ): HealthReason[] {
    if (!vs.minor) return [];
    const subject = `Kubernetes ${vs.minor}${this.onDistribution(vs)}`;
    const reasons: HealthReason[] = [];
    if (vs.status === 'end-of-life') {
      reasons.push({
        source,
        severity: 'warning',
        type: 'VersionEndOfLife',
        message: vs.endOfLife
          ? `${subject} reached its end of life on ${vs.endOfLife}`
          : `${subject} is past its end of life`,
      });
      return reasons;
    }
    if (vs.status === 'extended') {
      reasons.push({
        source,
        severity: 'info',
        type: 'VersionExtendedSupport',
        message: `${subject} is in extended support until ${
          vs.endOfExtendedSupport
        }${vs.extendedSupportCharged ? ' (charged)' : ''}`,
      });
    }
    const next = vs.nextBoundary;
    if (
      next &&
      (next.status === 'extended' || next.status === 'end-of-life') &&
      daysUntil(next.date, now) <= this.options.config.nearingEndOfLifeDays
    ) {
      reasons.push({
        source,
        severity: 'info',
        type: 'VersionNearingEndOfLife',
        message:
          next.status === 'extended'
            ? `${subject} leaves standard support after ${
                vs.endOfStandardSupport
              }; extended support${
                vs.extendedSupportCharged ? ' (charged)' : ''
              } runs until ${vs.endOfExtendedSupport}`
            : `${subject} reaches its end of life on ${vs.endOfLife}`,
      });
    }
    return reasons;
  }

  /**
   * When an answer's reasons change next (ms since the epoch): its next boundary, or the first day of the nearing
   * window before it. Undefined when nothing changes.
   */
  nextChangeAt(
    vs: ClusterVersionSupport,
    now: number = this.now(),
  ): number | undefined {
    const next = vs.nextBoundary;
    if (!next) return undefined;
    const at = Date.parse(`${next.date}T00:00:00Z`);
    const windowStart =
      at - this.options.config.nearingEndOfLifeDays * 86_400_000;
    return windowStart > now ? windowStart : at;
  }

  private onDistribution(vs: ClusterVersionSupport): string {
    const name = vs.distribution ?? vs.calendar;
    if (!name || name === 'upstream') return '';
    return ` on ${this.current.titleOf(name)}`;
  }

  private build(): VersionSupportCalendar {
    return new VersionSupportCalendar({
      data: this.options.data,
      refreshed: this.refreshed,
      overrides: this.options.config.overrides,
      overrideSource: 'app-config shipyard.versionSupport.overrides',
      overridesReadAt: this.readAt,
    });
  }
}
