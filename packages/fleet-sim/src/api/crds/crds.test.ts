import { builtinResourceTypes, CRD_TYPE_ID, ResourceType } from '../registry';
import { schemaFor, validateAndPrune } from '../schema';
import { hasBuiltinSchema } from '.';
import { startFleetSim } from '../../sim/sim';
import {
  testApi,
  upstreamCrds,
  upstreamFixturesDir,
  upstreamTitle,
} from '../../__testUtils__';

jest.setTimeout(30_000);

/** Cluster API's own CRDs beside the clone; the tests comparing with them are skipped without. */
const UPSTREAM = upstreamFixturesDir();
const describeUpstream = UPSTREAM ? describe : describe.skip;

const described = (): ResourceType[] =>
  builtinResourceTypes().filter(
    t => t.custom && hasBuiltinSchema(t.group, t.kind),
  );

/** Every path of a schema with its node (`[]` for items, `{}` for additionalProperties). */
function nodes(schema: any, at = ''): Array<[string, any]> {
  const out: Array<[string, any]> = [[at || '.', schema]];
  for (const [k, v] of Object.entries<any>(schema.properties ?? {}))
    out.push(...nodes(v, `${at}.${k}`));
  if (schema.items) out.push(...nodes(schema.items, `${at}[]`));
  if (
    schema.additionalProperties &&
    typeof schema.additionalProperties === 'object'
  )
    out.push(...nodes(schema.additionalProperties, `${at}{}`));
  return out;
}

const COMPARED = [
  'type',
  'format',
  'enum',
  'default',
  'required',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-int-or-string',
  'x-kubernetes-map-type',
];

describe('the simulator’s own CustomResourceDefinitions', () => {
  it('are served by every management cluster, with schemas, printer columns and subresources', () => {
    const t = testApi();
    try {
      t.api.installCustomResourceDefinitions();
      const crds = t.api
        .list(t.type(CRD_TYPE_ID))
        .texts.map(text => JSON.parse(text));
      expect(crds.length).toBe(
        t.api.registry.types.filter(x => x.custom).length,
      );
      const cluster = crds.find(
        c => c.metadata.name === 'clusters.cluster.x-k8s.io',
      );
      expect(cluster.spec.names.shortNames).toEqual(['cl']);
      const v1beta2 = cluster.spec.versions.find(
        (v: any) => v.name === 'v1beta2',
      );
      expect(v1beta2.storage).toBe(true);
      expect(v1beta2.subresources).toEqual({ status: {} });
      expect(
        v1beta2.additionalPrinterColumns.map((c: any) => c.name).slice(0, 3),
      ).toEqual(['ClusterClass', 'Available', 'CP Desired']);
      expect(
        v1beta2.schema.openAPIV3Schema.properties.spec.properties.topology
          .required,
      ).toEqual(['classRef', 'version']);
      const md = crds.find(
        c => c.metadata.name === 'machinedeployments.cluster.x-k8s.io',
      );
      expect(md.spec.versions[0].subresources.scale).toEqual({
        specReplicasPath: '.spec.replicas',
        statusReplicasPath: '.status.replicas',
        labelSelectorPath: '.status.selector',
      });
    } finally {
      t.stop();
    }
  });

  it('validate, default and prune with the described schemas', () => {
    const t = described().find(x => x.kind === 'DevCluster')!;
    const obj: any = {
      apiVersion: 'infrastructure.cluster.x-k8s.io/v1beta2',
      kind: 'DevCluster',
      metadata: { name: 'x' },
      spec: {
        backend: {
          docker: { loadBalancer: { customHAProxyConfigTemplateRef: {} } },
        },
        bogus: 1,
      },
    };
    const result = validateAndPrune(obj, schemaFor(t, 'v1beta2'));
    expect(result.unknown).toEqual(['spec.bogus']);
    expect(
      obj.spec.backend.docker.loadBalancer.customHAProxyConfigTemplateRef,
    ).toEqual({ name: '' });
  });

  describeUpstream(
    upstreamTitle('compared with Cluster API’s own CRDs'),
    () => {
      it('match Cluster API’s CRDs: names, scope, versions, subresources and printer columns', () => {
        const upstream = upstreamCrds(UPSTREAM!);
        const problems: string[] = [];
        for (const t of builtinResourceTypes().filter(x => x.custom)) {
          const crd = upstream.get(`${t.group}/${t.kind}`);
          if (!crd) continue;
          const where = `${t.kind}`;
          if (crd.scope !== (t.namespaced ? 'Namespaced' : 'Cluster'))
            problems.push(`${where}: scope`);
          if (crd.names.plural !== t.plural) problems.push(`${where}: plural`);
          if (
            JSON.stringify(crd.names.shortNames ?? []) !==
            JSON.stringify(t.shortNames)
          )
            problems.push(`${where}: shortNames ${t.shortNames}`);
          if (
            JSON.stringify(crd.names.categories ?? []) !==
            JSON.stringify(t.categories)
          )
            problems.push(`${where}: categories`);
          for (const uv of crd.versions) {
            const v = t.versions.find(x => x.name === uv.name);
            if (!v) {
              problems.push(`${where} ${uv.name}: not served`);
              continue;
            }
            if (v.storage !== uv.storage)
              problems.push(`${where} ${uv.name}: storage`);
            if (Boolean(v.deprecated) !== Boolean(uv.deprecated))
              problems.push(`${where} ${uv.name}: deprecated`);
            const columns = (uv.additionalPrinterColumns ?? []).map(
              (c: any) => [c.name, c.jsonPath, c.type, c.priority ?? 0],
            );
            const ours = (v.columns ?? []).map(c => [
              c.name,
              c.jsonPath,
              c.type,
              c.priority ?? 0,
            ]);
            if (
              columns.length &&
              JSON.stringify(columns) !== JSON.stringify(ours)
            )
              problems.push(
                `${where} ${uv.name}: printer columns ${JSON.stringify(ours)}`,
              );
            if (uv.storage) {
              if (Boolean(uv.subresources?.status) !== t.status)
                problems.push(`${where}: status subresource`);
              const sorted = (o: object | undefined) =>
                JSON.stringify(Object.entries(o ?? {}).sort());
              const scale = uv.subresources?.scale;
              if (sorted(scale) !== sorted(t.scale))
                problems.push(`${where}: scale subresource`);
            }
          }
        }
        expect(problems).toEqual([]);
      });

      it('describe Cluster API’s storage schemas: same types, lists, enums, defaults and required fields, and every field outside the parts kept as given', () => {
        const upstream = upstreamCrds(UPSTREAM!);
        const problems: string[] = [];
        for (const t of described()) {
          const crd = upstream.get(`${t.group}/${t.kind}`);
          if (!crd) continue;
          const storage = crd.versions.find((v: any) => v.storage);
          const theirs = new Map(nodes(storage.schema.openAPIV3Schema));
          const ours = nodes(schemaFor(t, storage.name));
          const ourPaths = new Map(ours);
          for (const [p, node] of ours) {
            const other = theirs.get(p);
            if (!other) {
              problems.push(`${t.kind} ${p}: not in Cluster API's schema`);
              continue;
            }
            for (const key of COMPARED) {
              if (
                node[key] !== undefined &&
                JSON.stringify(node[key]) !== JSON.stringify(other[key])
              )
                problems.push(`${t.kind} ${p}: ${key}`);
              if (
                node[key] === undefined &&
                other[key] !== undefined &&
                !node['x-kubernetes-preserve-unknown-fields'] &&
                key !== 'format'
              )
                problems.push(`${t.kind} ${p}: missing ${key}`);
            }
          }
          for (const p of theirs.keys()) {
            if (ourPaths.has(p)) continue;
            const kept = [...ourPaths].some(
              ([q, node]) =>
                node['x-kubernetes-preserve-unknown-fields'] &&
                (p.startsWith(`${q}.`) ||
                  p.startsWith(`${q}[]`) ||
                  p.startsWith(`${q}{}`)),
            );
            if (!kept) problems.push(`${t.kind} ${p}: not described`);
          }
        }
        expect(problems).toEqual([]);
      });

      it('seed objects that validate against Cluster API’s own schemas', async () => {
        const upstream = upstreamCrds(UPSTREAM!);
        const sim = await startFleetSim({
          managementClusters: 1,
          clusters: 24,
          seed: 'crds',
          timing: { stepMs: 1000 },
        });
        try {
          const problems: string[] = [];
          const api = sim.management(sim.managementClusters[0].name).api;
          for (const t of api.registry.types) {
            const crd = upstream.get(`${t.group}/${t.kind}`);
            if (!t.custom || !crd) continue;
            const storage = crd.versions.find((v: any) => v.storage);
            for (const text of api.list(t).texts) {
              const obj = JSON.parse(text);
              const result = validateAndPrune(
                obj,
                storage.schema.openAPIV3Schema,
              );
              for (const u of result.unknown)
                problems.push(`${t.kind} ${obj.metadata.name}: unknown ${u}`);
              for (const c of result.causes)
                problems.push(
                  `${t.kind} ${obj.metadata.name}: ${c.field} ${c.message}`,
                );
            }
          }
          expect(problems.slice(0, 40)).toEqual([]);
        } finally {
          await sim.stop();
        }
      });
    },
  );
});
