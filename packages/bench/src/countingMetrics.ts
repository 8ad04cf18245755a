import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  MetricsService,
  metricsServiceRef,
} from '@backstage/backend-plugin-api/alpha';

const noopObservable = {
  addCallback: () => undefined,
  removeCallback: () => undefined,
};

function splitKey(key: string): [string, string] {
  const i = key.indexOf('\n');
  return [key.slice(0, i), key.slice(i + 1)];
}

/**
 * A metrics service that sums counters by name and attributes, and histograms as `<name>#count` and `<name>#sum`
 * (other instruments are accepted and dropped), so that a benchmark can read the catalog's and the catalog module's
 * counters without an OpenTelemetry pipeline.
 */
export class CountingMetrics {
  private readonly counts = new Map<string, number>();

  /** The sum of `name` over the attribute values given (every other attribute ignored). */
  get(name: string, attributes: Record<string, string> = {}): number {
    let sum = 0;
    const wanted = Object.entries(attributes);
    for (const [key, value] of this.counts) {
      const [n, json] = splitKey(key);
      if (n !== name) continue;
      const attrs = JSON.parse(json) as Record<string, unknown>;
      if (wanted.every(([k, v]) => attrs[k] === v)) sum += value;
    }
    return sum;
  }

  readonly service: MetricsService = {
    createCounter: name => ({
      add: (value, attributes) => this.add(name, value, attributes),
    }),
    createUpDownCounter: name => ({
      add: (value, attributes) => this.add(name, value, attributes),
    }),
    createHistogram: name => ({
      record: (value, attributes) => {
        this.add(`${name}#count`, 1, attributes);
        this.add(`${name}#sum`, value, attributes);
      },
    }),
    createGauge: () => ({ record: () => undefined }),
    createObservableCounter: () => noopObservable,
    createObservableUpDownCounter: () => noopObservable,
    createObservableGauge: () => noopObservable,
  };

  readonly factory = createServiceFactory({
    service: metricsServiceRef,
    deps: {},
    factory: () => this.service,
  });

  private add(name: string, value: number, attributes?: object) {
    const key = `${name}\n${JSON.stringify(attributes ?? {})}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + value);
  }
}
