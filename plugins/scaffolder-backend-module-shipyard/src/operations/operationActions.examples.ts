import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import { stringify } from 'yaml';

/** Examples of `shipyard:cluster:pause`. */
export const pauseExamples: TemplateExample[] = [
  {
    description: 'Pause a cluster during an incident, until resumed',
    example: stringify({
      steps: [
        {
          id: 'pause',
          name: 'Pause cluster',
          action: 'shipyard:cluster:pause',
          input: {
            cluster: '${{ parameters.cluster }}',
            reason: 'INC-1234: keep the nodes as they are while we investigate',
          },
        },
      ],
    }),
  },
  {
    description: 'Pause a cluster for a maintenance window that ends by itself',
    example: stringify({
      steps: [
        {
          id: 'pause',
          name: 'Pause cluster',
          action: 'shipyard:cluster:pause',
          input: {
            cluster: 'mgmt-eu-1/team-a/payments-dev',
            reason: 'storage migration',
            expiresAt: '2026-12-24T18:00:00Z',
          },
        },
      ],
    }),
  },
];

/** Examples of `shipyard:cluster:resume`. */
export const resumeExamples: TemplateExample[] = [
  {
    description: 'Resume a paused cluster',
    example: stringify({
      steps: [
        {
          id: 'resume',
          name: 'Resume cluster',
          action: 'shipyard:cluster:resume',
          input: { cluster: '${{ parameters.cluster }}' },
        },
      ],
    }),
  },
];

/** Examples of `shipyard:cluster:scale`. */
export const scaleExamples: TemplateExample[] = [
  {
    description: 'Add workers to a MachineDeployment for a launch',
    example: stringify({
      steps: [
        {
          id: 'scale',
          name: 'Resize cluster',
          action: 'shipyard:cluster:scale',
          input: {
            cluster: '${{ parameters.cluster }}',
            workers: [{ name: 'payments-prod-md-0-7c9f', replicas: 6 }],
          },
        },
      ],
    }),
  },
  {
    description: 'Switch a cluster to another named size of its profile',
    example: stringify({
      steps: [
        {
          id: 'scale',
          name: 'Resize cluster',
          action: 'shipyard:cluster:scale',
          input: { cluster: 'mgmt-eu-1/team-a/payments-dev', size: 'large' },
        },
      ],
    }),
  },
];

/** Examples of `shipyard:cluster:decommission`. */
export const decommissionExamples: TemplateExample[] = [
  {
    description:
      'Decommission a cluster chosen in the form, its name typed again by the user',
    example: stringify({
      steps: [
        {
          id: 'decommission',
          name: 'Decommission cluster',
          action: 'shipyard:cluster:decommission',
          input: {
            cluster: '${{ parameters.cluster }}',
            confirm: '${{ parameters.confirmName }}',
            reason: '${{ parameters.reason }}',
          },
        },
      ],
    }),
  },
  {
    description:
      "A second person of the platform team approves a production cluster's pending decommission (its owners asked for it); the deletion starts",
    example: stringify({
      steps: [
        {
          id: 'approve',
          name: 'Approve the decommission',
          action: 'shipyard:cluster:decommission',
          input: {
            cluster: 'mgmt-eu-1/team-a/payments-prod',
            confirm: 'payments-prod',
            reason: 'replaced by payments-prod-2',
            approve: true,
          },
        },
      ],
    }),
  },
  {
    description: "Cancel a production cluster's pending decommission",
    example: stringify({
      steps: [
        {
          id: 'cancel',
          name: 'Cancel the decommission',
          action: 'shipyard:cluster:decommission',
          input: {
            cluster: 'mgmt-eu-1/team-a/payments-prod',
            cancel: true,
            reason: 'still serving traffic',
          },
        },
      ],
    }),
  },
];

/** Examples of `shipyard:cluster:move-profile-version`. */
export const moveProfileVersionExamples: TemplateExample[] = [
  {
    description:
      "Move a cluster to its profile's latest released version (a dry run first shows the spec.topology diff)",
    example: stringify({
      steps: [
        {
          id: 'preview',
          name: 'Preview the move',
          action: 'shipyard:cluster:move-profile-version',
          input: { cluster: '${{ parameters.cluster }}', dryRun: true },
        },
        {
          id: 'move',
          name: 'Move to the new profile version',
          action: 'shipyard:cluster:move-profile-version',
          input: { cluster: '${{ parameters.cluster }}' },
        },
      ],
    }),
  },
  {
    description:
      'Move a cluster to a named profile version and Kubernetes version',
    example: stringify({
      steps: [
        {
          id: 'move',
          name: 'Move to kubeadm-standard 2.1.0',
          action: 'shipyard:cluster:move-profile-version',
          input: {
            cluster: 'mgmt-eu-1/team-a/payments-dev',
            version: '2.1.0',
            kubernetesVersion: 'v1.35.5',
          },
        },
      ],
    }),
  },
];
