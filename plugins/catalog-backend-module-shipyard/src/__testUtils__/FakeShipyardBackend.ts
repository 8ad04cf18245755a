import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { EventsService } from '@backstage/plugin-events-node';
import {
  ClusterClassSummary,
  ClusterDetails,
  ClusterKey,
  ClusterSummary,
  FleetChangeEvent,
  ListClustersResponse,
  ManagementClusterStatus,
  SHIPYARD_FLEET_EVENTS_TOPIC,
  SourceState,
  parseListClustersQuery,
  stringifyClusterKey,
} from '@shipyard/plugin-shipyard-common';
import express from 'express';

function error(res: express.Response, status: number, message: string) {
  res.status(status).json({
    error: { name: status === 404 ? 'NotFoundError' : 'Error', message },
    response: { statusCode: status },
  });
}

/**
 * An in-memory stand-in for the Shipyard backend: serves the documented REST API (`GET /clusters` with cursor
 * paging, `GET /clusters/:mc/:ns/:name`, `GET /management-clusters`, `GET /cluster-classes`) as a backend plugin
 * with id `shipyard`, and publishes fleet change events on the events service like the real one.
 */
export class FakeShipyardBackend {
  readonly clusters = new Map<string, ClusterSummary>();
  readonly managementClusters = new Map<string, ManagementClusterStatus>();
  clusterClasses: ClusterClassSummary[] = [];
  /** Serve `GET /cluster-classes` (a 404 otherwise, like a backend without that endpoint). */
  serveClusterClasses = true;
  /** Answer every request with 503. */
  unavailable = false;
  /** Management clusters whose clusters are left out of `GET /clusters` (a misbehaving backend). */
  readonly hiddenManagementClusters = new Set<string>();
  revision = 1;
  /** `METHOD path` of every request, and the principal that made it. */
  readonly requests: Array<{ path: string; principal: string }> = [];

  constructor(private readonly events: EventsService) {}

  addManagementCluster(status: ManagementClusterStatus) {
    this.managementClusters.set(status.name, status);
  }

  setState(name: string, state: SourceState) {
    const status = this.managementClusters.get(name);
    if (!status) throw new Error(`no management cluster ${name}`);
    this.managementClusters.set(name, {
      ...status,
      state,
      ...(state === 'stale' ? { staleSince: new Date().toISOString() } : {}),
    });
  }

  /** Stores a cluster without an event (as the state a full sync reads). */
  put(summary: ClusterSummary) {
    this.clusters.set(stringifyClusterKey(summary), summary);
  }

  /** Stores a cluster and publishes its change. */
  async upsert(summary: ClusterSummary, entityChanged: boolean) {
    this.put(summary);
    await this.publish([
      { ...this.key(summary), type: 'upserted', entityChanged },
    ]);
  }

  /** Removes a cluster (a confirmed deletion) and publishes it. */
  async delete(key: ClusterKey) {
    this.clusters.delete(stringifyClusterKey(key));
    await this.publish([
      { ...this.key(key), type: 'deleted', entityChanged: true },
    ]);
  }

  private key(k: ClusterKey): ClusterKey {
    return {
      managementCluster: k.managementCluster,
      namespace: k.namespace,
      name: k.name,
    };
  }

  private async publish(changes: FleetChangeEvent['changes']) {
    this.revision++;
    const event: FleetChangeEvent = { revision: this.revision, changes };
    await this.events.publish({
      topic: SHIPYARD_FLEET_EVENTS_TOPIC,
      eventPayload: event,
    });
  }

  private sorted(): ClusterSummary[] {
    return [...this.clusters.values()]
      .filter(c => !this.hiddenManagementClusters.has(c.managementCluster))
      .sort(
        (a, b) =>
          a.name.localeCompare(b.name) ||
          stringifyClusterKey(a).localeCompare(stringifyClusterKey(b)),
      );
  }

  router(): express.Router {
    const router = express.Router();
    router.get('/clusters', (req, res) => {
      const parsed = parseListClustersQuery(
        req.query as Record<string, unknown>,
      );
      if (!parsed.ok) {
        error(res, 400, parsed.message);
        return;
      }
      const { limit = 50, cursor } = parsed.request;
      const all = this.sorted();
      const start = cursor
        ? Number(Buffer.from(cursor, 'base64url').toString())
        : 0;
      const items = all.slice(start, start + limit);
      const end = start + items.length;
      const body: ListClustersResponse = {
        items,
        totalCount: all.length,
        revision: this.revision,
        ...(end < all.length
          ? { nextCursor: Buffer.from(String(end)).toString('base64url') }
          : {}),
      };
      res.json(body);
    });
    router.get('/clusters/:managementCluster/:namespace/:name', (req, res) => {
      const summary = this.clusters.get(
        stringifyClusterKey({
          managementCluster: req.params.managementCluster,
          namespace: req.params.namespace,
          name: req.params.name,
        }),
      );
      if (!summary) {
        error(res, 404, 'Cluster not found');
        return;
      }
      const details: ClusterDetails = {
        summary,
        tree: { kind: 'Cluster', name: summary.name, ready: 'True' },
        revision: this.revision,
      };
      res.json(details);
    });
    router.get('/management-clusters', (_req, res) => {
      res.json({ items: [...this.managementClusters.values()] });
    });
    router.get('/cluster-classes', (_req, res) => {
      if (!this.serveClusterClasses) {
        error(res, 404, 'Not found');
        return;
      }
      res.json({ items: this.clusterClasses, revision: this.revision });
    });
    return router;
  }

  /** The fake as a backend plugin with id `shipyard`; every request must carry service credentials. */
  plugin() {
    return createBackendPlugin({
      pluginId: 'shipyard',
      register: env => {
        env.registerInit({
          deps: {
            httpRouter: coreServices.httpRouter,
            httpAuth: coreServices.httpAuth,
          },
          init: async ({ httpRouter, httpAuth }) => {
            const outer = express.Router();
            outer.use(async (req, res, next) => {
              try {
                const credentials = await httpAuth.credentials(req, {
                  allow: ['service'],
                });
                this.requests.push({
                  path: req.path,
                  principal: credentials.principal.subject,
                });
              } catch {
                error(res, 401, 'service credentials required');
                return;
              }
              if (this.unavailable) {
                error(res, 503, 'Shipyard is unavailable');
                return;
              }
              next();
            });
            outer.use(this.router());
            httpRouter.use(outer);
          },
        });
      },
    });
  }
}
