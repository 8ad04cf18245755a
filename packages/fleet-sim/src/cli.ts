import fs from 'node:fs';
import path from 'node:path';
import { parseArgs as nodeParseArgs } from 'node:util';
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
  --hosted-control-planes N
                       add N clusters whose control plane runs as pods in their management cluster
                       (k0smotron and Kamaji; default 0)
  --management-chain   the first management cluster manages itself and every other one
  --plain-http         serve HTTP instead of HTTPS
  --help
`;

export interface CliArgs {
  options: FleetSimOptions;
  statePath?: string;
  load?: number;
  help: boolean;
}

const INTEGER_OPTIONS = {
  management: 'managementClusters',
  clusters: 'clusters',
  port: 'port',
  'admin-port': 'adminPort',
  'step-ms': 'stepMs',
  load: 'load',
  'hosted-control-planes': 'hostedControlPlanes',
} as const;

const OPTIONS = {
  management: { type: 'string' },
  clusters: { type: 'string' },
  seed: { type: 'string' },
  teams: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  kubeconfig: { type: 'string' },
  state: { type: 'string' },
  'admin-port': { type: 'string' },
  'step-ms': { type: 'string' },
  load: { type: 'string' },
  'no-anomalies': { type: 'boolean' },
  'hosted-control-planes': { type: 'string' },
  'management-chain': { type: 'boolean' },
  'plain-http': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Node's own argv parser, its errors said in the CLI's words with the usage. */
function parse(argv: string[]) {
  try {
    return nodeParseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    const error = e as Error & { code?: string };
    const flag = /'([^' ]+)/.exec(error.message)?.[1] ?? '';
    const name = flag.replace(/^-+/, '');
    switch (error.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new Error(`unknown option ${flag || error.message}\n\n${USAGE}`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
        // a value that starts with a dash (for example -1) or a value given to a switch
        if (name in INTEGER_OPTIONS)
          throw new Error(`${flag} needs a non-negative integer`);
        if (OPTIONS[name as keyof typeof OPTIONS]?.type === 'string')
          throw new Error(`${flag} needs a value`);
        throw new Error(`${flag} takes no value`);
      default:
        throw error;
    }
  }
}

export function parseArgs(argv: string[]): CliArgs {
  const values = parse(argv);
  const int = (name: keyof typeof INTEGER_OPTIONS): number | undefined => {
    const raw = values[name];
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(v) || v < 0)
      throw new Error(`--${name} needs a non-negative integer`);
    return v;
  };
  const options: FleetSimOptions = {};
  const set = <K extends keyof FleetSimOptions>(
    key: K,
    value: FleetSimOptions[K] | undefined,
  ) => {
    if (value !== undefined) options[key] = value;
  };
  set('managementClusters', int('management'));
  set('clusters', int('clusters'));
  set('seed', values.seed);
  set(
    'teams',
    values.teams
      ?.split(',')
      .map(s => s.trim())
      .filter(Boolean),
  );
  set('host', values.host);
  set('port', int('port'));
  set('kubeconfigPath', values.kubeconfig);
  set('adminPort', int('admin-port'));
  if (values['no-anomalies']) options.anomalies = false;
  set('hostedControlPlanes', int('hosted-control-planes'));
  if (values['management-chain']) options.managementChain = true;
  if (values['plain-http']) options.tls = false;
  const stepMs = int('step-ms');
  if (stepMs !== undefined) options.timing = { stepMs };
  return {
    options,
    statePath: values.state,
    load: int('load'),
    help: values.help ?? false,
  };
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
