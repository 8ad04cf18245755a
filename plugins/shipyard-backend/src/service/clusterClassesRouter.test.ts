import { mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { routerApp } from '../__testUtils__/routerApp';
import request from 'supertest';
import { projectClusterClass } from '../reconcile/records';
import { createClusterClassesRouter } from './clusterClassesRouter';
import { ownerDecision } from '../__testUtils__/access';

const clusterClass = (namespace: string, name: string) =>
  projectClusterClass({
    apiVersion: 'cluster.x-k8s.io/v1beta2',
    kind: 'ClusterClass',
    metadata: {
      namespace,
      name,
      uid: `uid-${name}`,
      labels: { 'shipyard.io/profile-version': '1.0.0' },
      annotations: {
        description: 'Dev clusters',
        'shipyard.io/kubernetes-versions': 'v1.35.5, v1.34.7',
      },
      generation: 2,
    } as any,
    spec: {
      infrastructure: {
        templateRef: { kind: 'DevClusterTemplate', name: 'x' },
      },
      controlPlane: {
        templateRef: { kind: 'KubeadmControlPlaneTemplate', name: 'y' },
      },
      workers: {
        machineDeployments: [{ class: 'default-worker' }],
        machinePools: [{ class: 'pool' }],
      },
      variables: [
        {
          name: 'region',
          required: true,
          schema: {
            openAPIV3Schema: { type: 'string', description: 'Region' },
          },
        },
        {
          name: 'cni',
          schema: { openAPIV3Schema: { type: 'string', enum: ['calico'] } },
        },
      ],
    },
  });

function app(decision: AuthorizeResult = AuthorizeResult.ALLOW) {
  const records = [
    { managementCluster: 'mc-b', record: clusterClass('default', 'zeta') },
    { managementCluster: 'mc-a', record: clusterClass('shared', 'alpha') },
    { managementCluster: 'mc-a', record: clusterClass('default', 'beta') },
  ];
  const fleet = {
    index: { revision: 7 },
    clusterClasses: (mc?: string) =>
      records.filter(r => !mc || r.managementCluster === mc),
  };
  const a = routerApp(
    createClusterClassesRouter({
      fleet,
      httpAuth: mockServices.httpAuth(),
      permissions: mockServices.permissions.mock({
        authorizeConditional: async requests =>
          requests.map(() =>
            decision === AuthorizeResult.CONDITIONAL
              ? ownerDecision(['group:default/team-a'])
              : { result: decision },
          ) as any,
      }),
    }),
  );
  return a;
}

describe('GET /cluster-classes', () => {
  it('serves ClusterClasses with variables, provider and distribution, sorted and cursor-paged', async () => {
    const first = await request(app()).get('/cluster-classes?limit=2');
    expect(first.status).toBe(200);
    expect(
      first.body.items.map(
        (c: any) => `${c.managementCluster}/${c.namespace}/${c.name}`,
      ),
    ).toEqual(['mc-a/default/beta', 'mc-a/shared/alpha']);
    expect(first.body.items[0]).toMatchObject({
      uid: 'uid-beta',
      generation: 2,
      description: 'Dev clusters',
      provider: 'docker',
      distribution: 'kubeadm',
      infrastructureKind: 'DevClusterTemplate',
      kubernetesVersions: ['v1.35.5', 'v1.34.7'],
      machineDeploymentClasses: ['default-worker'],
      machinePoolClasses: ['pool'],
      variables: [
        {
          name: 'region',
          required: true,
          schema: { type: 'string', description: 'Region' },
          description: 'Region',
        },
        {
          name: 'cni',
          required: false,
          schema: { type: 'string', enum: ['calico'] },
        },
      ],
    });
    expect(first.body.revision).toBe(7);
    const second = await request(app()).get(
      `/cluster-classes?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.items.map((c: any) => c.name)).toEqual(['zeta']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('filters by management cluster and names bad parameters', async () => {
    const res = await request(app()).get(
      '/cluster-classes?managementCluster=mc-b',
    );
    expect(res.body.items.map((c: any) => c.name)).toEqual(['zeta']);
    const bad = await request(app()).get('/cluster-classes?limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/limit/);
    const unknown = await request(app()).get('/cluster-classes?owner=x');
    expect(unknown.status).toBe(400);
  });

  it('needs the permission to read clusters: a team that reads its own clusters sees the classes, a denied caller nothing', async () => {
    const denied = await request(app(AuthorizeResult.DENY)).get(
      '/cluster-classes',
    );
    expect(denied.status).toBe(403);
    expect(denied.body.items).toBeUndefined();
    const team = await request(app(AuthorizeResult.CONDITIONAL)).get(
      '/cluster-classes',
    );
    expect(team.status).toBe(200);
    expect(team.body.items).toHaveLength(3);
  });
});
