declare module 'parse-prometheus-text-format' {
  /** One sample of a metric family: its labels and value as text. */
  export interface PrometheusSample {
    value?: string;
    labels?: Record<string, string>;
  }
  /** A metric family of the Prometheus text format. */
  export interface PrometheusMetricFamily {
    name: string;
    help?: string;
    type?: string;
    metrics: PrometheusSample[];
  }
  export default function parsePrometheusTextFormat(
    text: string,
  ): PrometheusMetricFamily[];
}
