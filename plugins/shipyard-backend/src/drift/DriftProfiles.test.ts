import { mockServices } from '@backstage/backend-test-utils';
import { FleetIndex } from '../index/FleetIndex';
import { makeSummary } from '../__testUtils__/summaries';
import { DriftProfiles } from './DriftProfiles';
import { DriftStage } from './DriftStage';

describe('DriftProfiles', () => {
  it('hands the catalog profiles to the stage, keeps them when the catalog fails, and warns once per streak', async () => {
    let clock = 0;
    const index = new FleetIndex();
    const stage = new DriftStage({ next: index });
    const logger = mockServices.logger.mock();
    let fail = true;
    const profiles = new DriftProfiles({
      source: {
        listProfiles: async () => {
          if (fail) throw new Error('catalog not ready');
          return [
            {
              metadata: { name: 'standard' },
              spec: { version: '1.1.0', kubernetes: { versions: ['v1.35'] } },
            },
          ];
        },
      },
      stage,
      logger,
      now: () => clock,
      startupGraceMs: 60_000,
    });
    stage.upsert(
      makeSummary({
        name: 'a',
        profile: 'standard',
        profileVersion: '1.0.0',
        kubernetesVersion: 'v1.35.1',
      }),
    );
    await profiles.refresh();
    expect(logger.warn).not.toHaveBeenCalled();
    clock = 61_000;
    await profiles.refresh();
    await profiles.refresh();
    expect(logger.warn).toHaveBeenCalledTimes(1);

    fail = false;
    expect(await profiles.refresh()).toBe(1);
    expect(index.getStored('mc-a/default/a')?.drift).toMatchObject([
      { kind: 'profileVersion', expected: '1.1.0', actual: '1.0.0' },
    ]);

    fail = true;
    await profiles.refresh();
    expect(logger.warn).toHaveBeenCalledTimes(2);
    expect(index.getStored('mc-a/default/a')?.drift).toHaveLength(1);
  });

  it('keeps a released version as first read when the catalog changes it, and warns once', async () => {
    const index = new FleetIndex();
    const stage = new DriftStage({ next: index });
    const logger = mockServices.logger.mock();
    let versions = ['v1.35'];
    const profiles = new DriftProfiles({
      source: {
        listProfiles: async () => [
          {
            metadata: { name: 'standard' },
            spec: { version: '1.0.0', kubernetes: { versions } },
          },
        ],
      },
      stage,
      logger,
    });
    stage.upsert(
      makeSummary({
        name: 'a',
        profile: 'standard',
        profileVersion: '1.0.0',
        kubernetesVersion: 'v1.35.1',
      }),
    );
    await profiles.refresh();
    expect(index.getStored('mc-a/default/a')?.drift).toEqual([]);
    versions = ['v1.36'];
    await profiles.refresh();
    await profiles.refresh();
    expect(index.getStored('mc-a/default/a')?.drift).toEqual([]);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(stage.profile('standard')?.versions.get('1.0.0')).toMatchObject({
      kubernetesVersions: ['v1.35'],
    });
  });
});
