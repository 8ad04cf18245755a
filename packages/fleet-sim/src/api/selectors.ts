import { ApiError, errors } from './errors';
import { JsonObject, isObject } from '../util/json';

import type { Labels } from '../store/store';

export type { Labels };

export type LabelOperator =
  | 'eq'
  | 'neq'
  | 'in'
  | 'notin'
  | 'exists'
  | 'notexists'
  | 'gt'
  | 'lt';

export interface LabelRequirement {
  key: string;
  op: LabelOperator;
  values: string[];
}

/** A parsed label selector; an empty selector matches everything. */
export class LabelSelector {
  static readonly everything = new LabelSelector([]);

  constructor(readonly requirements: readonly LabelRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(labels: Labels | undefined): boolean {
    for (const r of this.requirements) {
      const value = labels?.[r.key];
      switch (r.op) {
        case 'eq':
          if (value !== r.values[0]) return false;
          break;
        case 'neq':
          if (value === r.values[0]) return false;
          break;
        case 'in':
          if (value === undefined || !r.values.includes(value)) return false;
          break;
        case 'notin':
          if (value !== undefined && r.values.includes(value)) return false;
          break;
        case 'exists':
          if (value === undefined) return false;
          break;
        case 'notexists':
          if (value !== undefined) return false;
          break;
        case 'gt':
        case 'lt': {
          if (value === undefined || !/^-?\d+$/.test(value)) return false;
          const n = Number(value);
          const bound = Number(r.values[0]);
          if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
          break;
        }
        default:
          return false;
      }
    }
    return true;
  }

  /** The value this selector requires for `key` by equality, if any. */
  equalityValue(key: string): string | undefined {
    for (const r of this.requirements) {
      if (
        r.key === key &&
        (r.op === 'eq' || (r.op === 'in' && r.values.length === 1))
      ) {
        return r.values[0];
      }
    }
    return undefined;
  }

  toString(): string {
    return this.requirements
      .map(r => {
        switch (r.op) {
          case 'eq':
            return `${r.key}=${r.values[0]}`;
          case 'neq':
            return `${r.key}!=${r.values[0]}`;
          case 'in':
            return `${r.key} in (${r.values.join(',')})`;
          case 'notin':
            return `${r.key} notin (${r.values.join(',')})`;
          case 'exists':
            return r.key;
          case 'notexists':
            return `!${r.key}`;
          case 'gt':
            return `${r.key}>${r.values[0]}`;
          case 'lt':
            return `${r.key}<${r.values[0]}`;
          default:
            return '';
        }
      })
      .join(',');
  }
}

const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Validates a qualified name (label or annotation key); returns an error text. */
export function validateQualifiedName(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) {
      return 'prefix part must be non-empty';
    }
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }
  }
  if (name.length === 0) {
    return 'name part must be non-empty';
  }
  if (name.length > 63) {
    return 'name part must be no more than 63 characters';
  }
  if (!NAME_PART.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

export function validateLabelValue(value: string): string | undefined {
  if (value.length > 63) {
    return 'must be no more than 63 characters';
  }
  if (!LABEL_VALUE.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

function selectorError(detail: string): ApiError {
  return errors.badRequest(`unable to parse requirement: ${detail}`);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function checkKey(key: string): void {
  const problem = validateQualifiedName(key);
  if (problem) {
    throw selectorError(`key: Invalid value: "${key}": ${problem}`);
  }
}

function checkValue(value: string): void {
  const problem = validateLabelValue(value);
  if (problem) {
    throw selectorError(
      `values[0][${value}]: Invalid value: "${value}": ${problem}`,
    );
  }
}

/** Parses the `labelSelector` query parameter syntax. */
export function parseLabelSelector(
  input: string | undefined | null,
): LabelSelector {
  if (input === undefined || input === null || input.trim() === '') {
    return LabelSelector.everything;
  }
  const requirements: LabelRequirement[] = [];
  for (const rawPart of splitTopLevel(input)) {
    const part = rawPart.trim();
    if (part === '') {
      throw selectorError(`found '', expected: identifier`);
    }
    const setMatch = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^()]*)\)$/.exec(part);
    if (setMatch) {
      const [, key, op, list] = setMatch;
      checkKey(key);
      if (list.trim() === '') {
        throw selectorError(
          `for 'in', 'notin' operators, values set can't be empty`,
        );
      }
      const values = list.split(',').map(v => v.trim());
      values.forEach(checkValue);
      requirements.push({
        key,
        op: op === 'in' ? 'in' : 'notin',
        values: [...new Set(values)].sort(),
      });
      continue;
    }
    const binMatch = /^([^\s!=<>(),]+)\s*(==|!=|=|>|<)\s*([^\s!=<>(),]*)$/.exec(
      part,
    );
    if (binMatch) {
      const [, key, opText, value] = binMatch;
      checkKey(key);
      if (opText === '>' || opText === '<') {
        if (!/^-?\d+$/.test(value)) {
          throw selectorError(
            `for 'Gt', 'Lt' operators, the value must be an integer`,
          );
        }
      } else {
        checkValue(value);
      }
      const ops: Record<string, LabelOperator> = {
        '!=': 'neq',
        '>': 'gt',
        '<': 'lt',
      };
      const op: LabelOperator = ops[opText] ?? 'eq';
      requirements.push({ key, op, values: [value] });
      continue;
    }
    const existsMatch = /^(!?)\s*([^\s!=<>(),]+)$/.exec(part);
    if (existsMatch) {
      const [, bang, key] = existsMatch;
      checkKey(key);
      requirements.push({ key, op: bang ? 'notexists' : 'exists', values: [] });
      continue;
    }
    throw selectorError(
      `found '${part}', expected: !, identifier, or 'end of string'`,
    );
  }
  return new LabelSelector(requirements);
}

/** Converts a `metav1.LabelSelector` object (matchLabels / matchExpressions). */
export function labelSelectorFromObject(selector: unknown): LabelSelector {
  if (!isObject(selector)) {
    return LabelSelector.everything;
  }
  const requirements: LabelRequirement[] = [];
  if (isObject(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      if (typeof value === 'string') {
        requirements.push({ key, op: 'eq', values: [value] });
      }
    }
  }
  if (Array.isArray(selector.matchExpressions)) {
    for (const expr of selector.matchExpressions) {
      if (!isObject(expr) || typeof expr.key !== 'string') continue;
      const values = Array.isArray(expr.values)
        ? expr.values.filter((v): v is string => typeof v === 'string')
        : [];
      const opMap: Record<string, LabelOperator> = {
        In: 'in',
        NotIn: 'notin',
        Exists: 'exists',
        DoesNotExist: 'notexists',
      };
      const op =
        typeof expr.operator === 'string' ? opMap[expr.operator] : undefined;
      if (op) {
        requirements.push({ key: expr.key, op, values });
      }
    }
  }
  return new LabelSelector(requirements);
}

/** The `status.selector` string form of a label selector object. */
export function labelSelectorString(selector: JsonObject | undefined): string {
  return labelSelectorFromObject(selector).toString();
}

export interface FieldRequirement {
  field: string;
  op: 'eq' | 'neq';
  value: string;
}

/** A parsed field selector. */
export class FieldSelector {
  static readonly everything = new FieldSelector([]);

  constructor(readonly requirements: readonly FieldRequirement[]) {}

  get empty(): boolean {
    return this.requirements.length === 0;
  }

  matches(fields: (field: string) => string | undefined): boolean {
    for (const r of this.requirements) {
      const value = fields(r.field) ?? '';
      if (r.op === 'eq' ? value !== r.value : value === r.value) {
        return false;
      }
    }
    return true;
  }

  equalityValue(field: string): string | undefined {
    return this.requirements.find(r => r.field === field && r.op === 'eq')
      ?.value;
  }
}

function unescapeFieldValue(value: string): string {
  return value.replace(/\\(.)/g, '$1');
}

/** Parses the `fieldSelector` query parameter, checking fields against `supported`. */
export function parseFieldSelector(
  input: string | undefined | null,
  supported: (field: string) => boolean,
): FieldSelector {
  if (input === undefined || input === null || input.trim() === '') {
    return FieldSelector.everything;
  }
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch === '\\' && i + 1 < input.length) {
      current += ch + input[i + 1];
      i++;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  const requirements: FieldRequirement[] = [];
  for (const part of parts) {
    const match = /^([^=!]+?)\s*(==|!=|=)(.*)$/s.exec(part.trim());
    if (!match) {
      throw errors.badRequest(
        `invalid selector: '${input}'; can't understand '${part}'`,
      );
    }
    const field = match[1].trim();
    if (!supported(field)) {
      throw errors.badRequest(`field label not supported: ${field}`);
    }
    requirements.push({
      field,
      op: match[2] === '!=' ? 'neq' : 'eq',
      value: unescapeFieldValue(match[3]),
    });
  }
  return new FieldSelector(requirements);
}
