import { InfoCard } from '@backstage/core-components';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { driftLabel } from '../../lib/drift';

const ADDON_STATE: Record<string, string> = {
  installed: 'Installed',
  failed: 'Failed',
  pending: 'Pending',
};

/**
 * The Drift section of a cluster page: how the cluster differs from its profile version (expected against actual,
 * since when) and the add-on layers as Cluster API's add-on objects report them.
 */
export const DriftCard = (props: {
  cluster: Pick<
    ClusterSummary,
    'drift' | 'addons' | 'profile' | 'profileVersion'
  >;
}) => {
  const { drift, addons, profile, profileVersion } = props.cluster;
  const subheader = profile
    ? `Compared with profile ${profile}${
        profileVersion ? ` version ${profileVersion}` : ''
      }`
    : undefined;
  return (
    <InfoCard title="Drift" subheader={subheader}>
      {drift === undefined && (
        <Typography variant="body2" data-testid="drift-unknown">
          Not compared: the cluster names no profile the catalog holds.
        </Typography>
      )}
      {drift?.length === 0 && (
        <Alert severity="success" data-testid="drift-none">
          In sync with its profile version.
        </Alert>
      )}
      {drift && drift.length > 0 && (
        <Table size="small" aria-label="Drift findings">
          <TableHead>
            <TableRow>
              <TableCell>Drift</TableCell>
              <TableCell>What</TableCell>
              <TableCell>Expected</TableCell>
              <TableCell>Actual</TableCell>
              <TableCell>Since</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {drift.map(f => (
              <TableRow
                key={`${f.kind}/${f.subject ?? ''}`}
                data-testid={`drift-${f.kind}`}
              >
                <TableCell>{driftLabel(f.kind)}</TableCell>
                <TableCell>
                  {f.subject ?? '—'}
                  {f.message && (
                    <Typography variant="caption" display="block">
                      {f.message}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>{f.expected}</TableCell>
                <TableCell>{f.actual}</TableCell>
                <TableCell>{new Date(f.since).toLocaleString()}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {addons && addons.length > 0 && (
        <>
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Add-on layers
          </Typography>
          <Table size="small" aria-label="Add-on layers">
            <TableHead>
              <TableRow>
                <TableCell>Layer</TableCell>
                <TableCell>Version</TableCell>
                <TableCell>State</TableCell>
                <TableCell>From</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {addons.map(a => (
                <TableRow key={`${a.source}/${a.from ?? ''}/${a.name}`}>
                  <TableCell>{a.name}</TableCell>
                  <TableCell>{a.version ?? '—'}</TableCell>
                  <TableCell>{ADDON_STATE[a.state] ?? a.state}</TableCell>
                  <TableCell>
                    {a.source}
                    {a.from ? ` ${a.from}` : ''}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      )}
    </InfoCard>
  );
};
