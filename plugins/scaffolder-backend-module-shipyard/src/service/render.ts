import { JsonValue } from '@backstage/types';
import {
  capiApiVersion,
  LABEL_OWNER,
  LABEL_PROFILE,
  LABEL_PROFILE_VERSION,
} from '@shipyard/plugin-shipyard-common';
import { stringify } from 'yaml';

/** Annotation on requested clusters: the scaffolder task that created them (for idempotent retries). */
export const ANNOTATION_REQUEST_TASK = 'shipyard.io/request-task';
/** Annotation on requested clusters: who asked for them. */
export const ANNOTATION_REQUESTED_BY = 'shipyard.io/requested-by';

/** Everything a topology Cluster is rendered from. */
export interface ClusterRenderInput {
  name: string;
  namespace: string;
  owner: string;
  profileName: string;
  profileVersion: string;
  clusterClass: { name: string; namespace?: string };
  kubernetesVersion: string;
  controlPlaneReplicas?: number;
  workers: { class: string; name: string; replicas: number };
  variables: Array<{ name: string; value: JsonValue }>;
  labels: Record<string, string>;
  requestedBy?: string;
  taskId?: string;
}

/**
 * The owner as a label value, when it can be one: label values may not contain `:` or `/`, and the backend reads a
 * bare name as a group of the `default` namespace. Owners elsewhere are carried by the annotation only.
 */
export function ownerLabelValue(owner: string): string | undefined {
  const m =
    /^(?:group:)?(?:default\/)?([a-z0-9A-Z]([-a-zA-Z0-9_.]{0,61}[a-zA-Z0-9])?)$/.exec(
      owner,
    );
  return m ? m[1] : undefined;
}

/** Renders a CAPI `cluster.x-k8s.io/v1beta2` topology Cluster. */
export function renderCluster(input: ClusterRenderInput): Record<string, any> {
  const annotations: Record<string, string> = { [LABEL_OWNER]: input.owner };
  if (input.requestedBy)
    annotations[ANNOTATION_REQUESTED_BY] = input.requestedBy;
  if (input.taskId) annotations[ANNOTATION_REQUEST_TASK] = input.taskId;
  const controlPlane: Record<string, unknown> = {};
  if (
    input.controlPlaneReplicas !== undefined &&
    input.controlPlaneReplicas > 0
  ) {
    controlPlane.replicas = input.controlPlaneReplicas;
  }
  const classRef: Record<string, string> = { name: input.clusterClass.name };
  if (
    input.clusterClass.namespace &&
    input.clusterClass.namespace !== input.namespace
  ) {
    classRef.namespace = input.clusterClass.namespace;
  }
  const topology: Record<string, unknown> = {
    classRef,
    version: input.kubernetesVersion,
    controlPlane,
    workers: {
      machineDeployments: [
        {
          class: input.workers.class,
          name: input.workers.name,
          replicas: input.workers.replicas,
        },
      ],
    },
  };
  if (input.variables.length > 0) topology.variables = input.variables;
  return {
    apiVersion: capiApiVersion(),
    kind: 'Cluster',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels: ownerLabels(input.owner, {
        ...input.labels,
        [LABEL_PROFILE]: input.profileName,
        [LABEL_PROFILE_VERSION]: input.profileVersion,
      }),
      annotations,
    },
    spec: { topology },
  };
}

function ownerLabels(
  owner: string,
  labels: Record<string, string>,
): Record<string, string> {
  const value = ownerLabelValue(owner);
  return value ? { ...labels, [LABEL_OWNER]: value } : labels;
}

/** A Namespace object. */
export function renderNamespace(
  name: string,
  owner: string,
): Record<string, any> {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: ownerLabels(owner, {}),
      annotations: { [LABEL_OWNER]: owner },
    },
  };
}

/** Multi-document YAML of the objects. */
export function toYaml(objects: Array<Record<string, any>>): string {
  return objects.map(o => stringify(o, { lineWidth: 0 })).join('---\n');
}
