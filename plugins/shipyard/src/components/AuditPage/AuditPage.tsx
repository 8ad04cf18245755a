import {
  Content,
  ContentHeader,
  Link,
  Page,
  Progress,
  ResponseErrorPanel,
  Table,
  TableColumn,
} from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import ListSubheader from '@material-ui/core/ListSubheader';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import {
  CLUSTER_AUDIT_OUTCOMES,
  ClusterAuditOutcome,
  ClusterAuditRecord,
} from '@shipyard/plugin-shipyard-common';
import { ReactNode, useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { AuditQuery, shipyardApiRef } from '../../api';
import { useFleetRoutes } from '../../hooks';
import {
  AUDIT_ACTION_GROUPS,
  AUDIT_ACTION_LABELS,
  AUDIT_OUTCOME_LABELS,
  auditActionLabel,
  auditOutcomeLabel,
  isAuditAction,
  isAuditOutcome,
} from '../../lib/audit';
import { formatTime } from '../../lib/format';
import { ShipyardHeader } from '../PageHeader';

/** The filters of the page, kept in the address bar. */
const FILTERS = [
  'actor',
  'action',
  'outcome',
  'cluster',
  'since',
  'until',
] as const;
type Filter = (typeof FILTERS)[number];

const OUTCOME_COLORS: Record<ClusterAuditOutcome, string> = {
  succeeded: '#2e7d32',
  completed: '#1b5e20',
  refused: '#ed6c02',
  failed: '#d32f2f',
  stalled: '#8e24aa',
};

/** The versions of an upgrade entry (`v1.31.2 → v1.32.1`), when it has them. */
function versionsOf(r: ClusterAuditRecord): string {
  const from = r.details?.fromVersion;
  const to = r.details?.toVersion;
  if (!to) return '';
  return from ? `${from} → ${to}` : `to ${to}`;
}

/** A `datetime-local` value (local time) as an ISO-8601 instant; undefined when empty or invalid. */
export function instantOf(local: string | null): string | undefined {
  if (!local) return undefined;
  const t = Date.parse(local);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** The API query of the page's filters. */
export function auditQueryOf(params: URLSearchParams): AuditQuery {
  const query: AuditQuery = {};
  const actor = params.get('actor')?.trim();
  if (actor)
    query.actor = actor.includes(':') ? actor : `user:default/${actor}`;
  const action = params.get('action');
  if (isAuditAction(action)) query.action = action;
  const outcome = params.get('outcome');
  if (isAuditOutcome(outcome)) query.outcome = outcome;
  // a cluster as `name` or `managementCluster/namespace/name`
  const cluster = params.get('cluster')?.trim();
  if (cluster) {
    const parts = cluster.split('/');
    if (parts.length === 3) {
      [query.managementCluster, query.namespace, query.cluster] = parts;
    } else query.cluster = cluster;
  }
  query.since = instantOf(params.get('since'));
  query.until = instantOf(params.get('until'));
  return query;
}

/** A text filter, applied when the field loses the focus or on Enter. */
const TextFilter = (props: {
  label: string;
  placeholder: string;
  value: string;
  onChange(value: string): void;
}) => (
  <TextField
    label={props.label}
    placeholder={props.placeholder}
    variant="outlined"
    size="small"
    defaultValue={props.value}
    onBlur={e => props.onChange(e.target.value.trim())}
    onKeyDown={e => {
      if (e.key === 'Enter') {
        props.onChange((e.target as HTMLInputElement).value.trim());
      }
    }}
    inputProps={{ 'aria-label': props.label }}
  />
);

/** A choice among `children` (menu items), or any. */
const SelectFilter = (props: {
  label: string;
  minWidth: number;
  value: string;
  onChange(value: string): void;
  children: ReactNode;
}) => (
  <TextField
    select
    label={props.label}
    variant="outlined"
    size="small"
    style={{ minWidth: props.minWidth }}
    value={props.value}
    onChange={e => props.onChange(String(e.target.value))}
    SelectProps={{
      SelectDisplayProps: { 'aria-label': props.label } as any,
    }}
  >
    <MenuItem value="">Any</MenuItem>
    {props.children}
  </TextField>
);

/** A point in (local) time. */
const TimeFilter = (props: {
  label: string;
  value: string;
  onChange(value: string): void;
}) => (
  <TextField
    label={props.label}
    type="datetime-local"
    variant="outlined"
    size="small"
    InputLabelProps={{ shrink: true }}
    value={props.value}
    onChange={e => props.onChange(e.target.value)}
    inputProps={{ 'aria-label': props.label }}
  />
);

/**
 * The audit trail (`/shipyard/audit`): cluster requests, upgrades, day-2 operations and fleet rollouts with their
 * outcome, each action and outcome by its readable name, newest first, filtered by
 * actor, action, outcome, cluster and time. The platform team sees every entry; others see the entries of the
 * clusters their groups own (the backend decides).
 */
export const AuditPage = () => {
  const api = useApi(shipyardApiRef);
  const routes = useFleetRoutes();
  const [params, setParams] = useSearchParams();
  const [state, setState] = useState<{
    items: ClusterAuditRecord[];
    nextCursor?: string;
    loading: boolean;
    error?: Error;
  }>({ items: [], loading: true });
  const key = FILTERS.map(f => params.get(f) ?? '').join('\u0000');

  const load = useCallback(
    async (cursor?: string, signal?: AbortSignal) => {
      setState(s => ({ ...s, loading: true, error: undefined }));
      try {
        const page = await api.listAuditRecords(
          { ...auditQueryOf(params), limit: 100, cursor },
          { signal },
        );
        setState(s => ({
          items: cursor ? [...s.items, ...page.items] : page.items,
          nextCursor: page.nextCursor,
          loading: false,
        }));
      } catch (error) {
        if (!signal?.aborted) {
          setState(s => ({ ...s, loading: false, error: error as Error }));
        }
      }
    },
    // the filters are the key
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, key],
  );

  useEffect(() => {
    const controller = new AbortController();
    load(undefined, controller.signal);
    return () => controller.abort();
  }, [load]);

  const setFilter = (name: Filter, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  /** A filter control's value and change, from and to the address bar. */
  const bind = (name: Filter) => ({
    value: params.get(name) ?? '',
    onChange: (value: string) => setFilter(name, value),
  });

  const columns: TableColumn<ClusterAuditRecord>[] = [
    {
      title: 'Time',
      field: 'at',
      render: r => (
        <span style={{ whiteSpace: 'nowrap' }}>{formatTime(r.at)}</span>
      ),
    },
    {
      title: 'Actor',
      field: 'actor',
      // a user of the default namespace by name (the whole reference on hover), on one line
      render: r => (
        <span title={r.actor} style={{ whiteSpace: 'nowrap' }}>
          {r.actor.replace(/^user:default\//, '')}
        </span>
      ),
    },
    {
      title: 'Action',
      field: 'action',
      render: r => (
        <span data-testid="audit-action">{auditActionLabel(r.action)}</span>
      ),
    },
    {
      title: 'Outcome',
      field: 'outcome',
      render: r => (
        <Chip
          size="small"
          label={auditOutcomeLabel(r.outcome)}
          style={{ color: '#fff', background: OUTCOME_COLORS[r.outcome] }}
          data-testid="audit-outcome"
        />
      ),
    },
    {
      title: 'Cluster',
      field: 'cluster',
      render: r =>
        r.cluster && r.managementCluster && r.namespace ? (
          <div>
            <Link
              to={routes.cluster({
                managementCluster: r.managementCluster,
                namespace: r.namespace,
                name: r.cluster,
              })}
            >
              {r.cluster}
            </Link>
            <Typography variant="caption" color="textSecondary" component="div">
              {r.managementCluster} / {r.namespace}
            </Typography>
          </div>
        ) : (
          r.cluster ?? String(r.details?.['requested.cluster'] ?? '—')
        ),
    },
    {
      title: 'Details',
      field: 'message',
      render: r => (
        <div style={{ maxWidth: 420, overflowWrap: 'anywhere' }}>
          <Typography variant="body2">{r.message ?? ''}</Typography>
          <Typography variant="caption" color="textSecondary">
            {[
              r.profile?.replace(/^clusterprofile:default\//, 'profile '),
              r.owner ? `owner ${r.owner.replace(/^group:default\//, '')}` : '',
              r.mode === 'manifests' ? 'GitOps' : '',
              r.details?.pullRequest
                ? `pull request ${r.details.pullRequest}`
                : '',
              r.details?.rolloutName ? `rollout ${r.details.rolloutName}` : '',
              versionsOf(r),
            ]
              .filter(Boolean)
              .join(' · ')}
          </Typography>
          {r.taskId && (
            <Typography variant="caption" component="div">
              <Link to={`/create/tasks/${encodeURIComponent(r.taskId)}`}>
                Task
              </Link>
            </Typography>
          )}
        </div>
      ),
    },
  ];

  return (
    <Page themeId="tool">
      <ShipyardHeader
        title="Audit trail"
        subtitle="Cluster requests, upgrades, day-2 operations and rollouts: who asked, and what came of it"
        type="Fleet"
        typeLink={routes.fleet()}
      />
      <Content>
        <ContentHeader title="Audit trail">
          <Link to={routes.fleet()}>Back to the fleet</Link>
        </ContentHeader>
        <Box
          display="flex"
          flexWrap="wrap"
          style={{ gap: 12 }}
          mb={2}
          data-testid="audit-filters"
        >
          <TextFilter
            label="Actor"
            placeholder="user:default/alice"
            {...bind('actor')}
          />
          <SelectFilter label="Action" minWidth={200} {...bind('action')}>
            {AUDIT_ACTION_GROUPS.flatMap(group => [
              <ListSubheader key={group.title}>{group.title}</ListSubheader>,
              ...group.actions.map(a => (
                <MenuItem key={a} value={a}>
                  {AUDIT_ACTION_LABELS[a]}
                </MenuItem>
              )),
            ])}
          </SelectFilter>
          <SelectFilter label="Outcome" minWidth={140} {...bind('outcome')}>
            {CLUSTER_AUDIT_OUTCOMES.map(outcome => (
              <MenuItem key={outcome} value={outcome}>
                {AUDIT_OUTCOME_LABELS[outcome]}
              </MenuItem>
            ))}
          </SelectFilter>
          <TextFilter
            label="Cluster"
            placeholder="name or mgmt/namespace/name"
            {...bind('cluster')}
          />
          <TimeFilter label="From" {...bind('since')} />
          <TimeFilter label="Until" {...bind('until')} />
        </Box>
        {state.error && <ResponseErrorPanel error={state.error} />}
        {state.loading && state.items.length === 0 && <Progress />}
        {!state.error && (
          <Box data-testid="audit-table">
            <Table<ClusterAuditRecord>
              title={`${state.items.length}${
                state.nextCursor ? '+' : ''
              } entries`}
              options={{
                paging: false,
                search: false,
                sorting: false,
                padding: 'dense',
              }}
              columns={columns}
              data={state.items}
              emptyContent={
                <Box p={2}>
                  <Typography variant="body2">
                    No entries match. Outside the platform team, only the
                    entries of clusters your groups own are shown.
                  </Typography>
                </Box>
              }
            />
          </Box>
        )}
        {state.nextCursor && (
          <Box mt={2}>
            <Button
              variant="outlined"
              disabled={state.loading}
              onClick={() => load(state.nextCursor)}
            >
              Older entries
            </Button>
          </Box>
        )}
      </Content>
    </Page>
  );
};
