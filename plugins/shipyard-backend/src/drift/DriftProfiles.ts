import { LoggerService } from '@backstage/backend-plugin-api';
import { ProfileEntitySource } from '../profiles/CatalogProfileSource';
import { DriftStage } from './DriftStage';
import { DriftProfile, driftProfileOf } from './profiles';

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
          if (profile) profiles.push(profile);
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
}
