/** Lists of stored objects: selectors, paging with continue tokens over a consistent snapshot, resourceVersions. */
import { ApiError, errors } from './errors';
import { ResourceType } from './registry';
import { FieldSelector, LabelSelector } from './selectors';
import {
  ObjectStore,
  StoreEvent,
  lowerBound,
  objectKey,
  snapshotText,
} from '../store/store';
import { JsonObject, isObject } from '../util/json';

export interface ListOptions {
  namespace?: string;
  labelSelector?: LabelSelector;
  fieldSelector?: FieldSelector;
  limit?: number;
  continueToken?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface ListResult {
  /** Storage-version JSON texts. */
  texts: string[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(
    JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start }),
  ).toString('base64');
}

export function decodeContinue(text: string): ContinueToken {
  try {
    const parsed: unknown = JSON.parse(
      Buffer.from(text, 'base64').toString('utf8'),
    );
    if (
      isObject(parsed) &&
      parsed.v === 'meta.k8s.io/v1' &&
      typeof parsed.rv === 'number' &&
      typeof parsed.start === 'string'
    ) {
      return { rv: parsed.rv, start: parsed.start };
    }
  } catch {
    // fall through
  }
  throw errors.badRequest(
    `continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`,
  );
}

/** Parses a resourceVersion sent by a client. */
export function parseResourceVersion(rv: string): number {
  if (!/^\d{1,15}$/.test(rv)) {
    throw errors.badRequest(
      `invalid resource version "${rv}": resourceVersion must be a value returned by the server`,
    );
  }
  return Number(rv);
}

/** Lists objects (storage-version texts) with selectors, paging and resourceVersion semantics. */
export function listStored(
  store: ObjectStore,
  t: ResourceType,
  opts: ListOptions = {},
): ListResult {
  const collection = store.collection(t.id);
  const current = store.currentRv;
  let listRv = current;
  let start = '';
  if (opts.continueToken) {
    if (opts.resourceVersion && opts.resourceVersion !== '0') {
      throw errors.badRequest(
        'specifying resource version is not allowed when using continue',
      );
    }
    const token = decodeContinue(opts.continueToken);
    if (token.rv < store.compactedRv || token.rv > current) {
      throw errors.gone(
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
      );
    }
    listRv = token.rv;
    start = token.start;
  } else if (opts.resourceVersion && opts.resourceVersion !== '0') {
    const rv = parseResourceVersion(opts.resourceVersion);
    if (rv > current) {
      throw new ApiError(
        504,
        'Timeout',
        `Timeout: Too large resource version: ${rv}, current: ${current}`,
        {
          causes: [
            {
              reason: 'ResourceVersionTooLarge',
              message: 'Too large resource version',
            },
          ],
          retryAfterSeconds: 1,
        },
      );
    }
    if (opts.resourceVersionMatch === 'Exact') {
      if (rv < store.compactedRv)
        throw errors.gone(
          `The resourceVersion for the provided list is too old.`,
        );
      listRv = rv;
    }
  } else if (
    opts.resourceVersionMatch &&
    opts.resourceVersionMatch !== 'NotOlderThan'
  ) {
    throw errors.badRequest(
      `resourceVersionMatch "${opts.resourceVersionMatch}" is forbidden for resourceVersion ""`,
    );
  }

  const namespace = t.namespaced ? opts.namespace : undefined;
  const prefix = namespace ? `${namespace}/` : '';
  const labelSelector = opts.labelSelector ?? LabelSelector.everything;
  const fieldSelector = opts.fieldSelector ?? FieldSelector.everything;
  const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;

  let changes: Map<string, StoreEvent> | undefined;
  if (listRv < current) {
    const events = store.eventsSince(listRv);
    if (!events) {
      throw errors.gone(
        'The provided continue parameter is too old to display a consistent list result.',
      );
    }
    for (const e of events) {
      if (e.collection !== collection) continue;
      changes ??= new Map();
      if (!changes.has(e.key)) changes.set(e.key, e);
    }
  }

  let keys: string[];
  const nameEq = fieldSelector.equalityValue('metadata.name');
  const indexed = changes
    ? undefined
    : labelSelector.requirements
        .filter(r => r.op === 'eq' || (r.op === 'in' && r.values.length === 1))
        .map(r => collection.keysWithLabel(r.key, namespace, r.values[0]))
        .find(k => k !== undefined);
  if (nameEq !== undefined && (namespace !== undefined || !t.namespaced)) {
    keys = [objectKey(namespace, nameEq)];
  } else if (indexed) {
    keys = indexed;
  } else {
    keys = collection.sortedKeys();
  }
  const gone: string[] = [];
  if (changes) {
    for (const [k, e] of changes) {
      if (
        e.type !== 'ADDED' &&
        !collection.entries.has(k) &&
        (nameEq === undefined || k === objectKey(namespace, nameEq))
      )
        gone.push(k);
    }
    gone.sort();
  }
  const from = start > prefix ? start : prefix;
  let i = lowerBound(keys, from);
  let j = lowerBound(gone, from);
  const texts: string[] = [];
  let lastKey: string | undefined;
  let more = false;
  const needsObjectFields = fieldSelector.requirements.some(
    r => r.field !== 'metadata.name' && r.field !== 'metadata.namespace',
  );
  for (;;) {
    let key: string;
    if (i < keys.length && (j >= gone.length || keys[i] <= gone[j])) {
      key = keys[i++];
      if (j < gone.length && gone[j] === key) j++;
    } else if (j < gone.length) {
      key = gone[j++];
    } else {
      break;
    }
    if (prefix && !key.startsWith(prefix)) break;
    if (limit !== undefined && texts.length >= limit) {
      more = true;
      break;
    }
    let text: string | undefined;
    let labels;
    const change = changes?.get(key);
    if (change) {
      if (change.type === 'ADDED' || !change.prev) continue;
      labels = change.prevLabels;
      if (!labelSelector.matches(labels)) continue;
      text = snapshotText(change.prev);
    } else {
      const entry = collection.entries.get(key);
      if (!entry) continue;
      labels = entry.labels;
      if (!labelSelector.matches(labels)) continue;
    }
    const slash = key.indexOf('/');
    const ns = slash < 0 ? '' : key.slice(0, slash);
    const nm = slash < 0 ? key : key.slice(slash + 1);
    if (!fieldSelector.empty) {
      let parsed: JsonObject | undefined;
      const ok = fieldSelector.matches(field => {
        if (field === 'metadata.name') return nm;
        if (field === 'metadata.namespace') return ns;
        if (!needsObjectFields) return undefined;
        if (!parsed) {
          parsed = text
            ? JSON.parse(text)
            : collection.entries.get(key)?.object();
        }
        return parsed ? t.fields?.[field]?.(parsed) : undefined;
      });
      if (!ok) continue;
    }
    texts.push(text ?? collection.entries.get(key)?.text() ?? '{}');
    lastKey = key;
  }
  const result: ListResult = { texts, resourceVersion: String(listRv) };
  if (more && lastKey !== undefined) {
    result.continueToken = encodeContinue({
      rv: listRv,
      start: `${lastKey}\u0000`,
    });
    if (labelSelector.empty && fieldSelector.empty) {
      let remaining = gone.length - j;
      const end = prefix
        ? lowerBound(keys, `${prefix.slice(0, -1)}0`)
        : keys.length;
      remaining += Math.max(0, end - i) + 1;
      result.remainingItemCount = remaining;
    }
  }
  return result;
}
