import { ClusterOperations } from './ClusterOperations';
import { OperationsConfig } from './config';
import { OperationTracker } from './OperationTracker';
import { ProfileSizes } from './profiles';

/** What the day-2 operations of a cluster and their routes use. */
export interface OperationServices {
  operations: ClusterOperations;
  tracker: OperationTracker;
  profiles: ProfileSizes;
  config: OperationsConfig;
  /** Entity ref of the platform team, whose second person approves a production decommission. */
  platformTeam: string;
}
