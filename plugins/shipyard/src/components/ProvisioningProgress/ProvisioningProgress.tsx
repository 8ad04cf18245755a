import Box from '@material-ui/core/Box';
import Step from '@material-ui/core/Step';
import StepLabel from '@material-ui/core/StepLabel';
import Stepper from '@material-ui/core/Stepper';
import Typography from '@material-ui/core/Typography';
import { ClusterSummary } from '@shipyard/plugin-shipyard-common';
import { PercentBar } from '../PercentBar';

/** Progress of a cluster that is coming up, from its conditions and replica counters. */
export function provisioningProgress(c: ClusterSummary): {
  percent: number;
  steps: Array<{ label: string; done: boolean; detail?: string }>;
} {
  const cond = (...types: string[]) =>
    c.conditions.find(x => types.includes(x.type))?.status === 'True';
  const infra = cond('InfrastructureReady') || c.phase === 'Provisioned';
  const cpDesired = c.controlPlane.desired ?? 0;
  const cpReady = Math.min(c.controlPlane.ready ?? 0, cpDesired);
  const wDesired = c.workers.desired ?? 0;
  const wReady = Math.min(c.workers.ready ?? 0, wDesired);
  const cpDone =
    (cpDesired === 0
      ? cond('ControlPlaneAvailable', 'ControlPlaneReady')
      : cpReady >= cpDesired) || false;
  const wDone =
    wDesired === 0 ? cond('WorkersAvailable') || cpDone : wReady >= wDesired;
  const available = cond('Available', 'Ready');
  const total = 1 + Math.max(cpDesired, 1) + wDesired + 1;
  const cpSteps = cpDesired === 0 ? Number(cpDone) : cpReady;
  const done = (infra ? 1 : 0) + cpSteps + wReady + (available ? 1 : 0);
  return {
    percent: Math.round((done / total) * 100),
    steps: [
      { label: 'Infrastructure', done: infra },
      {
        label: 'Control plane',
        done: cpDone,
        detail: cpDesired ? `${cpReady}/${cpDesired} ready` : undefined,
      },
      {
        label: 'Workers',
        done: wDone,
        detail: wDesired ? `${wReady}/${wDesired} ready` : undefined,
      },
      { label: 'Available', done: available },
    ],
  };
}

/** True while a cluster is coming up. */
export function isProvisioning(c: ClusterSummary): boolean {
  return (
    c.health === 'provisioning' ||
    c.phase === 'Pending' ||
    c.phase === 'Provisioning'
  );
}

/** Progress bar and steps of a cluster that is provisioning. */
export const ProvisioningProgress = (props: { cluster: ClusterSummary }) => {
  const { percent, steps } = provisioningProgress(props.cluster);
  const active = steps.findIndex(s => !s.done);
  return (
    <Box data-testid="provisioning-progress">
      <PercentBar percent={percent} label="Provisioning progress" />
      <Stepper activeStep={active < 0 ? steps.length : active} alternativeLabel>
        {steps.map(s => (
          <Step key={s.label} completed={s.done}>
            <StepLabel
              optional={
                s.detail ? (
                  <Typography
                    variant="caption"
                    component="div"
                    align="center"
                    color="textSecondary"
                  >
                    {s.detail}
                  </Typography>
                ) : undefined
              }
            >
              {s.label}
            </StepLabel>
          </Step>
        ))}
      </Stepper>
    </Box>
  );
};
