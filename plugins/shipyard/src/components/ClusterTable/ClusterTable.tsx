import { ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import IconButton from '@material-ui/core/IconButton';
import InputAdornment from '@material-ui/core/InputAdornment';
import LinearProgress from '@material-ui/core/LinearProgress';
import ListItemText from '@material-ui/core/ListItemText';
import Menu from '@material-ui/core/Menu';
import MenuItem from '@material-ui/core/MenuItem';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import TableSortLabel from '@material-ui/core/TableSortLabel';
import TextField from '@material-ui/core/TextField';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import ChevronLeftIcon from '@material-ui/icons/ChevronLeft';
import ChevronRightIcon from '@material-ui/icons/ChevronRight';
import SearchIcon from '@material-ui/icons/Search';
import ViewColumnIcon from '@material-ui/icons/ViewColumn';
import {
  ClusterListItem,
  ListClustersResponse,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import {
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { shipyardApiRef } from '../../api';
import { useFleetRoutes, useLatestAnswer } from '../../hooks';
import {
  FilterFacet,
  FleetQuery,
  toListRequest,
  toTableRequest,
} from '../../lib/filters';
import { FacetFilterBar } from '../FacetFilterBar';
import { CLUSTER_COLUMNS, DEFAULT_COLUMNS } from './columns';

/** Narrower cells than the theme's, so that the default columns fit a 1280 px screen. */
const CELL_PADDING = { paddingLeft: 8, paddingRight: 8 } as const;

/** Props of {@link ClusterTable}. */
export interface ClusterTableProps {
  query: FleetQuery;
  onQueryChange(query: FleetQuery, options?: { replace?: boolean }): void;
  /** Increment to reload the current page in place (live updates): rows are replaced, no spinner. */
  liveTick?: number;
  /** Facets whose filter chips are not offered. */
  hiddenFacets?: FilterFacet[];
  /**
   * Called once, when the table's first read has answered (with its page) or failed (without): a page asks for what
   * else it shows after it, so that those reads never queue in front of the rows.
   */
  onFirstAnswer?(page?: ListClustersResponse<ClusterListItem>): void;
}

interface PageState {
  queryKey: string;
  index: number;
  cursors: Array<string | undefined>;
}

/** The fleet table: server-side filtering, search, sorting and cursor pagination over `GET /clusters`. */
export const ClusterTable = (props: ClusterTableProps) => {
  const { query, onQueryChange, liveTick, hiddenFacets, onFirstAnswer } = props;
  const api = useApi(shipyardApiRef);
  const routes = useFleetRoutes();
  const queryKey = JSON.stringify(toListRequest(query));
  const [pageState, setPageState] = useState<PageState>({
    queryKey,
    index: 0,
    cursors: [undefined],
  });
  const current: PageState =
    pageState.queryKey === queryKey
      ? pageState
      : { queryKey, index: 0, cursors: [undefined] };
  const cursor = current.cursors[current.index];

  const [data, setData] = useState<ListClustersResponse<ClusterListItem>>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error>();
  const { begin } = useLatestAnswer();
  const firstAnswer = useRef(onFirstAnswer);
  const answered = (page?: ListClustersResponse<ClusterListItem>) => {
    firstAnswer.current?.(page);
    firstAnswer.current = undefined;
  };

  /**
   * Live refreshes on their way. A refresh does not cancel the one before it (on a busy backend, each would cancel
   * the last and none would answer); a new page or query and the unmount do.
   */
  const [refreshing] = useState(() => new Set<AbortController>());
  const cancelRefreshes = useCallback(() => {
    for (const c of refreshing) c.abort();
    refreshing.clear();
  }, [refreshing]);

  const load = useRef((_silent: boolean) => () => {});
  load.current = (silent: boolean) => {
    // a live refresh reads the same page again: a read begun before it still shows when it answers first
    const isLatest = begin({ again: silent });
    const controller = new AbortController();
    if (silent) refreshing.add(controller);
    else cancelRefreshes();
    if (!silent) setLoading(true);
    api
      // slim list items: the cluster page fetches the details
      .listClusters(toTableRequest(query, cursor), {
        signal: controller.signal,
      })
      .then(page => {
        if (!isLatest()) return;
        setData(page);
        setError(undefined);
        setLoading(false);
        answered(page);
      })
      .catch((e: Error) => {
        // a failed refresh changes nothing: the page shown stays, and so does a read still on its way
        if (silent || controller.signal.aborted || !isLatest()) return;
        setError(e);
        setLoading(false);
        answered();
      })
      .finally(() => refreshing.delete(controller));
    return () => controller.abort();
  };

  // asked for as soon as the table is in the DOM, before the browser paints the page around it
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => load.current(false), [api, queryKey, cursor]);
  const firstTick = useRef(liveTick);
  useEffect(() => {
    if (liveTick !== firstTick.current) load.current(true);
  }, [liveTick]);
  useEffect(() => cancelRefreshes, [cancelRefreshes]);

  // search box: local state, pushed to the URL after a pause in typing
  const [search, setSearch] = useState(query.q);
  useEffect(() => setSearch(query.q), [query.q]);
  useEffect(() => {
    if (search === query.q) return undefined;
    const timer = setTimeout(
      () => onQueryChange({ ...query, q: search }, { replace: true }),
      300,
    );
    return () => clearTimeout(timer);
  }, [search, query, onQueryChange]);

  const visible = useMemo(() => {
    const ids = new Set(query.columns ?? DEFAULT_COLUMNS);
    return CLUSTER_COLUMNS.filter(c => c.fixed || ids.has(c.id));
  }, [query.columns]);
  const [columnMenu, setColumnMenu] = useState<HTMLElement | null>(null);
  const toggleColumn = (id: string) => {
    const ids = new Set(query.columns ?? DEFAULT_COLUMNS);
    if (ids.has(id)) ids.delete(id);
    else ids.add(id);
    const next = CLUSTER_COLUMNS.filter(c => ids.has(c.id)).map(c => c.id);
    const isDefault =
      next.length === DEFAULT_COLUMNS.length &&
      next.every(c => DEFAULT_COLUMNS.includes(c));
    onQueryChange({ ...query, columns: isDefault ? undefined : next });
  };

  const items = data?.items ?? [];
  const total = data?.totalCount ?? 0;
  const pageSize = toListRequest(query).limit ?? 50;
  const from = total === 0 ? 0 : current.index * pageSize + 1;
  const to = current.index * pageSize + items.length;
  const goNext = () => {
    if (!data?.nextCursor) return;
    const cursors = current.cursors.slice(0, current.index + 1);
    cursors.push(data.nextCursor);
    setPageState({ queryKey, index: current.index + 1, cursors });
  };
  const goPrev = () =>
    setPageState({ ...current, index: Math.max(0, current.index - 1) });

  return (
    <Paper>
      <Box p={2} display="flex" flexDirection="column" style={{ gap: 12 }}>
        <Box display="flex" alignItems="center" style={{ gap: 12 }}>
          <TextField
            size="small"
            variant="outlined"
            placeholder="Search name, title or namespace"
            value={search}
            onChange={e => setSearch(e.target.value)}
            inputProps={{ 'aria-label': 'Search clusters' }}
            InputProps={{
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon fontSize="small" />
                </InputAdornment>
              ),
            }}
            style={{ minWidth: 320 }}
          />
          <Typography
            variant="body2"
            color="textSecondary"
            data-testid="cluster-count"
          >
            {data
              ? `${total.toLocaleString('en-US')} cluster${
                  total === 1 ? '' : 's'
                }`
              : ''}
          </Typography>
          <Box flexGrow={1} />
          <Tooltip title="Choose columns">
            <IconButton
              aria-label="Choose columns"
              onClick={e => setColumnMenu(e.currentTarget)}
            >
              <ViewColumnIcon />
            </IconButton>
          </Tooltip>
          <Menu
            anchorEl={columnMenu}
            open={Boolean(columnMenu)}
            onClose={() => setColumnMenu(null)}
          >
            {CLUSTER_COLUMNS.filter(c => !c.fixed).map(c => (
              <MenuItem key={c.id} dense onClick={() => toggleColumn(c.id)}>
                <Checkbox
                  size="small"
                  checked={visible.some(v => v.id === c.id)}
                  tabIndex={-1}
                  disableRipple
                />
                <ListItemText primary={c.title} />
              </MenuItem>
            ))}
          </Menu>
        </Box>
        <FacetFilterBar
          facets={data?.facets}
          filters={query.filters}
          hidden={hiddenFacets}
          onChange={filters => onQueryChange({ ...query, filters })}
        />
      </Box>
      <Box height={4}>{loading && data && <LinearProgress />}</Box>
      {error && (
        <Box p={2}>
          <ResponseErrorPanel error={error} />
        </Box>
      )}
      <TableContainer>
        <Table size="small" aria-label="Clusters" data-testid="cluster-table">
          <TableHead>
            <TableRow>
              {visible.map(col => {
                const sortField = col.sortField;
                return (
                  <TableCell
                    key={col.id}
                    align={col.align}
                    style={{ whiteSpace: 'nowrap', ...CELL_PADDING }}
                  >
                    {sortField ? (
                      <TableSortLabel
                        active={query.sort === sortField}
                        direction={
                          query.sort === sortField ? query.order : 'asc'
                        }
                        onClick={() =>
                          onQueryChange({
                            ...query,
                            sort: sortField,
                            order:
                              query.sort === sortField && query.order === 'asc'
                                ? 'desc'
                                : 'asc',
                          })
                        }
                      >
                        {col.title}
                      </TableSortLabel>
                    ) : (
                      col.title
                    )}
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>
            {items.map(c => (
              <TableRow
                key={stringifyClusterKey(c)}
                hover
                data-testid="cluster-row"
              >
                {visible.map(col => (
                  <TableCell
                    key={col.id}
                    align={col.align}
                    style={
                      col.wrap
                        ? CELL_PADDING
                        : { whiteSpace: 'nowrap', ...CELL_PADDING }
                    }
                  >
                    {col.render(c, { clusterLink: routes.cluster })}
                  </TableCell>
                ))}
              </TableRow>
            ))}
            {!data && loading && (
              <TableRow>
                <TableCell colSpan={visible.length}>
                  <LinearProgress />
                </TableCell>
              </TableRow>
            )}
            {data && items.length === 0 && (
              <TableRow>
                <TableCell colSpan={visible.length}>
                  <Box p={3} textAlign="center">
                    <Typography variant="body1">No clusters match.</Typography>
                    {(query.q ||
                      Object.values(query.filters).some(
                        v => v && v.length > 0,
                      )) && (
                      <Button
                        onClick={() =>
                          onQueryChange({ ...query, q: '', filters: {} })
                        }
                      >
                        Clear search and filters
                      </Button>
                    )}
                  </Box>
                </TableCell>
              </TableRow>
            )}
          </TableBody>
        </Table>
      </TableContainer>
      <Box
        display="flex"
        alignItems="center"
        justifyContent="flex-end"
        px={2}
        py={1}
        style={{ gap: 8 }}
      >
        <Typography variant="body2" data-testid="page-range">
          {data
            ? `${from.toLocaleString('en-US')}–${to.toLocaleString(
                'en-US',
              )} of ${total.toLocaleString('en-US')}`
            : ''}
        </Typography>
        <IconButton
          aria-label="Previous page"
          disabled={current.index === 0}
          onClick={goPrev}
        >
          <ChevronLeftIcon />
        </IconButton>
        <IconButton
          aria-label="Next page"
          disabled={!data?.nextCursor}
          onClick={goNext}
        >
          <ChevronRightIcon />
        </IconButton>
      </Box>
    </Paper>
  );
};
