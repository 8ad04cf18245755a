import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { generateFleet } from './model';
import { addHostedFleet } from './hostedFleet';
import { LABELS } from '../capi/kinds';
import { DEMO_PROFILE_ADDONS } from './seededAddons';

/*
 * The simulated fleet is the demo of the portal (`make start`): every profile, profile version, system and team its
 * clusters name must exist in the demo catalog of the repository (catalog/, and the templates and example profiles the
 * catalog module ships in plugins/catalog-backend-module-shipyard/catalog/), or the catalog shows broken relations.
 */

const REPO = path.resolve(__dirname, '../../../..');
const CATALOGS = [
  path.join(REPO, 'catalog'),
  path.join(REPO, 'plugins/catalog-backend-module-shipyard/catalog'),
];

interface DemoEntity {
  kind: string;
  metadata: { name: string };
  spec?: {
    dependsOn?: string[];
    version?: string;
    layers?: {
      cni?: { name: string; version: string };
      csi?: { name: string; version: string };
      addons?: Array<{ name: string; version: string }>;
    };
    previousVersions?: Array<{ version: string }>;
    managementClusters?: string[];
    clusterClass?: { name: string };
    hostedControlPlane?: { provider: string };
    sizes?: Record<string, { controlPlaneReplicas: number }>;
  };
}

function demoCatalog(): DemoEntity[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml')) files.push(p);
    }
  };
  CATALOGS.forEach(walk);
  return files.flatMap(f =>
    parseAllDocuments(fs.readFileSync(f, 'utf8')).map(
      d => d.toJS() as DemoEntity,
    ),
  );
}

describe('the demo fleet and the demo catalog', () => {
  const entities = demoCatalog();
  const named = (kind: string) =>
    new Map(
      entities.filter(e => e.kind === kind).map(e => [e.metadata.name, e]),
    );
  const profiles = named('ClusterProfile');
  const systems = named('System');
  const groups = named('Group');

  it.each([
    ['the portal’s fleet (make start)', '42', 60, 6],
    ['a larger fleet', 'demo-variety', 400, 20],
  ])(
    'names only profiles, profile versions, systems and teams that %s’s catalog has',
    (_what, seed, clusters, hostedControlPlanes) => {
      const now = Date.parse('2026-11-01T00:00:00Z');
      const fleet = generateFleet({
        managementClusters: 3,
        clusters,
        seed,
        teams: ['team-a', 'team-b', 'team-c'],
        anomalies: true,
        now,
      });
      // the portal's fleet has control planes hosted as pods and the management chain (scripts/portal.js)
      addHostedFleet(fleet, {
        hostedControlPlanes,
        managementChain: true,
        now,
      });
      expect(fleet.clusters.filter(c => c.flavor.hosted)).toHaveLength(
        hostedControlPlanes,
      );
      const missing = new Set<string>();
      for (const c of fleet.clusters) {
        const profile = c.labels[LABELS.profile];
        const version = c.labels[LABELS.profileVersion];
        // the profile the catalog generates from the cluster's class, with the version the class declares
        const cls = fleet.managements
          .find(m => m.name === c.management)
          ?.classes.find(k => k.name === c.className);
        const generated =
          cls && profile === `${c.management}--${c.namespace}--${cls.name}`;
        if (generated) {
          if (version !== cls.profileVersion) {
            missing.add(`profile ${profile} version ${version}`);
          }
        } else if (profile) {
          const p = profiles.get(profile);
          if (!p) missing.add(`profile ${profile}`);
          else if (version) {
            const versions = [
              p.spec?.version,
              ...(p.spec?.previousVersions ?? []).map(v => v.version),
            ];
            if (!versions.includes(version)) {
              missing.add(`profile ${profile} version ${version}`);
            }
          }
        }
        const system = c.labels[LABELS.system];
        if (system && !systems.has(system)) missing.add(`system ${system}`);
        const owner = c.labels[LABELS.owner];
        if (owner && !groups.has(owner)) missing.add(`group ${owner}`);
      }
      expect([...missing].sort()).toEqual([]);
    },
  );

  it('has the components that run on the portal’s fleet depend on clusters that fleet has', () => {
    const fleet = generateFleet({
      managementClusters: 3,
      clusters: 60,
      seed: '42',
      teams: ['team-a', 'team-b', 'team-c'],
      anomalies: true,
      now: Date.parse('2026-11-01T00:00:00Z'),
    });
    const clusters = new Set(
      fleet.clusters.map(
        c => `resource:default/${c.management}--${c.namespace}--${c.name}`,
      ),
    );
    const onClusters = entities
      .filter(e => e.kind === 'Component')
      .flatMap(e => e.spec?.dependsOn ?? [])
      .filter(ref => ref.startsWith('resource:default/mgmt-'));
    expect(onClusters.length).toBeGreaterThan(0);
    expect(onClusters.filter(ref => !clusters.has(ref))).toEqual([]);
  });

  it('backs the profiles of hosted control planes with ClusterClasses of that provider on every host they offer', () => {
    const now = Date.parse('2026-11-01T00:00:00Z');
    const fleet = generateFleet({
      managementClusters: 3,
      clusters: 60,
      seed: '42',
      teams: ['team-a', 'team-b', 'team-c'],
      anomalies: true,
      now,
    });
    addHostedFleet(fleet, { hostedControlPlanes: 6, now });
    const hosted = [...profiles.values()].filter(
      p => p.spec?.hostedControlPlane,
    );
    expect(hosted.map(p => p.metadata.name).sort()).toEqual([
      'k0smotron-hosted',
      'kamaji-hosted',
    ]);
    for (const p of hosted) {
      const provider = p.spec!.hostedControlPlane!.provider;
      for (const host of p.spec!.managementClusters!) {
        const cls = fleet.managements
          .find(m => m.name === host)
          ?.classes.find(c => c.name === p.spec!.clusterClass!.name);
        expect({
          profile: p.metadata.name,
          host,
          provider: cls?.flavor.hosted,
        }).toEqual({ profile: p.metadata.name, host, provider });
      }
      // the seeded clusters of the profile fit its sizes (no drift of the demo's own clusters)
      const replicas = new Set(
        Object.values(p.spec!.sizes!).map(z => z.controlPlaneReplicas),
      );
      for (const c of fleet.clusters.filter(
        x => x.labels[LABELS.profile] === p.metadata.name,
      )) {
        expect(c.className).toBe(p.spec!.clusterClass!.name);
        expect(replicas.has(c.controlPlaneReplicas)).toBe(true);
      }
    }
  });

  it('installs the add-on layers that the demo catalog’s profiles declare', () => {
    for (const [name, addons] of Object.entries(DEMO_PROFILE_ADDONS)) {
      const layers = profiles.get(name)?.spec?.layers;
      expect({ name, cni: layers?.cni }).toEqual({ name, cni: addons.cni });
      expect({
        name,
        helm: [layers?.csi, ...(layers?.addons ?? [])].filter(Boolean),
      }).toEqual({ name, helm: addons.helm });
    }
  });
});
