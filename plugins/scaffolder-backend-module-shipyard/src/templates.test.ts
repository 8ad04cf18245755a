import fs from 'fs';
import path from 'path';

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
});
