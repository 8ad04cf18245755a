import fs from 'node:fs';
import path from 'node:path';
import { startFleetSim, FleetSimOptions } from './sim/sim';

const USAGE = `Usage: fleet-sim [options]

  --management N       management clusters (default 3)
  --clusters M         workload clusters across them (default 60)
  --seed S             seed of the reproducible fleet (default shipyard)
  --teams a,b,c        owning teams (default team-a,team-b,team-c)
  --host H             listen address (default 127.0.0.1)
  --port P             HTTPS port (default 0: any free port)
  --kubeconfig FILE    write a kubeconfig with one context per management cluster
  --state FILE         write URLs, CA and tokens as JSON
  --admin-port P       also serve the admin API over plain HTTP on 127.0.0.1:P
  --step-ms MS         duration of one provisioning step (default 1000)
  --load EPS           changes per second from the load driver (default 0)
  --no-anomalies       seed only healthy clusters
  --plain-http         serve HTTP instead of HTTPS
  --help
`;

export interface CliArgs {
  options: FleetSimOptions;
  statePath?: string;
  load?: number;
  help: boolean;
}

export function parseArgs(argv: string[]): CliArgs {
  const options: FleetSimOptions = {};
  const result: CliArgs = { options, help: false };
  const timing: { stepMs?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (): number => {
      const v = Number(value());
      if (!Number.isInteger(v) || v < 0)
        throw new Error(`${flag} needs a non-negative integer`);
      return v;
    };
    switch (flag) {
      case '--management':
        options.managementClusters = int();
        break;
      case '--clusters':
        options.clusters = int();
        break;
      case '--seed':
        options.seed = value();
        break;
      case '--teams':
        options.teams = value()
          .split(',')
          .map(s => s.trim())
          .filter(Boolean);
        break;
      case '--host':
        options.host = value();
        break;
      case '--port':
        options.port = int();
        break;
      case '--kubeconfig':
        options.kubeconfigPath = value();
        break;
      case '--state':
        result.statePath = value();
        break;
      case '--admin-port':
        options.adminPort = int();
        break;
      case '--step-ms':
        timing.stepMs = int();
        break;
      case '--load':
        result.load = int();
        break;
      case '--no-anomalies':
        options.anomalies = false;
        break;
      case '--plain-http':
        options.tls = false;
        break;
      case '--help':
      case '-h':
        result.help = true;
        break;
      default:
        throw new Error(`unknown option ${arg}\n\n${USAGE}`);
    }
  }
  if (timing.stepMs !== undefined) options.timing = timing;
  return result;
}

/** Relative paths are relative to where the user ran `yarn` (INIT_CWD), not the package. */
function resolvePaths(args: CliArgs): void {
  const base = process.env.INIT_CWD ?? process.cwd();
  const o = args.options;
  if (o.kubeconfigPath) o.kubeconfigPath = path.resolve(base, o.kubeconfigPath);
  if (args.statePath) args.statePath = path.resolve(base, args.statePath);
}

export async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  resolvePaths(args);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const sim = await startFleetSim(args.options);
  const stats = sim.stats();
  if (args.statePath) {
    fs.writeFileSync(
      args.statePath,
      `${JSON.stringify(
        {
          url: sim.url,
          caData: sim.caData,
          adminUrl: sim.adminUrl,
          adminToken: sim.adminToken,
          kubeconfigPath: sim.kubeconfigPath,
          managementClusters: sim.managementClusters,
        },
        null,
        2,
      )}\n`,
      { mode: 0o600 },
    );
  }
  if (args.load) sim.startLoad({ eventsPerSecond: args.load });
  process.stdout.write(
    `fleet-sim: ${stats.managementClusters} management clusters, ${stats.workloadClusters} workload clusters, ${stats.machines} machines at ${sim.url}\n`,
  );
  for (const m of sim.managementClusters)
    process.stdout.write(`fleet-sim:   ${m.name} ${m.url}\n`);
  if (sim.kubeconfigPath)
    process.stdout.write(
      `fleet-sim: kubeconfig written to ${sim.kubeconfigPath}\n`,
    );
  process.stdout.write(`fleet-sim: admin API at ${sim.adminUrl}\n`);
  process.stdout.write('fleet-sim ready\n');
  await new Promise<void>(resolve => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.stop();
  process.stdout.write('fleet-sim stopped\n');
}
