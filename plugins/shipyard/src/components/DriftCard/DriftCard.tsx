import { InfoCard } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { driftLabel } from '../../lib/drift';
import { SmallTable } from '../SmallTable';

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
        <SmallTable
          label="Drift findings"
          columns={['Drift', 'What', 'Expected', 'Actual', 'Since']}
          items={drift}
          rowKey={f => `${f.kind}/${f.subject ?? ''}`}
          rowTestId={f => `drift-${f.kind}`}
          cells={f => [
            driftLabel(f.kind),
            <>
              {f.subject ?? '—'}
              {f.message && (
                <Typography variant="caption" display="block">
                  {f.message}
                </Typography>
              )}
            </>,
            f.expected,
            f.actual,
            new Date(f.since).toLocaleString(),
          ]}
        />
      )}
      {addons && addons.length > 0 && (
        <>
          <Typography variant="subtitle2" style={{ marginTop: 16 }}>
            Add-on layers
          </Typography>
          <SmallTable
            label="Add-on layers"
            columns={['Layer', 'Version', 'State', 'From']}
            items={addons}
            rowKey={a => `${a.source}/${a.from ?? ''}/${a.name}`}
            cells={a => [
              a.name,
              a.version ?? '—',
              ADDON_STATE[a.state] ?? a.state,
              <>
                {a.source}
                {a.from ? ` ${a.from}` : ''}
              </>,
            ]}
          />
        </>
      )}
    </InfoCard>
  );
};
