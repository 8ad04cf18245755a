import { ApiError } from './errors';
import {
  labelSelectorFromObject,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors';

describe('label selectors', () => {
  const labels = {
    app: 'web',
    tier: 'frontend',
    'shipyard.io/owner': 'team-a',
    replicas: '3',
  };

  it.each([
    ['app=web', true],
    ['app==web', true],
    ['app=api', false],
    ['app!=api', true],
    ['app!=web', false],
    ['missing!=x', true],
    ['tier in (frontend, backend)', true],
    ['tier in (backend)', false],
    ['tier notin (backend)', true],
    ['tier notin (frontend)', false],
    ['missing notin (a)', true],
    ['shipyard.io/owner', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=frontend', true],
    ['app=web,tier=backend', false],
    ['app=web, shipyard.io/owner in (team-a,team-b), !missing', true],
    ['replicas>2', true],
    ['replicas<2', false],
    ['', true],
  ])('%s → %s', (selector, expected) => {
    expect(parseLabelSelector(selector).matches(labels)).toBe(expected);
  });

  it('accepts an empty value', () => {
    expect(parseLabelSelector('app=').matches({ app: '' })).toBe(true);
    expect(parseLabelSelector('app=').matches(labels)).toBe(false);
  });

  it.each(['app in ()', '!', 'a b', 'Bad Key=x', 'app=has space', 'app=-bad-'])(
    'rejects malformed selector %p with a 400',
    selector => {
      let error: unknown;
      try {
        parseLabelSelector(selector).matches(labels);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(400);
      expect((error as ApiError).reason).toBe('BadRequest');
    },
  );

  it('converts metav1.LabelSelector objects', () => {
    const s = labelSelectorFromObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['frontend'] },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    expect(s.matches(labels)).toBe(true);
    expect(s.matches({ ...labels, gone: 'x' })).toBe(false);
    expect(s.toString()).toBe('app=web,tier in (frontend),!gone');
    expect(s.equalityValue('app')).toBe('web');
  });
});

describe('field selectors', () => {
  const supported = (f: string) =>
    ['metadata.name', 'metadata.namespace', 'status.phase'].includes(f);

  it('matches equality and inequality', () => {
    const fields: Record<string, string> = {
      'metadata.name': 'a',
      'metadata.namespace': 'team-a',
      'status.phase': 'Running',
    };
    const get = (f: string) => fields[f];
    expect(parseFieldSelector('metadata.name=a', supported).matches(get)).toBe(
      true,
    );
    expect(
      parseFieldSelector(
        'metadata.name==a,metadata.namespace!=team-b',
        supported,
      ).matches(get),
    ).toBe(true);
    expect(
      parseFieldSelector('metadata.namespace=team-b', supported).matches(get),
    ).toBe(false);
    expect(
      parseFieldSelector('status.phase!=Running', supported).matches(get),
    ).toBe(false);
  });

  it('rejects unsupported fields like the API server', () => {
    expect(() => parseFieldSelector('spec.foo=bar', supported)).toThrow(
      'field label not supported: spec.foo',
    );
    expect(() => parseFieldSelector('nonsense', supported)).toThrow(ApiError);
  });
});
