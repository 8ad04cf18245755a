/**
 * `startFleetSim`: a simulated fleet of management and workload clusters on one HTTPS port, started in a few named
 * steps (see the function). The pieces: `fleet.ts` (state, management clusters, controllers), `seedManagement.ts`
 * (what is in the stores at start), `controls.ts` (faults, controller, load), `views.ts` (what it reports),
 * `admin.ts` (the admin API).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { AddressInfo } from 'node:net';
import { ResourceRegistry, builtinResourceTypes } from '../api/registry';
import { FleetServer } from '../server/server';
import { handleAdmin } from './admin';
import { FleetControls, fleetControls } from './controls';
import {
  Fleet,
  addWorkload,
  createFleet,
  generateModel,
  resolveOptions,
  seedContext,
  startControllers,
} from './fleet';
import { injectSeededFaults, seedManagementCluster } from './seedManagement';
import { FleetSim, FleetSimOptions } from './types';
import {
  fleetKubeconfig,
  managementInfos,
  onChange,
  warm,
  workloadInfos,
} from './views';

export type {
  FleetController,
  FleetFaults,
  FleetSim,
  FleetSimChange,
  FleetSimOptions,
  FleetSimStats,
  FleetSimTiming,
  ManagementClusterInfo,
  WorkloadClusterInfo,
} from './types';

/** Starts a simulated fleet of management and workload clusters on one HTTPS port. */
export async function startFleetSim(
  options: FleetSimOptions = {},
): Promise<FleetSim> {
  const settings = resolveOptions(options);
  const registry = new ResourceRegistry(builtinResourceTypes());
  const model = generateModel(settings, options);
  const fleet = createFleet(settings, registry, model, options);
  // before the controllers subscribe: the seeded objects already show these faults
  injectSeededFaults(model, fleet.faults, settings.seed);
  startControllers(fleet);
  const controls = fleetControls(fleet);
  // the seeded kubeconfig Secrets point at the server's address
  await listen(fleet, controls, options.port ?? 0);
  seedManagementClusters(fleet);
  settleSeededClusters(fleet);
  if (options.kubeconfigPath) writeKubeconfig(fleet, options.kubeconfigPath);
  const adminServer =
    options.adminPort !== undefined
      ? await listenAdmin(controls, options.adminPort)
      : undefined;
  return handle(fleet, controls, options, adminServer);
}

/** Serves every management cluster, its workload clusters and the admin API on one port. */
async function listen(
  fleet: Fleet,
  controls: FleetControls,
  port: number,
): Promise<void> {
  const { managements, workloads, requestCounter, tls } = fleet;
  const server = new FleetServer({
    host: fleet.settings.host,
    port,
    tls: tls ? { cert: tls.cert, key: tls.key } : undefined,
    faults: fleet.faults,
    adminToken: fleet.adminToken,
    resolve: segments => {
      const mc = managements.get(segments[0]);
      if (!mc) return undefined;
      if (segments[1] === 'workloads') {
        if (segments.length < 4) return undefined;
        const w = workloads.get(`${segments[0]}/${segments[2]}/${segments[3]}`);
        if (w) requestCounter.count(mc.name, true);
        return w ? { endpoint: w, used: 4 } : undefined;
      }
      requestCounter.count(mc.name, false);
      return { endpoint: mc, used: 1 };
    },
    admin: (req, res, p, query) => handleAdmin(req, res, p, query, controls),
  });
  await server.listen();
  fleet.server = server;
  fleet.baseUrl = server.baseUrl;
}

/** Puts the generated fleet into the stores, with a workload cluster for every cluster past provisioning. */
function seedManagementClusters(fleet: Fleet): void {
  for (const mm of fleet.model.managements) {
    const mc = fleet.managements.get(mm.name);
    if (!mc) continue;
    seedManagementCluster(
      mc,
      mm,
      fleet.model,
      seedContext(fleet, mm.name),
      fleet.settings.now,
      c => addWorkload(fleet, mc, c.namespace, c.name, c.flavor),
    );
  }
}

/** The provisioning and upgrading clusters are the controllers' to carry on; everything else is settled. */
function settleSeededClusters(fleet: Fleet): void {
  for (const c of fleet.model.clusters) {
    if (c.state === 'provisioning' || c.state === 'upgrading')
      fleet.controllers.get(c.management)?.touchCluster(c.namespace, c.name);
  }
}

function writeKubeconfig(fleet: Fleet, kubeconfigPath: string): void {
  fs.mkdirSync(path.dirname(path.resolve(kubeconfigPath)), {
    recursive: true,
  });
  fs.writeFileSync(kubeconfigPath, fleetKubeconfig(fleet), { mode: 0o600 });
}

/** The admin API over plain HTTP on 127.0.0.1 (without a token). */
async function listenAdmin(
  controls: FleetControls,
  port: number,
): Promise<http.Server> {
  const adminHttp = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const p = url.pathname.startsWith('/admin')
      ? url.pathname.slice('/admin'.length) || '/'
      : url.pathname;
    handleAdmin(req, res, p, url.searchParams, controls).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>(resolve =>
    adminHttp.listen(port, '127.0.0.1', () => resolve()),
  );
  return adminHttp;
}

/** The running simulator as its users see it. */
function handle(
  fleet: Fleet,
  controls: FleetControls,
  options: FleetSimOptions,
  adminServer: http.Server | undefined,
): FleetSim {
  const adminPort = adminServer
    ? (adminServer.address() as AddressInfo).port
    : undefined;
  return {
    managementClusters: managementInfos(fleet),
    workloadClusters: () => workloadInfos(fleet),
    url: fleet.baseUrl,
    caData: fleet.caData,
    kubeconfigPath: options.kubeconfigPath,
    kubeconfig: () => fleetKubeconfig(fleet),
    adminToken: fleet.adminToken,
    adminUrl:
      adminPort !== undefined
        ? `http://127.0.0.1:${adminPort}/admin`
        : `${fleet.baseUrl}/admin`,
    faults: controls.faults,
    controller: controls.controller,
    startLoad: o => controls.startLoad(o),
    model: fleet.model,
    stats: () => controls.stats(),
    warm: () => warm(fleet),
    management: name => {
      const mc = fleet.managements.get(name);
      if (!mc) throw new Error(`unknown management cluster ${name}`);
      return mc;
    },
    onChange: listener => onChange(fleet, listener),
    stop: async () => {
      controls.stopAllLoad();
      fleet.controllers.forEach(c => c.stop());
      fleet.managements.forEach(m => m.stop());
      await fleet.server?.close();
      if (adminServer) {
        const s = adminServer;
        await new Promise<void>(resolve => s.close(() => resolve()));
        s.closeAllConnections();
      }
    },
  };
}
