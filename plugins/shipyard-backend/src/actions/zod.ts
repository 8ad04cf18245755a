import { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';

/** The zod of the registry (its own copy), as the schema functions of an action receive it. */
export type Zod = Parameters<
  Parameters<ActionsRegistryService['register']>[0]['schema']['input']
>[0];
