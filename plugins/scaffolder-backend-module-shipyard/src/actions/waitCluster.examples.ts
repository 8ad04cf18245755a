import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `shipyard:cluster:wait`. */
export const examples: TemplateExample[] = [
  {
    description:
      'Wait until the cluster requested in a previous step is provisioned and healthy',
    example: stringify({
      steps: [
        {
          id: 'wait',
          name: 'Wait for the cluster',
          action: 'shipyard:cluster:wait',
          input: {
            managementCluster: '${{ steps.create.output.managementCluster }}',
            namespace: '${{ steps.create.output.namespace }}',
            name: '${{ steps.create.output.name }}',
            timeoutSeconds: 1800,
          },
        },
      ],
    }),
  },
  {
    description:
      'Wait for a cluster entity to be provisioned, accepting a degraded cluster',
    example: stringify({
      steps: [
        {
          id: 'wait',
          name: 'Wait for the cluster',
          action: 'shipyard:cluster:wait',
          input: {
            cluster: 'resource:default/mgmt-eu-1--team-a--payments-dev',
            phase: 'Provisioned',
            health: 'degraded',
          },
        },
      ],
    }),
  },
];
