import { StatusCause } from './errors';
import { ResourceType } from './registry';
import { labelSelectorFromObject } from './selectors';
import { JsonObject, asObject, deepEqual, isObject } from '../util/json';

export const CLUSTER_NAME_LABEL = 'cluster.x-k8s.io/cluster-name';
export const DEPLOYMENT_NAME_LABEL = 'cluster.x-k8s.io/deployment-name';
export const SET_NAME_LABEL = 'cluster.x-k8s.io/set-name';

const SEMVER = /^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/;

function labelsOf(obj: JsonObject): JsonObject {
  const metadata = asObject(obj.metadata) ?? {};
  obj.metadata = metadata;
  const labels = asObject(metadata.labels) ?? {};
  metadata.labels = labels;
  return labels;
}

/** Defaulting the Cluster API webhooks do. Mutates the storage-version object. */
export function applyDefaults(t: ResourceType, obj: JsonObject): void {
  if (t.group !== 'cluster.x-k8s.io' && t.kind !== 'KubeadmControlPlane')
    return;
  const spec = asObject(obj.spec);
  const name = String(asObject(obj.metadata)?.name ?? '');
  const clusterName =
    typeof spec?.clusterName === 'string' ? spec.clusterName : undefined;
  if (
    clusterName &&
    [
      'MachineDeployment',
      'MachineSet',
      'Machine',
      'MachinePool',
      'MachineHealthCheck',
    ].includes(t.kind)
  ) {
    labelsOf(obj)[CLUSTER_NAME_LABEL] = clusterName;
  }
  if (!spec) return;
  if (t.kind === 'MachineDeployment' || t.kind === 'MachineSet') {
    if (spec.replicas === undefined) spec.replicas = 1;
    const selector = asObject(spec.selector) ?? {};
    const matchLabels = asObject(selector.matchLabels) ?? {};
    const hasExpressions =
      Array.isArray(selector.matchExpressions) &&
      selector.matchExpressions.length > 0;
    if (Object.keys(matchLabels).length === 0 && !hasExpressions) {
      if (clusterName) matchLabels[CLUSTER_NAME_LABEL] = clusterName;
      matchLabels[
        t.kind === 'MachineDeployment' ? DEPLOYMENT_NAME_LABEL : SET_NAME_LABEL
      ] = name;
    }
    selector.matchLabels = matchLabels;
    spec.selector = selector;
    const template = asObject(spec.template) ?? {};
    const tmeta = asObject(template.metadata) ?? {};
    const tlabels = asObject(tmeta.labels) ?? {};
    for (const [k, v] of Object.entries(matchLabels))
      if (tlabels[k] === undefined) tlabels[k] = v;
    if (clusterName) tlabels[CLUSTER_NAME_LABEL] = clusterName;
    tmeta.labels = tlabels;
    template.metadata = tmeta;
    spec.template = template;
    const tspec = asObject(template.spec);
    if (tspec && clusterName && tspec.clusterName === undefined)
      tspec.clusterName = clusterName;
  }
  if (t.kind === 'MachinePool' && spec.replicas === undefined)
    spec.replicas = 1;
  if (t.kind === 'KubeadmControlPlane' && spec.replicas === undefined)
    spec.replicas = 1;
}

function checkVersion(
  causes: StatusCause[],
  value: unknown,
  field: string,
): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !SEMVER.test(value)) {
    causes.push({
      reason: 'FieldValueInvalid',
      field,
      message: `Invalid value: ${JSON.stringify(
        value,
      )}: must be a valid semantic version`,
    });
  }
}

/** Validation the Cluster API webhooks do; returns the causes of an Invalid error. */
export function validateObject(
  t: ResourceType,
  obj: JsonObject,
  old: JsonObject | undefined,
): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = asObject(obj.spec);
  const oldSpec = old ? asObject(old.spec) : undefined;
  if (t.group === 'cluster.x-k8s.io') {
    if (t.kind === 'Cluster') {
      checkVersion(
        causes,
        asObject(spec?.topology)?.version,
        'spec.topology.version',
      );
      const topology = asObject(spec?.topology);
      const oldTopology = asObject(oldSpec?.topology);
      if (old && oldTopology && !topology) {
        causes.push({
          reason: 'FieldValueForbidden',
          field: 'spec.topology',
          message: 'Forbidden: cannot be removed from an existing Cluster',
        });
      }
    }
    if (['Machine'].includes(t.kind))
      checkVersion(causes, spec?.version, 'spec.version');
    if (['MachineDeployment', 'MachineSet', 'MachinePool'].includes(t.kind)) {
      checkVersion(
        causes,
        asObject(asObject(spec?.template)?.spec)?.version,
        'spec.template.spec.version',
      );
      const replicas = spec?.replicas;
      if (typeof replicas === 'number' && replicas < 0) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.replicas',
          message: `Invalid value: ${replicas}: must be greater than or equal to 0`,
        });
      }
    }
    if (['MachineDeployment', 'MachineSet'].includes(t.kind) && spec) {
      const selector = labelSelectorFromObject(spec.selector);
      const templateLabels =
        asObject(asObject(asObject(spec.template)?.metadata)?.labels) ?? {};
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(templateLabels))
        if (typeof v === 'string') labels[k] = v;
      if (!selector.matches(labels)) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.template.metadata.labels',
          message: `Invalid value: ${JSON.stringify(
            templateLabels,
          )}: must match spec.selector`,
        });
      }
    }
    if (
      old &&
      [
        'MachineDeployment',
        'MachineSet',
        'Machine',
        'MachinePool',
        'MachineHealthCheck',
      ].includes(t.kind)
    ) {
      if (oldSpec?.clusterName !== spec?.clusterName) {
        causes.push({
          reason: 'FieldValueInvalid',
          field: 'spec.clusterName',
          message: 'Invalid value: field is immutable',
        });
      }
    }
  }
  if (t.kind === 'KubeadmControlPlane') {
    checkVersion(causes, spec?.version, 'spec.version');
    const replicas = spec?.replicas;
    if (typeof replicas === 'number' && replicas > 0 && replicas % 2 === 0) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'spec.replicas',
        message: 'Forbidden: cannot be an even number when etcd is stacked',
      });
    }
  }
  if (t.kind === 'Secret' && old && old.immutable === true) {
    if (!deepEqual(old.data, obj.data) || obj.immutable !== true) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'data',
        message: 'Forbidden: field is immutable when `immutable` is set',
      });
    }
  }
  if (t.kind === 'ConfigMap' && old && old.immutable === true) {
    if (!deepEqual(old.data, obj.data) || obj.immutable !== true) {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'data',
        message: 'Forbidden: field is immutable when `immutable` is set',
      });
    }
  }
  return causes;
}

export function isNamespaceTerminating(ns: JsonObject | undefined): boolean {
  if (!ns) return false;
  const metadata = asObject(ns.metadata);
  return (
    Boolean(metadata?.deletionTimestamp) ||
    asObject(ns.status)?.phase === 'Terminating'
  );
}

export function hasFinalizers(obj: JsonObject): boolean {
  const f = asObject(obj.metadata)?.finalizers;
  return Array.isArray(f) && f.length > 0;
}

export function namespaceSpecFinalizers(obj: JsonObject): string[] {
  const f = asObject(obj.spec)?.finalizers;
  return Array.isArray(f)
    ? f.filter((x): x is string => typeof x === 'string')
    : [];
}

export function isController(ref: unknown): boolean {
  return isObject(ref) && ref.controller === true;
}
