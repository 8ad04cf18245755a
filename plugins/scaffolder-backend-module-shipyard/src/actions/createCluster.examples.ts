import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `shipyard:cluster:create`. */
export const examples: TemplateExample[] = [
  {
    description:
      'Request a small kubeadm cluster for team-a from the standard profile',
    example: stringify({
      steps: [
        {
          id: 'create',
          name: 'Request cluster',
          action: 'shipyard:cluster:create',
          input: {
            profile: 'clusterprofile:default/kubeadm-standard',
            name: 'payments-dev',
            owner: 'group:default/team-a',
            size: 'small',
            kubernetesVersion: 'v1.35.5',
          },
        },
      ],
    }),
  },
  {
    description:
      'Request a cluster on a chosen management cluster with ClusterClass variables and labels',
    example: stringify({
      steps: [
        {
          id: 'create',
          name: 'Request cluster',
          action: 'shipyard:cluster:create',
          input: {
            profile: 'clusterprofile:default/kubeadm-standard',
            name: 'search-staging',
            owner: 'group:default/team-b',
            managementCluster: 'mgmt-us-1',
            namespace: 'team-b',
            controlPlaneReplicas: 3,
            workerReplicas: 4,
            variables: { cni: 'calico', etcdBackup: true },
            labels: { environment: 'staging' },
          },
        },
      ],
    }),
  },
  {
    description:
      'Write the manifests into the workspace for a GitOps pull request instead of applying them',
    example: stringify({
      steps: [
        {
          id: 'render',
          name: 'Render cluster manifests',
          action: 'shipyard:cluster:create',
          input: {
            profile: 'clusterprofile:default/kubeadm-standard',
            name: 'data-prod',
            owner: 'group:default/team-c',
            size: 'medium',
            mode: 'manifests',
          },
        },
      ],
    }),
  },
];
