import {
  Content,
  ContentHeader,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  SupportButton,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Tooltip from '@material-ui/core/Tooltip';
import {
  FleetSummary,
  ListManagementClustersResponse,
  VersionDebtResponse,
} from '@shipyard/plugin-shipyard-common';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { shipyardApiRef } from '../../api';
import { FleetStreamState } from '../../api/types';
import {
  useFleetEvents,
  useFleetRoutes,
  useLatestAnswer,
  useThrottled,
} from '../../hooks';
import {
  FilterFacet,
  FleetQuery,
  readFleetQuery,
  writeFleetQuery,
} from '../../lib/filters';
import { ClusterTable } from '../ClusterTable';
import { FleetSummaryCards } from '../FleetSummaryCards';
import { ShipyardHeader, useStandalonePageHeader } from '../PageHeader';
import { PlanUpgradeBanner } from '../Rollouts/PlanUpgradeBanner';
import { VersionDebtCard } from '../VersionDebtCard';

const SUBTITLE = 'Every cluster on every management cluster, in one view';

const LiveChip = (props: { state: FleetStreamState }) => {
  const open = props.state === 'open';
  let label = 'Connecting…';
  if (open) label = 'Live';
  else if (props.state === 'reconnecting') label = 'Reconnecting…';
  return (
    <Tooltip
      title={
        open
          ? 'Receiving fleet changes as they happen'
          : 'Connecting to the fleet event stream; the page refreshes when it is back'
      }
    >
      <Chip
        size="small"
        data-testid="live-state"
        label={label}
        color={open ? 'primary' : 'default'}
        variant={open ? 'default' : 'outlined'}
      />
    </Tooltip>
  );
};

/** Whether two version debt answers say the same (their evaluation times aside). */
function sameDebt(a: VersionDebtResponse, b: VersionDebtResponse): boolean {
  return (
    JSON.stringify({ ...a, evaluatedAt: '' }) ===
    JSON.stringify({ ...b, evaluatedAt: '' })
  );
}

/** How often live updates refresh the summary and the current table page at most (ms). */
const LIVE_REFRESH_MS = 2000;

/** The fleet page: summary cards, charts and the cluster table, kept live. */
export const FleetOverview = () => {
  const api = useApi(shipyardApiRef);
  const standaloneHeader = useStandalonePageHeader();
  const routes = useFleetRoutes();
  const [searchParams, setSearchParams] = useSearchParams();
  const query = useMemo(() => readFleetQuery(searchParams), [searchParams]);
  const setQuery = useCallback(
    (q: FleetQuery, options?: { replace?: boolean }) =>
      setSearchParams(writeFleetQuery(q), { replace: options?.replace }),
    [setSearchParams],
  );

  const [liveTick, setLiveTick] = useState(0);
  const {
    value: overview,
    error,
    take,
  } = useLatestAnswer<[FleetSummary, ListManagementClustersResponse]>();
  const [summary, sources] = overview ?? [];
  // the version debt has answers of its own: its answer never decides which summary applies
  const {
    value: debt,
    error: debtError,
    take: takeDebt,
  } = useLatestAnswer<VersionDebtResponse>();
  const lastDebt = useRef<VersionDebtResponse>();

  const loadSummary = useCallback(
    (again: boolean) => {
      take(Promise.all([api.getSummary(), api.listManagementClusters()]), {
        again,
      });
      // the version debt of the whole visible fleet; the page works without it
      takeDebt(
        api.getVersionDebt().then(d => {
          // an unchanged answer keeps its object, so the card does not render again on every live refresh
          const prev = lastDebt.current;
          lastDebt.current = prev && sameDebt(prev, d) ? prev : d;
          return lastDebt.current;
        }),
        { again },
      );
    },
    [api, take, takeDebt],
  );

  // The table's first page first: the rest is asked for once it answered, never in front of it.
  const [tableAnswered, setTableAnswered] = useState(false);
  const answered = useRef(false);
  /** The latest fleet revision a change event announced. */
  const announced = useRef(0);
  useEffect(() => {
    if (tableAnswered) loadSummary(false);
  }, [tableAnswered, loadSummary]);

  const refresh = useThrottled(() => {
    loadSummary(true);
    setLiveTick(t => t + 1);
  }, LIVE_REFRESH_MS);
  const stream = useFleetEvents(event => {
    announced.current = Math.max(announced.current, event.revision);
    if (answered.current) refresh();
  });
  const onFirstAnswer = useCallback((page?: { revision: number }) => {
    answered.current = true;
    setTableAnswered(true);
    // the fleet changed while the first page was on its way: read it again
    if (page && announced.current > page.revision) setLiveTick(t => t + 1);
  }, []);
  // after a reconnect, catch up on whatever was missed
  const prevStream = useRef(stream);
  useEffect(() => {
    if (
      stream === 'open' &&
      prevStream.current === 'reconnecting' &&
      answered.current
    ) {
      refresh();
    }
    prevStream.current = stream;
  }, [stream, refresh]);

  const select = useCallback(
    (facet: FilterFacet, value: string) =>
      setQuery({ ...query, filters: { ...query.filters, [facet]: [value] } }),
    [query, setQuery],
  );

  return (
    <Page themeId="tool">
      <ShipyardHeader title="Fleet" subtitle={SUBTITLE}>
        <LiveChip state={stream} />
      </ShipyardHeader>
      <Content>
        <ContentHeader
          title="Clusters"
          description={standaloneHeader ? undefined : SUBTITLE}
        >
          {!standaloneHeader && <LiveChip state={stream} />}
          <Link
            to={`${routes.fleet()}/rollouts/new${
              searchParams.toString() ? `?${searchParams}` : ''
            }`}
            data-testid="plan-rollout-link"
          >
            Roll out to these clusters
          </Link>
          <Box component="span" mx={1} />
          <Link to={routes.audit()} data-testid="audit-link">
            Audit trail
          </Link>
          <SupportButton>
            Filters, sorting and columns are kept in the address bar: share the
            link to share the view.
          </SupportButton>
        </ContentHeader>
        {error && !summary && <ResponseErrorPanel error={error} />}
        {!summary && !error && <Progress />}
        {summary && (
          <Box mb={3}>
            <FleetSummaryCards
              summary={summary}
              managementClusters={sources?.items}
              onSelect={select}
            />
          </Box>
        )}
        {(debt || debtError) && (
          <Box mb={3}>
            <PlanUpgradeBanner
              endOfLife={debt?.byStatus['end-of-life'] ?? 0}
              filters={searchParams}
            />
            <VersionDebtCard debt={debt} error={debtError} onSelect={select} />
          </Box>
        )}
        <ClusterTable
          query={query}
          onQueryChange={setQuery}
          liveTick={liveTick}
          onFirstAnswer={onFirstAnswer}
        />
      </Content>
    </Page>
  );
};
