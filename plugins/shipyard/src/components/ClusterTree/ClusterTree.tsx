import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableContainer from '@material-ui/core/TableContainer';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { ClusterTreeNode } from '@shipyard/plugin-shipyard-common';
import { formatAge, formatReplicas, formatTime } from '../../lib/format';

const useStyles = makeStyles(theme => ({
  name: {
    fontFamily: 'monospace',
    whiteSpace: 'pre',
  },
  nowrap: { whiteSpace: 'nowrap' },
  node: { display: 'block', fontFamily: 'monospace', whiteSpace: 'pre' },
  ready: { color: theme.palette.success.main, fontWeight: 600 },
  notReady: { color: theme.palette.error.main, fontWeight: 600 },
  unknown: { color: theme.palette.text.secondary, fontWeight: 600 },
}));

interface Row {
  prefix: string;
  node: ClusterTreeNode;
  path: string;
}

/** Flattens the tree with `clusterctl describe`-style branch glyphs. */
export function flattenTree(root: ClusterTreeNode): Row[] {
  const rows: Row[] = [];
  const walk = (
    node: ClusterTreeNode,
    indent: string,
    glyph: string,
    path: string,
  ) => {
    rows.push({ prefix: `${indent}${glyph}`, node, path });
    const children = node.children ?? [];
    const childIndent =
      glyph === '' ? '' : `${indent}${glyph === '└─' ? '  ' : '│ '}`;
    children.forEach((child, i) =>
      walk(
        child,
        childIndent,
        i === children.length - 1 ? '└─' : '├─',
        `${path}/${child.kind}:${child.name}:${i}`,
      ),
    );
  };
  walk(root, '', '', `${root.kind}:${root.name}`);
  return rows;
}

/** The object tree of a cluster, laid out like `clusterctl describe cluster`. */
export const ClusterTree = (props: { tree: ClusterTreeNode }) => {
  const classes = useStyles();
  const rows = flattenTree(props.tree);
  return (
    <TableContainer>
      <Table
        size="small"
        aria-label="Cluster object tree"
        data-testid="cluster-tree"
      >
        <TableHead>
          <TableRow>
            {['Name', 'Ready', 'Replicas', 'Phase / version', 'Reason'].map(
              h => (
                <TableCell key={h} className={classes.nowrap}>
                  {h}
                </TableCell>
              ),
            )}
            <TableCell className={classes.nowrap}>Since</TableCell>
            <TableCell>Message</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(({ prefix, node, path }) => {
            let readyClass = classes.unknown;
            if (node.ready === 'True') readyClass = classes.ready;
            else if (node.ready === 'False') readyClass = classes.notReady;
            const continuation = prefix
              .replace(/├─$/, '│ ')
              .replace(/└─$/, '  ');
            return (
              <TableRow key={path}>
                <TableCell className={classes.name}>
                  {prefix}
                  {node.kind === node.name
                    ? node.kind
                    : `${node.kind}/${node.name}`}
                  {node.nodeName && (
                    <Typography
                      variant="caption"
                      color="textSecondary"
                      className={classes.node}
                    >
                      {continuation}node {node.nodeName}
                    </Typography>
                  )}
                </TableCell>
                <TableCell className={`${readyClass} ${classes.nowrap}`}>
                  {node.ready}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {node.replicas ? formatReplicas(node.replicas) : ''}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {[node.phase, node.version].filter(Boolean).join(' · ')}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {node.reason ?? ''}
                </TableCell>
                <TableCell className={classes.nowrap}>
                  {node.since && (
                    <Tooltip title={formatTime(node.since)}>
                      <span>{formatAge(node.since)}</span>
                    </Tooltip>
                  )}
                </TableCell>
                <TableCell>
                  <Typography variant="body2" style={{ minWidth: 200 }}>
                    {node.message ?? ''}
                  </Typography>
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
};
