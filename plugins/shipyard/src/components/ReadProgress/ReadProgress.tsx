import { Progress, ResponseErrorPanel } from '@backstage/core-components';

/** Where an answer is awaited: the error when the read failed, else a progress bar until the answer comes. */
export const ReadProgress = (props: { answered: boolean; error?: Error }) => {
  if (props.error) return <ResponseErrorPanel error={props.error} />;
  return props.answered ? null : <Progress />;
};
