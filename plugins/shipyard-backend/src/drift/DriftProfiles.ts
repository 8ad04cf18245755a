import semver from 'semver';
import { LoggerService } from '@backstage/backend-plugin-api';
import { ProfileEntitySource } from '../profiles/CatalogProfileSource';
import { DriftStage } from './DriftStage';
import { DriftProfile, DriftProfileVersion, driftProfileOf } from './profiles';

/** The spec fields of a ClusterProfile that drift compares clusters with. */
export const DRIFT_PROFILE_FIELDS = [
  'version',
  'deprecated',
  'clusterClass',
  'kubernetes',
  'variables.pinned',
  'sizes',
  'layers',
  'previousVersions',
] as const;

/**
 * Keeps the drift stage's profiles in step with the catalog: reads the profiles now and then (a profile changes with
 * a commit and a catalog refresh, not per request) and hands them to the stage, which compares the clusters of every
 * profile that changed again. When the catalog cannot be read, the profiles read before stay in force.
 */
export class DriftProfiles {
  private timer?: ReturnType<typeof setInterval>;
  private running?: Promise<void>;
  private failingSince?: number;
  private warned = false;
  /** profile@version → the definition of each released version as first read (released versions are immutable). */
  private readonly released = new Map<string, DriftProfileVersion>();
  private readonly changedWarned = new Set<string>();

  constructor(
    private readonly options: {
      source: ProfileEntitySource;
      stage: DriftStage;
      logger: LoggerService;
      /** How often the profiles are read again (ms; default 30 s). */
      intervalMs?: number;
      /** How long the catalog may be unreadable before it is known (it starts with the backend) before a warning (ms; default 5 min). */
      startupGraceMs?: number;
      now?: () => number;
    },
  ) {}

  /** Reads the profiles once now and then every interval. */
  start(): void {
    this.refresh().catch(() => {});
    this.timer = setInterval(
      () => this.refresh().catch(() => {}),
      this.options.intervalMs ?? 30_000,
    );
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads the profiles and hands them to the stage; returns the number of clusters compared again. */
  async refresh(): Promise<number> {
    let passed = 0;
    this.running ??= (async () => {
      try {
        const entities = await this.options.source.listProfiles();
        const profiles: DriftProfile[] = [];
        for (const entity of entities) {
          const profile = driftProfileOf(entity.metadata?.name, entity.spec);
          if (profile) profiles.push(this.keepReleased(profile));
        }
        passed = this.options.stage.setProfiles(profiles);
        this.failingSince = undefined;
        this.warned = false;
      } catch (error) {
        this.failed(error);
      }
    })().finally(() => {
      this.running = undefined;
    });
    await this.running;
    return passed;
  }

  /**
   * A failed read: warned once per streak of failures; while no profiles were ever read (the catalog starts with the
   * backend), only after a grace period.
   */
  private failed(error: unknown) {
    const now = (this.options.now ?? Date.now)();
    this.failingSince ??= now;
    const known = this.options.stage.hasProfiles;
    const message = `Shipyard: reading cluster profiles for drift failed, ${
      known
        ? 'the profiles read before stay in force'
        : 'clusters keep the drift they had'
    }: ${error}`;
    if (
      !this.warned &&
      (known ||
        now - this.failingSince >= (this.options.startupGraceMs ?? 300_000))
    ) {
      this.warned = true;
      this.options.logger.warn(message);
    } else {
      this.options.logger.debug(message);
    }
  }

  /**
   * A released version (not a pre-release) is immutable: when the catalog later says something else about it, the
   * definition first read stays in force and the change is reported once (a change belongs in a new version).
   */
  private keepReleased(profile: DriftProfile): DriftProfile {
    let changed = false;
    const versions = new Map(profile.versions);
    for (const [version, definition] of profile.versions) {
      if (semver.valid(version) && semver.prerelease(version)) continue;
      const id = `${profile.name}@${version}`;
      const first = this.released.get(id);
      if (!first) {
        this.released.set(id, definition);
        continue;
      }
      if (JSON.stringify(first) === JSON.stringify(definition)) continue;
      versions.set(version, first);
      changed = true;
      if (!this.changedWarned.has(id)) {
        this.changedWarned.add(id);
        this.options.logger.warn(
          `Shipyard: released version ${version} of cluster profile ${profile.name} was changed in the catalog; released versions are immutable, drift keeps comparing with the version as released (publish the change as a new version)`,
        );
      }
    }
    if (!changed) return profile;
    return {
      ...profile,
      versions,
      fingerprint: JSON.stringify([
        ...versions.values(),
        profile.latestReleased,
      ]),
    };
  }
}
