export interface Config {
  shipyard?: {
    kubernetes?: {
      /**
       * How long the Kubernetes plugin's list of Shipyard clusters and the read kubeconfig Secrets are reused before
       * they are read again (seconds, default 30).
       */
      refreshSeconds?: number;
    };
  };
}
