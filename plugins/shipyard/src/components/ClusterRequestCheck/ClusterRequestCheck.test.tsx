import { screen } from '@testing-library/react';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import {
  ClusterRequestCheck,
  checkClusterRequest,
  requestOf,
} from './ClusterRequestCheck';

const discoveryApi = {
  getBaseUrl: jest.fn(async () => 'http://backend/api/scaffolder'),
};

function fetchAnswering(problems: Array<{ field: string; message: string }>) {
  return {
    fetch: jest.fn(
      async () =>
        new Response(JSON.stringify({ problems }), {
          status: 200,
          headers: { 'content-type': 'application/json' },
        }),
    ),
  };
}

const form = {
  profile: 'clusterprofile:default/eks-standard',
  name: 'taken',
  owner: 'group:default/team-a',
  size: '',
  variables: {
    region: 'eu-west-1',
    podSecurity: { audit: true },
    x: undefined,
  },
};

describe('ClusterRequestCheck', () => {
  it('posts the request to the validation endpoint, empty fields left out', async () => {
    const fetchApi = fetchAnswering([]);
    await checkClusterRequest(
      { discoveryApi, fetchApi: fetchApi as any },
      form,
    );
    expect(fetchApi.fetch).toHaveBeenCalledWith(
      'http://backend/api/scaffolder/shipyard/cluster-requests/validate',
      expect.objectContaining({ method: 'POST' }),
    );
    expect(JSON.parse((fetchApi.fetch.mock.calls[0] as any)[1].body)).toEqual({
      profile: 'clusterprofile:default/eks-standard',
      name: 'taken',
      owner: 'group:default/team-a',
      variables: { region: 'eu-west-1', podSecurity: { audit: true } },
    });
    expect(requestOf({ name: 'a' })).toEqual({ name: 'a' });
  });

  it('shows every problem at once', async () => {
    const fetchApi = fetchAnswering([
      {
        field: 'name',
        message: 'Cluster team-a/taken already exists on mgmt-eu',
      },
      {
        field: 'quota',
        message: 'Team team-a has reached its quota of 5 clusters',
      },
    ]);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [discoveryApiRef, discoveryApi],
          [fetchApiRef, fetchApi],
        ]}
      >
        <ClusterRequestCheck
          {...({
            onChange: jest.fn(),
            schema: { title: 'Checks' },
            uiSchema: {},
            idSchema: { $id: 'check' },
            formContext: { formData: form },
          } as unknown as FieldExtensionComponentProps<string>)}
        />
      </TestApiProvider>,
    );
    const problems = await screen.findByTestId('request-check-problems');
    expect(problems).toHaveTextContent('2 problems to fix');
    expect(problems).toHaveTextContent('already exists on mgmt-eu');
    expect(problems).toHaveTextContent('reached its quota');
  });
});
