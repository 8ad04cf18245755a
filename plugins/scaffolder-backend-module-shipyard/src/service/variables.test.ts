import { ClusterClassVariableSummary } from '@shipyard/plugin-shipyard-common';
import { resolveVariables } from './variables';

const declared: ClusterClassVariableSummary[] = [
  {
    name: 'region',
    required: true,
    schema: { type: 'string', enum: ['eu-west-1', 'us-east-1'] },
  },
  {
    name: 'cni',
    required: false,
    schema: { type: 'string', enum: ['calico', 'cilium'], default: 'cilium' },
  },
  {
    name: 'podSecurityStandard',
    required: false,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enforce: { type: 'string', enum: ['baseline', 'restricted'] },
      },
    },
  },
];

describe('resolveVariables', () => {
  it('merges profile defaults and requested values in declaration order, leaving out undeclared defaults', () => {
    const out = resolveVariables({
      declared,
      defaults: { region: 'eu-west-1', imageRepository: 'registry.k8s.io' },
      requested: { cni: 'calico' },
      clusterClass: 'fleet-shared/aws',
    });
    expect(out.values).toEqual([
      { name: 'region', value: 'eu-west-1' },
      { name: 'cni', value: 'calico' },
    ]);
    expect(out.ignoredDefaults).toEqual(['imageRepository']);
  });

  it('names the variable and what it accepts', () => {
    const call =
      (requested: Record<string, any>, defaults = {}) =>
      () =>
        resolveVariables({
          declared,
          defaults,
          requested,
          clusterClass: 'fleet-shared/aws',
        });
    expect(call({ region: 'mars-1' })).toThrow(
      /variables\.region must be one of "eu-west-1", "us-east-1"/,
    );
    expect(call({})).toThrow(
      /variables\.region is required by ClusterClass fleet-shared\/aws/,
    );
    expect(call({ region: 'eu-west-1', dns: 'x' })).toThrow(
      /Unknown variable "dns": ClusterClass fleet-shared\/aws declares region, cni, podSecurityStandard/,
    );
    expect(
      call({
        region: 'eu-west-1',
        podSecurityStandard: { enforce: 'baseline', extra: 1 },
      }),
    ).toThrow(/variables\.podSecurityStandard has an unknown field "extra"/);
  });
});
