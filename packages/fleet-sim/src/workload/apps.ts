/**
 * The applications a simulated workload cluster runs, as the Backstage Kubernetes plugin lists them for a component
 * (by its `backstage.io/kubernetes-id` label): every workload cluster runs the demo catalog's `storefront` in its own
 * namespace (a Deployment, its ReplicaSet and Pods, a Service and a HorizontalPodAutoscaler), and serves the other
 * kinds the plugin asks for (config maps, limit ranges, resource quotas, jobs, cron jobs, ingresses, stateful sets,
 * daemon sets) as empty lists.
 */
import { ResourceType } from '../api/registry';
import { ts } from '../capi/kinds';
import { JsonObject, asObject } from '../util/json';
import { md5Uid } from './ids';
import type { WorkloadCluster } from './workload';

/** The label the Backstage Kubernetes plugin selects a component's objects by. */
export const KUBERNETES_ID_LABEL = 'backstage.io/kubernetes-id';

/** The demo application every workload cluster runs. */
export const DEMO_APP = {
  name: 'storefront',
  namespace: 'storefront',
  replicas: 2,
};

function resourceType(
  group: string,
  version: string,
  kind: string,
  plural: string,
): ResourceType {
  return {
    id: `${group || 'core'}/${plural}`,
    group,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    versions: [{ name: version, served: true, storage: true }],
    status: true,
    custom: false,
    verbs: ['get', 'list', 'watch'],
    returnDeletedObject: false,
  };
}

/** The application kinds a workload cluster serves (read-only), besides nodes, namespaces and pods. */
export function applicationResourceTypes(): ResourceType[] {
  return [
    resourceType('', 'v1', 'Service', 'services'),
    resourceType('', 'v1', 'ConfigMap', 'configmaps'),
    resourceType('', 'v1', 'LimitRange', 'limitranges'),
    resourceType('', 'v1', 'ResourceQuota', 'resourcequotas'),
    resourceType('apps', 'v1', 'Deployment', 'deployments'),
    resourceType('apps', 'v1', 'ReplicaSet', 'replicasets'),
    resourceType('apps', 'v1', 'StatefulSet', 'statefulsets'),
    resourceType('apps', 'v1', 'DaemonSet', 'daemonsets'),
    resourceType(
      'autoscaling',
      'v2',
      'HorizontalPodAutoscaler',
      'horizontalpodautoscalers',
    ),
    resourceType('batch', 'v1', 'Job', 'jobs'),
    resourceType('batch', 'v1', 'CronJob', 'cronjobs'),
    resourceType('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  ];
}

/** The demo application's objects of one kind (by plural) on a workload cluster; none for other kinds. */
export function applicationObjects(
  w: WorkloadCluster,
  plural: string,
  nodes: JsonObject[],
): JsonObject[] {
  if (nodes.length === 0) return [];
  const { name, namespace, replicas } = DEMO_APP;
  const created = String(
    asObject(w.clusterObject()?.metadata)?.creationTimestamp ?? ts(Date.now()),
  );
  const labels = { app: name, [KUBERNETES_ID_LABEL]: name };
  const image = `ghcr.io/example/${name}:1.4.2`;
  const hash = md5Uid(`${w.id}/rs/${name}`).slice(0, 10);
  const meta = (kind: string, objectName: string, extra: JsonObject = {}) => ({
    name: objectName,
    namespace,
    uid: md5Uid(`${w.id}/${kind}/${objectName}`),
    resourceVersion: '1',
    generation: 1,
    creationTimestamp: created,
    labels: { ...labels },
    ...extra,
  });
  const template = {
    metadata: { labels: { ...labels, 'pod-template-hash': hash } },
    spec: {
      containers: [
        {
          name,
          image,
          ports: [{ containerPort: 8080, protocol: 'TCP' }],
          resources: {
            requests: { cpu: '100m', memory: '128Mi' },
            limits: { cpu: '500m', memory: '256Mi' },
          },
        },
      ],
    },
  };
  switch (plural) {
    case 'deployments':
      return [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: meta('deployment', name),
          spec: {
            replicas,
            selector: { matchLabels: { app: name } },
            strategy: { type: 'RollingUpdate' },
            template,
          },
          status: {
            observedGeneration: 1,
            replicas,
            updatedReplicas: replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
              {
                type: 'Available',
                status: 'True',
                reason: 'MinimumReplicasAvailable',
                lastTransitionTime: created,
              },
              {
                type: 'Progressing',
                status: 'True',
                reason: 'NewReplicaSetAvailable',
                lastTransitionTime: created,
              },
            ],
          },
        },
      ];
    case 'replicasets':
      return [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: meta('replicaset', `${name}-${hash}`, {
            labels: { ...labels, 'pod-template-hash': hash },
            annotations: { 'deployment.kubernetes.io/revision': '1' },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name,
                uid: md5Uid(`${w.id}/deployment/${name}`),
                controller: true,
              },
            ],
          }),
          spec: {
            replicas,
            selector: {
              matchLabels: { app: name, 'pod-template-hash': hash },
            },
            template,
          },
          status: {
            observedGeneration: 1,
            replicas,
            readyReplicas: replicas,
            availableReplicas: replicas,
            fullyLabeledReplicas: replicas,
          },
        },
      ];
    case 'pods':
      return Array.from({ length: replicas }, (_, i) => {
        const node = nodes[i % nodes.length];
        const podName = `${name}-${hash}-${md5Uid(`${w.id}/pod/${i}`).slice(
          0,
          5,
        )}`;
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: meta('pod', podName, {
            labels: { ...labels, 'pod-template-hash': hash },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `${name}-${hash}`,
                uid: md5Uid(`${w.id}/replicaset/${name}-${hash}`),
                controller: true,
              },
            ],
          }),
          spec: {
            ...template.spec,
            nodeName: String(asObject(node.metadata)?.name ?? ''),
          },
          status: {
            phase: 'Running',
            podIP: `10.244.${i}.${10 + i}`,
            startTime: created,
            conditions: ['Initialized', 'Ready', 'ContainersReady'].map(
              type => ({ type, status: 'True', lastTransitionTime: created }),
            ),
            containerStatuses: [
              {
                name,
                image,
                imageID: image,
                ready: true,
                started: true,
                restartCount: 0,
                state: { running: { startedAt: created } },
              },
            ],
          },
        };
      });
    case 'services':
      return [
        {
          apiVersion: 'v1',
          kind: 'Service',
          metadata: meta('service', name),
          spec: {
            type: 'ClusterIP',
            selector: { app: name },
            ports: [
              { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
            ],
          },
          status: { loadBalancer: {} },
        },
      ];
    case 'horizontalpodautoscalers':
      return [
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: meta('hpa', name),
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
            minReplicas: replicas,
            maxReplicas: replicas * 3,
            metrics: [
              {
                type: 'Resource',
                resource: {
                  name: 'cpu',
                  target: { type: 'Utilization', averageUtilization: 70 },
                },
              },
            ],
          },
          status: { currentReplicas: replicas, desiredReplicas: replicas },
        },
      ];
    default:
      return [];
  }
}
