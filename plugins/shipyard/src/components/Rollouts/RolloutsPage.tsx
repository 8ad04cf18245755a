import {
  Content,
  LinkButton,
  Progress,
  ResponseErrorPanel,
  Table,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import LinearProgress from '@material-ui/core/LinearProgress';
import { useEffect, useState } from 'react';
import { Link, Route, Routes, useParams } from 'react-router-dom';
import { PlanRollout } from './PlanRollout';
import { RolloutDetails, stageProgress } from './RolloutDetails';
import { Rollout, useRolloutsClient } from './rolloutsClient';

function currentStage(r: Rollout) {
  return (
    r.stages.find(s => s.state !== 'completed') ?? r.stages[r.stages.length - 1]
  );
}

/** The rollouts, newest first, refreshed while the page is open. */
export const RolloutList = ({ refreshMs = 5000 }: { refreshMs?: number }) => {
  const client = useRolloutsClient();
  const [items, setItems] = useState<Rollout[]>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let live = true;
    const load = () =>
      client.list().then(
        r => live && setItems(r),
        e => live && setError(e),
      );
    load();
    const timer = setInterval(load, refreshMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, refreshMs]);
  if (error && !items) return <ResponseErrorPanel error={error} />;
  if (!items) return <Progress />;
  return (
    <Table
      title="Rollouts"
      options={{ paging: false, search: false }}
      data={items}
      columns={[
        {
          title: 'Name',
          render: r => <Link to={encodeURIComponent(r.id)}>{r.spec.name}</Link>,
        },
        {
          title: 'Target',
          render: r =>
            r.spec.target.kubernetesVersion ??
            `${r.spec.target.profile} ${r.spec.target.profileVersion}`,
        },
        { title: 'State', field: 'state' },
        {
          title: 'Stage',
          render: r => {
            const s = currentStage(r);
            return s ? (
              <Box minWidth={160}>
                {s.name} ({s.state})
                <LinearProgress
                  variant="determinate"
                  value={stageProgress(s)}
                />
              </Box>
            ) : (
              '—'
            );
          },
        },
        { title: 'Started by', field: 'createdBy' },
        {
          title: 'Created',
          render: r => new Date(r.createdAt).toLocaleString(),
        },
      ]}
    />
  );
};

const RolloutRoute = () => {
  const { id } = useParams();
  return <RolloutDetails id={id!} />;
};

/** `/shipyard/rollouts`: the list, a plan form (`new`) and each rollout (`:id`). */
export const RolloutsPage = () => (
  <Content>
    <Routes>
      <Route
        path="/"
        element={
          <Box display="flex" flexDirection="column" gridGap={16}>
            <Box>
              <LinkButton to="new" variant="contained" color="primary">
                Plan a rollout
              </LinkButton>
            </Box>
            <RolloutList />
          </Box>
        }
      />
      <Route path="/new" element={<PlanRollout />} />
      <Route path="/:id" element={<RolloutRoute />} />
    </Routes>
  </Content>
);
