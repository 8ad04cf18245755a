import Box from '@material-ui/core/Box';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { HealthTransition } from '@shipyard/plugin-shipyard-common';
import { formatTime } from '../../lib/format';
import { HEALTH_COLORS, isHealthStatus, healthLabel } from '../../lib/health';
import { HealthStatusLabel } from '../StatusLabels';

/** Health over time: a colour band (oldest left) and the transitions, newest first. */
export const HealthTimeline = (props: {
  items: HealthTransition[];
  now?: number;
}) => {
  const items = [...props.items].sort((a, b) => a.at.localeCompare(b.at));
  if (items.length === 0) {
    return (
      <Typography
        variant="body2"
        color="textSecondary"
        data-testid="health-timeline-empty"
      >
        No health history recorded yet.
      </Typography>
    );
  }
  const now = props.now ?? Date.now();
  const start = Date.parse(items[0].at);
  const span = Math.max(1, now - start);
  return (
    <Box data-testid="health-timeline">
      <Box display="flex" height={16} borderRadius={2} overflow="hidden" mb={2}>
        {items.map((t, i) => {
          const from = Date.parse(t.at);
          const to = i + 1 < items.length ? Date.parse(items[i + 1].at) : now;
          const width = Math.max(0.5, ((to - from) / span) * 100);
          return (
            <Tooltip
              key={`${t.at}-${i}`}
              title={`${healthLabel(t.health)} from ${formatTime(t.at)}`}
            >
              <div
                style={{
                  width: `${width}%`,
                  backgroundColor: isHealthStatus(t.health)
                    ? HEALTH_COLORS[t.health]
                    : '#9e9e9e',
                }}
              />
            </Tooltip>
          );
        })}
      </Box>
      <List dense disablePadding>
        {[...items]
          .reverse()
          .slice(0, 20)
          .map((t, i) => (
            <ListItem key={`${t.at}-${i}`} disableGutters>
              <ListItemText
                style={{ whiteSpace: 'normal', overflowWrap: 'anywhere' }}
                primary={
                  <Box display="flex" alignItems="center" style={{ gap: 8 }}>
                    <span>{formatTime(t.at)}</span>
                    {t.previous && (
                      <Typography variant="body2" color="textSecondary">
                        {healthLabel(t.previous)} →
                      </Typography>
                    )}
                    <HealthStatusLabel health={t.health} />
                  </Box>
                }
                secondary={
                  t.reasons.map(r => `${r.type}: ${r.message}`).join('; ') ||
                  undefined
                }
              />
            </ListItem>
          ))}
      </List>
    </Box>
  );
};
