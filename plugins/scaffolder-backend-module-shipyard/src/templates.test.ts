import fs from 'fs';
import path from 'path';
import { parse as parseYaml } from 'yaml';

/** The templates shipped with the catalog module, as text: the request and upgrade forms use the Shipyard field extensions. */
const TEMPLATES = path.resolve(
  __dirname,
  '../../catalog-backend-module-shipyard/catalog/templates',
);

function fieldsOf(file: string): Record<string, string> {
  const text = fs.readFileSync(path.join(TEMPLATES, file), 'utf8');
  const fields: Record<string, string> = {};
  let property: string | undefined;
  for (const line of text.split('\n')) {
    const prop = /^\s{8}([A-Za-z]+):\s*$/.exec(line);
    if (prop) property = prop[1];
    const field = /^\s+ui:field:\s*(\S+)/.exec(line);
    if (field && property) fields[property] = field[1];
  }
  return fields;
}

describe('catalog templates', () => {
  it.each(['request-cluster.yaml', 'request-cluster-gitops.yaml'])(
    '%s asks through the guided fields: profile, size, version, management cluster, variables, checks',
    file => {
      expect(fieldsOf(file)).toMatchObject({
        profile: 'ClusterProfilePicker',
        size: 'ClusterSizePicker',
        kubernetesVersion: 'KubernetesVersionPicker',
        managementCluster: 'ManagementClusterPicker',
        variables: 'ClusterVariables',
        checks: 'ClusterRequestCheck',
      });
    },
  );

  it('upgrade-cluster.yaml offers the versions the cluster may move to', () => {
    expect(fieldsOf('upgrade-cluster.yaml')).toMatchObject({
      kubernetesVersion: 'UpgradeVersionPicker',
    });
  });

  it('roll-out-version.yaml starts a rollout of the clusters of a profile behind the version', () => {
    const text = fs.readFileSync(
      path.join(TEMPLATES, 'roll-out-version.yaml'),
      'utf8',
    );
    expect(text).toContain('action: shipyard:rollout:create');
    expect(text).toMatch(
      /behind:\s+profileVersion: \$\{\{ parameters\.profileVersion \}\}/,
    );
  });

  it('roll-out-version.yaml asks for soak time, failure budget, approval and a maintenance window, for every stage', () => {
    const template = parseYaml(
      fs.readFileSync(path.join(TEMPLATES, 'roll-out-version.yaml'), 'utf8'),
    );
    const properties = Object.assign(
      {},
      ...template.spec.parameters.map((p: any) => p.properties),
    );
    expect(Object.keys(properties)).toEqual(
      expect.arrayContaining([
        'canaries',
        'concurrency',
        'soakMinutes',
        'failureBudget',
        'approvers',
        'windowDays',
        'windowStart',
        'windowDurationMinutes',
        'windowTimeZone',
      ]),
    );
    expect(properties.windowDays.items.enum).toEqual([
      'mon',
      'tue',
      'wed',
      'thu',
      'fri',
      'sat',
      'sun',
    ]);
    const stages = template.spec.steps[0].input.stages;
    expect(stages.map((s: any) => s.name)).toEqual([
      'canary',
      'non-production',
      'production',
    ]);
    for (const stage of stages) {
      // one window from the form's fields, or none when no day is chosen
      expect(stage.maintenanceWindows).toMatch(
        /^\$\{\{ \[\{ days: parameters\.windowDays, start: parameters\.windowStart, durationMinutes: parameters\.windowDurationMinutes, timeZone: parameters\.windowTimeZone \}\] if .* else \[\] \}\}$/,
      );
    }
    expect(stages[0].soakSeconds).toBe(
      '${{ (parameters.soakMinutes or 0) * 60 }}',
    );
    expect(stages[1].soakSeconds).toBe(stages[0].soakSeconds);
    expect(stages[2].approval.groups).toEqual(['${{ parameters.approvers }}']);
  });
});
