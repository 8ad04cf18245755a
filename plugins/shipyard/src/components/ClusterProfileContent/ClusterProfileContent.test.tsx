import { act, screen, waitFor } from '@testing-library/react';
import {
  clusterList,
  clusterUpserted,
  makeCluster,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { makeProfileEntity } from '../../__testUtils__/profiles';
import { CATALOG_ROUTES, renderOnEntityPage } from '../../__testUtils__/render';
import { readProfile } from '../../lib/profile';
import { ClusterProfileContent, driftOf } from './ClusterProfileContent';

describe('ClusterProfileContent', () => {
  it('shows layers, versions, clusters per version, drift and the request button', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue(
      clusterList([
        makeCluster({ name: 'a', profileVersion: '1.2.0' }),
        makeCluster({
          name: 'b',
          profileVersion: '1.1.0',
          kubernetesVersion: 'v1.29.3',
        }),
        makeCluster({ name: 'c', profileVersion: '1.2.0' }),
      ]),
    );
    await renderOnEntityPage(<ClusterProfileContent />, {
      entity: makeProfileEntity('eks-standard'),
      api,
      app: CATALOG_ROUTES,
    });
    expect(await screen.findByTestId('drift-table')).toBeInTheDocument();
    expect(api.listClusters).toHaveBeenCalledWith(
      expect.objectContaining({ profile: ['eks-standard'] }),
    );
    expect(screen.getByText('bottlerocket')).toBeInTheDocument();
    expect(screen.getByText('cert-manager')).toBeInTheDocument();
    expect(screen.getByText('v1.31.2, v1.30.6')).toBeInTheDocument();
    expect(screen.getByText('current')).toBeInTheDocument();
    expect(screen.getAllByTestId('drift-item').map(e => e.textContent)).toEqual(
      [
        'profile 1.1.0 (current 1.2.0)',
        'Kubernetes v1.29.3 (allowed v1.31.2, v1.30.6)',
      ],
    );
    const request = screen.getByTestId('request-cluster');
    expect(decodeURIComponent(request.getAttribute('href') ?? '')).toBe(
      '/create/templates/default/request-cluster?formData={"profile":"clusterprofile:default/eks-standard"}',
    );
    // the clusters of the profile behind its current version move to it through the rollout template
    const rollout = screen.getByTestId('roll-out-version');
    expect(decodeURIComponent(rollout.getAttribute('href') ?? '')).toBe(
      '/create/templates/default/roll-out-version?formData={"name":"eks-standard to 1.2.0","profile":"eks-standard","profileVersion":"1.2.0"}',
    );
  });

  it('counts the clusters of a profile generated from a ClusterClass and shows the version the class declares', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue(
      clusterList([makeCluster({ name: 'a', profileVersion: '2.0.0' })]),
    );
    const entity = makeProfileEntity('mgmt-us-1--team-a--kubeadm-aws', {
      version: '2.0.0',
      clusterClass: { name: 'kubeadm-aws', namespace: 'team-a' },
      managementClusters: ['mgmt-us-1'],
    });
    entity.metadata.annotations = {
      'shipyard.io/profile-source': 'cluster-class',
      'shipyard.io/management-cluster': 'mgmt-us-1',
    };
    await renderOnEntityPage(<ClusterProfileContent />, {
      entity: entity,
      api,
      app: CATALOG_ROUTES,
    });
    expect(
      await screen.findByTestId('profile-cluster-count'),
    ).toHaveTextContent('1 cluster');
    expect(
      screen.getByText('team-a/kubeadm-aws on mgmt-us-1'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('2.0.0 (declared by its ClusterClass)'),
    ).toBeInTheDocument();
  });

  it('says when no cluster uses the profile', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue(clusterList([]));
    await renderOnEntityPage(<ClusterProfileContent />, {
      entity: makeProfileEntity('gke'),
      api,
      app: CATALOG_ROUTES,
    });
    expect(
      await screen.findByText('No clusters use this profile yet.'),
    ).toBeInTheDocument();
  });

  it('shows the first answer when it comes while a live refresh of it is still on its way', async () => {
    const api = mockShipyardApi();
    let answerFirst!: () => void;
    api.listClusters
      .mockImplementationOnce(
        () =>
          new Promise(resolve => {
            answerFirst = () => resolve(clusterList([]));
          }),
      )
      // the refresh does not answer while the test runs (a busy backend)
      .mockImplementationOnce(() => new Promise(() => {}));
    await renderOnEntityPage(<ClusterProfileContent />, {
      entity: makeProfileEntity('gke'),
      api,
      app: CATALOG_ROUTES,
    });
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(1));
    api.emit(clusterUpserted(8));
    await waitFor(() => expect(api.listClusters).toHaveBeenCalledTimes(2));
    act(() => answerFirst());
    expect(
      await screen.findByText('No clusters use this profile yet.'),
    ).toBeInTheDocument();
  });

  it('offers no request or rollout for a deprecated version, and says so', async () => {
    const api = mockShipyardApi();
    api.listClusters.mockResolvedValue(
      clusterList([makeCluster({ name: 'a', profileVersion: '1.2.0' })]),
    );
    await renderOnEntityPage(<ClusterProfileContent />, {
      entity: makeProfileEntity('eks-legacy', { deprecated: true }),
      api,
      app: CATALOG_ROUTES,
    });
    expect(await screen.findByTestId('profile-deprecated')).toHaveTextContent(
      'Version 1.2.0 is deprecated: it can no longer be requested or rolled out',
    );
    expect(screen.queryByTestId('request-cluster')).not.toBeInTheDocument();
    expect(screen.queryByTestId('roll-out-version')).not.toBeInTheDocument();
  });

  it('lists the backend’s drift findings of a cluster when it compared it', () => {
    const cluster = makeCluster({
      name: 'a',
      profileVersion: '1.0.0',
      drift: [
        {
          kind: 'replicas',
          subject: 'md-0',
          expected: '1–6',
          actual: '9',
          since: '2026-01-01T00:00:00Z',
        },
      ],
    });
    expect(
      driftOf(cluster, readProfile(makeProfileEntity('standard'))),
    ).toEqual(['Replicas outside sizes md-0: 9 (expected 1–6)']);
  });
});
