import { act, renderHook, waitFor } from '@testing-library/react';
import { TestApiProvider } from '@backstage/test-utils';
import { ClusterDetails } from '@shipyard/plugin-shipyard-common';
import { ReactNode } from 'react';
import { shipyardApiRef } from '../../api';
import {
  clusterUpserted,
  makeCluster,
  makeDetails,
  mockShipyardApi,
} from '../../__testUtils__/fixtures';
import { useClusterDetails } from './useClusterDetails';

const key = {
  managementCluster: 'mgmt-eu',
  namespace: 'team-a',
  name: 'prod-1',
};

describe('useClusterDetails', () => {
  it('shows the first read when it answers while a live refresh of the cluster is still on its way', async () => {
    const api = mockShipyardApi();
    let answerFirst!: () => void;
    api.getCluster
      .mockImplementationOnce(
        () =>
          new Promise<ClusterDetails>(resolve => {
            answerFirst = () =>
              resolve(makeDetails(makeCluster({ ...key, title: 'first' })));
          }),
      )
      // the refresh does not answer while the test runs (a busy backend)
      .mockImplementationOnce(() => new Promise(() => {}));
    const wrapper = (props: { children: ReactNode }) => (
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        {props.children}
      </TestApiProvider>
    );
    const { result } = renderHook(() => useClusterDetails(key), { wrapper });
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(1));
    act(() => api.emit(clusterUpserted(8, 'prod-1')));
    await waitFor(() => expect(api.getCluster).toHaveBeenCalledTimes(2));
    await act(async () => answerFirst());
    await waitFor(() => expect(result.current.loading).toBe(false));
    expect(result.current.details?.summary.title).toBe('first');
    expect(result.current.error).toBeUndefined();
  });

  it('drops a read of another cluster that answers after the cluster changed', async () => {
    const api = mockShipyardApi();
    let answerOld!: () => void;
    api.getCluster.mockImplementationOnce(
      () =>
        new Promise<ClusterDetails>(resolve => {
          answerOld = () =>
            resolve(makeDetails(makeCluster({ ...key, title: 'old' })));
        }),
    );
    const wrapper = (props: { children: ReactNode }) => (
      <TestApiProvider apis={[[shipyardApiRef, api]]}>
        {props.children}
      </TestApiProvider>
    );
    const { result, rerender } = renderHook(
      (props: { name: string }) => useClusterDetails({ ...key, ...props }),
      { wrapper, initialProps: { name: 'prod-1' } },
    );
    rerender({ name: 'prod-2' });
    await waitFor(() =>
      expect(result.current.details?.summary.name).toBe('prod-2'),
    );
    await act(async () => answerOld());
    expect(result.current.details?.summary.name).toBe('prod-2');
  });
});
