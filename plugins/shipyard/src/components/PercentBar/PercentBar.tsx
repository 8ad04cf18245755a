import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import Typography from '@material-ui/core/Typography';

/** A determinate progress bar with its percentage beside it (`label` names it for assistive technology). */
export const PercentBar = (props: { percent: number; label: string }) => (
  <Box display="flex" alignItems="center" style={{ gap: 12 }}>
    <Box flexGrow={1}>
      <LinearProgress
        variant="determinate"
        value={props.percent}
        aria-label={props.label}
      />
    </Box>
    <Typography variant="body2">{props.percent}%</Typography>
  </Box>
);
