/** Content negotiation: the response format a request's Accept header asks for. */
import Negotiator from 'negotiator';
import { errors } from './errors';
import { IncludeObject } from './table';

export type OutputFormat =
  | { kind: 'json' }
  | { kind: 'yaml' }
  | { kind: 'table'; version: string }
  | { kind: 'partial'; list: boolean }
  | { kind: 'discovery'; version: string };

/** The media types an endpoint can answer in, most preferred first, with the format each stands for. */
function offers(allow: {
  table?: boolean;
  discovery?: boolean;
  partial?: boolean;
}): Array<[string, OutputFormat]> {
  const list: Array<[string, OutputFormat]> = [
    ['application/json', { kind: 'json' }],
    ['application/yaml', { kind: 'yaml' }],
  ];
  const meta = (as: string, v: string) =>
    `application/json;as=${as};v=${v};g=meta.k8s.io`;
  if (allow.table) {
    for (const v of ['v1', 'v1beta1'])
      list.push([meta('Table', v), { kind: 'table', version: v }]);
  }
  if (allow.partial) {
    for (const v of ['v1', 'v1beta1']) {
      list.push([
        meta('PartialObjectMetadata', v),
        { kind: 'partial', list: false },
      ]);
      list.push([
        meta('PartialObjectMetadataList', v),
        { kind: 'partial', list: true },
      ]);
    }
  }
  if (allow.discovery) {
    for (const v of ['v2', 'v2beta1'])
      list.push([
        `application/json;as=APIGroupDiscoveryList;v=${v};g=apidiscovery.k8s.io`,
        { kind: 'discovery', version: v },
      ]);
  }
  return list;
}

/** Picks the response format from the Accept header (negotiator), as the API server does; 406 when none fits. */
export function negotiate(
  header: string | undefined,
  allow: { table?: boolean; discovery?: boolean; partial?: boolean },
): OutputFormat {
  const available = offers(allow);
  const chosen = new Negotiator({
    headers: { accept: header || '*/*' },
  }).mediaType(available.map(([type]) => type));
  const format = available.find(([type]) => type === chosen)?.[1];
  if (!format) throw errors.notAcceptable('application/json, application/yaml');
  return format;
}

export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
