import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `shipyard:cluster:upgrade`. */
export const examples: TemplateExample[] = [
  {
    description:
      'Upgrade a cluster picked in the form to the next minor version',
    example: stringify({
      steps: [
        {
          id: 'upgrade',
          name: 'Upgrade cluster',
          action: 'shipyard:cluster:upgrade',
          input: {
            cluster: '${{ parameters.cluster }}',
            kubernetesVersion: 'v1.36.2',
          },
        },
      ],
    }),
  },
  {
    description:
      'Upgrade a cluster named by its management cluster, namespace and name',
    example: stringify({
      steps: [
        {
          id: 'upgrade',
          name: 'Upgrade cluster',
          action: 'shipyard:cluster:upgrade',
          input: {
            cluster: 'mgmt-eu-1/team-a/payments-dev',
            kubernetesVersion: 'v1.35.5',
          },
        },
      ],
    }),
  },
];
