import { JSONPath } from 'jsonpath-plus';
import { PrinterColumn, ResourceType } from './registry';
import {
  JsonObject,
  JsonValue,
  asArray,
  asObject,
  isObject,
} from '../util/json';

const pathCache = new Map<string, string>();

/**
 * Rewrites a Kubernetes JSONPath (`.status.conditions[?(@.type=="Ready")].status`, `{.metadata.name}`, names with
 * escaped dots) as the JSONPath jsonpath-plus evaluates (`$.status...`, quoted names in brackets).
 */
export function toJsonPath(expression: string): string {
  const cached = pathCache.get(expression);
  if (cached !== undefined) return cached;
  let expr = expression.trim();
  if (expr.startsWith('{') && expr.endsWith('}')) expr = expr.slice(1, -1);
  if (expr.startsWith('$')) expr = expr.slice(1);
  let out = '$';
  let i = 0;
  const name = (n: string) =>
    /^[A-Za-z_][A-Za-z0-9_]*$/.test(n) || n === '*'
      ? `.${n}`
      : `[${JSON.stringify(n).replace(/^"|"$/g, "'")}]`;
  while (i < expr.length) {
    const ch = expr[i];
    if (ch === '[') {
      let depth = 0;
      let quote: string | undefined;
      let j = i;
      for (; j < expr.length; j++) {
        const c = expr[j];
        if (quote) {
          if (c === '\\') j++;
          else if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '[') depth++;
        else if (c === ']' && --depth === 0) break;
      }
      if (j >= expr.length)
        throw new Error(`unterminated [ in JSONPath ${expression}`);
      const inner = expr.slice(i + 1, j).trim();
      i = j + 1;
      if (inner.startsWith("'") || inner.startsWith('"')) {
        const body = inner.slice(1, inner.lastIndexOf(inner[0]));
        out += name(body.replace(/\\(.)/g, '$1'));
      } else {
        out += `[${inner}]`;
      }
      continue;
    }
    if (ch === '.') i++;
    let n = '';
    while (i < expr.length && expr[i] !== '.' && expr[i] !== '[') {
      if (expr[i] === '\\' && i + 1 < expr.length) {
        n += expr[i + 1];
        i += 2;
      } else {
        n += expr[i++];
      }
    }
    if (n) out += name(n);
  }
  pathCache.set(expression, out);
  return out;
}

/** All values a Kubernetes JSONPath selects in `obj` (jsonpath-plus). */
export function evaluateJsonPath(
  obj: unknown,
  expression: string,
): JsonValue[] {
  if (obj === null || typeof obj !== 'object') return [];
  return JSONPath({
    path: toJsonPath(expression),
    json: obj as JsonObject,
    wrap: true,
  }) as JsonValue[];
}

/** Formats an elapsed time as `kubectl` does (`5m`, `3h12m`, `12d`). */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24);
    const dy = days % 365;
    return dy === 0
      ? `${Math.floor(days / 365)}y`
      : `${Math.floor(days / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(timestamp: unknown, now: number): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
}

export interface ColumnDefinition extends JsonObject {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface Printer {
  columns: ColumnDefinition[];
  cells(obj: JsonObject, now: number): JsonValue[];
}

function def(
  name: string,
  type = 'string',
  priority = 0,
  format = '',
  description = '',
): ColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME_COLUMN = def(
  'Name',
  'string',
  0,
  'name',
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
);

function meta(obj: JsonObject): JsonObject {
  return asObject(obj.metadata) ?? {};
}

function conditionStatus(obj: JsonObject, type: string): string | undefined {
  const conditions = asArray(asObject(obj.status)?.conditions) ?? [];
  for (const c of conditions) {
    if (isObject(c) && c.type === type && typeof c.status === 'string')
      return c.status;
  }
  return undefined;
}

const BUILTIN_PRINTERS: Record<string, Printer> = {
  Namespace: {
    columns: [
      NAME_COLUMN,
      def('Status', 'string', 0, '', 'The status of the namespace'),
      def('Age', 'string', 0, '', 'CreationTimestamp'),
    ],
    cells: (o, now) => [
      String(meta(o).name ?? ''),
      String(asObject(o.status)?.phase ?? 'Active'),
      age(meta(o).creationTimestamp, now),
    ],
  },
  Secret: {
    columns: [NAME_COLUMN, def('Type'), def('Data'), def('Age')],
    cells: (o, now) => [
      String(meta(o).name ?? ''),
      String(o.type ?? 'Opaque'),
      Object.keys(asObject(o.data) ?? {}).length,
      age(meta(o).creationTimestamp, now),
    ],
  },
  ConfigMap: {
    columns: [NAME_COLUMN, def('Data'), def('Age')],
    cells: (o, now) => [
      String(meta(o).name ?? ''),
      Object.keys(asObject(o.data) ?? {}).length +
        Object.keys(asObject(o.binaryData) ?? {}).length,
      age(meta(o).creationTimestamp, now),
    ],
  },
  ServiceAccount: {
    columns: [NAME_COLUMN, def('Secrets'), def('Age')],
    cells: (o, now) => [
      String(meta(o).name ?? ''),
      (Array.isArray(o.secrets) ? o.secrets : []).length,
      age(meta(o).creationTimestamp, now),
    ],
  },
  Node: {
    columns: [
      NAME_COLUMN,
      def('Status'),
      def('Roles'),
      def('Age'),
      def('Version'),
      def('Internal-IP', 'string', 1),
      def('External-IP', 'string', 1),
      def('OS-Image', 'string', 1),
      def('Kernel-Version', 'string', 1),
      def('Container-Runtime', 'string', 1),
    ],
    cells: (o, now) => {
      const status = asObject(o.status) ?? {};
      const info = asObject(status.nodeInfo) ?? {};
      const ready = conditionStatus(o, 'Ready');
      let state = 'Unknown';
      if (ready === 'True') state = 'Ready';
      if (ready === 'False') state = 'NotReady';
      if (asObject(o.spec)?.unschedulable === true)
        state += ',SchedulingDisabled';
      const roles = Object.keys(asObject(meta(o).labels) ?? {})
        .filter(k => k.startsWith('node-role.kubernetes.io/'))
        .map(k => k.slice('node-role.kubernetes.io/'.length))
        .sort();
      const address = (type: string) => {
        for (const a of asArray(status.addresses) ?? []) {
          if (isObject(a) && a.type === type) return String(a.address);
        }
        return '<none>';
      };
      return [
        String(meta(o).name ?? ''),
        state,
        roles.length ? roles.join(',') : '<none>',
        age(meta(o).creationTimestamp, now),
        String(info.kubeletVersion ?? ''),
        address('InternalIP'),
        address('ExternalIP'),
        String(info.osImage ?? '<unknown>'),
        String(info.kernelVersion ?? '<unknown>'),
        String(info.containerRuntimeVersion ?? '<unknown>'),
      ];
    },
  },
  Pod: {
    columns: [
      NAME_COLUMN,
      def('Ready'),
      def('Status'),
      def('Restarts', 'string'),
      def('Age'),
      def('IP', 'string', 1),
      def('Node', 'string', 1),
      def('Nominated Node', 'string', 1),
      def('Readiness Gates', 'string', 1),
    ],
    cells: (o, now) => {
      const status = asObject(o.status) ?? {};
      const containers = asArray(status.containerStatuses) ?? [];
      const total =
        (asArray(asObject(o.spec)?.containers) ?? []).length ||
        containers.length;
      const ready = containers.filter(
        c => isObject(c) && c.ready === true,
      ).length;
      const restarts = containers.reduce<number>(
        (n, c) =>
          n +
          (isObject(c) && typeof c.restartCount === 'number'
            ? c.restartCount
            : 0),
        0,
      );
      const phase = meta(o).deletionTimestamp
        ? 'Terminating'
        : String(status.phase ?? 'Pending');
      return [
        String(meta(o).name ?? ''),
        `${ready}/${total}`,
        phase,
        String(restarts),
        age(meta(o).creationTimestamp, now),
        String(status.podIP ?? '<none>'),
        String(asObject(o.spec)?.nodeName ?? '<none>'),
        '<none>',
        '<none>',
      ];
    },
  },
  Event: {
    columns: [
      def('Last Seen'),
      def('Type'),
      def('Reason'),
      def('Object'),
      def('Subobject', 'string', 1),
      def('Source', 'string', 1),
      def('Message'),
      def('First Seen', 'string', 1),
      def('Count', 'string', 1),
      NAME_COLUMN,
    ],
    cells: (o, now) => {
      const involved = asObject(o.involvedObject) ?? {};
      const last = o.lastTimestamp ?? o.eventTime ?? meta(o).creationTimestamp;
      return [
        age(last, now),
        String(o.type ?? ''),
        String(o.reason ?? ''),
        `${String(involved.kind ?? '').toLowerCase()}/${String(
          involved.name ?? '',
        )}`,
        String(involved.fieldPath ?? ''),
        String(asObject(o.source)?.component ?? o.reportingComponent ?? ''),
        String(o.message ?? ''),
        age(o.firstTimestamp ?? last, now),
        String(o.count ?? 1),
        String(meta(o).name ?? ''),
      ];
    },
  },
};

function crdPrinter(columns: PrinterColumn[]): Printer {
  const defs = [
    NAME_COLUMN,
    ...columns.map(c =>
      def(
        c.name,
        c.type === 'date' ? 'date' : c.type,
        c.priority ?? 0,
        c.format ?? '',
        c.description ?? '',
      ),
    ),
  ];
  return {
    columns: defs,
    cells: (o, now) => [
      String(meta(o).name ?? ''),
      ...columns.map((c): JsonValue => {
        let values: JsonValue[];
        try {
          values = evaluateJsonPath(o, c.jsonPath);
        } catch {
          return null;
        }
        if (values.length === 0) return null;
        const v = values[0];
        if (c.type === 'date') return age(v, now);
        if (c.type === 'integer' || c.type === 'number')
          return typeof v === 'number' ? v : null;
        if (c.type === 'boolean') return typeof v === 'boolean' ? v : null;
        if (typeof v === 'string') return v;
        return v === null ? null : JSON.stringify(v);
      }),
    ],
  };
}

const printerCache = new WeakMap<object, Printer>();

export function printerFor(t: ResourceType, version: string): Printer {
  const builtin = BUILTIN_PRINTERS[t.kind];
  if (builtin && !t.custom) return builtin;
  const v = t.versions.find(x => x.name === version) ?? t.versions[0];
  const key = v;
  let printer = printerCache.get(key);
  if (!printer) {
    printer = crdPrinter(v.columns ?? []);
    printerCache.set(key, printer);
  }
  return printer;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** The `PartialObjectMetadata` form of an object (metadata without managedFields). */
export function partialMetadata(obj: JsonObject): JsonObject {
  const metadata = { ...meta(obj) };
  delete metadata.managedFields;
  return {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
  };
}

function rowObject(o: JsonObject, include: IncludeObject): JsonValue {
  if (include === 'None') return null;
  if (include === 'Object') return o;
  return partialMetadata(o);
}

/** A `meta.k8s.io/v1` Table of `objects`. */
export function toTable(
  t: ResourceType,
  version: string,
  objects: JsonObject[],
  listMeta: JsonObject,
  include: IncludeObject,
  withHeaders: boolean,
  now = Date.now(),
): JsonObject {
  const printer = printerFor(t, version);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: withHeaders ? printer.columns : [],
    rows: objects.map(o => ({
      cells: printer.cells(o, now),
      object: rowObject(o, include),
    })),
  };
}
