/*
 * Faults of the Shipyard backend's answers, for the suites of its clients (the catalog's entity providers): a module
 * of the backend plugin puts a handler before the plugin's own routes, behind the same authentication, that answers
 * chosen requests with an error status, lets them through late, or holds them until the suite releases them, and
 * records every request it saw.
 * The backend behind it is the real one; only the answers the suite chose are replaced.
 */
import {
  HttpAuthService,
  HttpRouterService,
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';

/** A request to the Shipyard backend, as a fault rule sees it. */
export interface ShipyardRequest {
  method: string;
  /** Below `/api/shipyard`, without the query (`/clusters`). */
  path: string;
  query: Record<string, string>;
  /** Who sent it: `plugin:<id>` for a plugin's service token, the user entity ref for a user. */
  caller: string;
  /** When it arrived (`Date.now()`). */
  at: number;
  /** The fault it met, when one was injected. */
  fault?: string;
}

/**
 * What happens to a request a rule matches: answered with an error `status`; answered by the backend after `delayMs`;
 * or held unanswered (`hold`) until the faults are cleared (then the backend answers it), unless the client gives up
 * first.
 */
export type ShipyardRequestFault =
  | { status: number }
  | { delayMs: number }
  | { hold: true };

interface Rule {
  match: (request: ShipyardRequest) => boolean;
  fault: ShipyardRequestFault;
  times: number;
}

type Handler = Parameters<HttpRouterService['use']>[0];

function describe(fault: ShipyardRequestFault): string {
  if ('status' in fault) return `status ${fault.status}`;
  if ('delayMs' in fault) return `delay ${fault.delayMs} ms`;
  return 'hold';
}

/** Faults injected in front of the Shipyard backend's routes; add {@link ShipyardRequestFaults.module} to the backend. */
export class ShipyardRequestFaults {
  /** Every request the backend received, in order. */
  readonly requests: ShipyardRequest[] = [];
  private rules: Rule[] = [];
  private readonly held = new Set<() => void>();

  /** The next `times` requests that `match` selects meet `fault`. */
  inject(
    match: (request: ShipyardRequest) => boolean,
    fault: ShipyardRequestFault,
    times = 1,
  ): void {
    this.rules.push({ match, fault, times });
  }

  /** How many injected faults have not been met yet. */
  remaining(): number {
    return this.rules.reduce((n, r) => n + r.times, 0);
  }

  /** Drops the rules not met yet and lets the requests held so far through to the backend. */
  clear(): void {
    this.rules = [];
    for (const release of this.held) release();
    this.held.clear();
  }

  /** The requests `caller` sent to `path`. */
  requestsOf(caller: string, path: string): ShipyardRequest[] {
    return this.requests.filter(r => r.caller === caller && r.path === path);
  }

  /** The module of the `shipyard` plugin that applies the faults (a plugin's modules start before the plugin). */
  readonly module = createBackendModule({
    pluginId: 'shipyard',
    moduleId: 'test-request-faults',
    register: reg => {
      reg.registerInit({
        deps: {
          httpRouter: coreServices.httpRouter,
          httpAuth: coreServices.httpAuth,
        },
        init: async ({ httpRouter, httpAuth }) => {
          httpRouter.use(this.handler(httpAuth));
        },
      });
    },
  });

  private handler(httpAuth: HttpAuthService): Handler {
    return (req, res, next) => {
      const answer = async () => {
        const credentials = await httpAuth.credentials(req, {
          allow: ['user', 'service', 'none'],
        });
        const principal = credentials.principal as {
          type: string;
          subject?: string;
          userEntityRef?: string;
        };
        const request: ShipyardRequest = {
          method: req.method,
          path: req.path,
          query: Object.fromEntries(
            Object.entries(req.query).map(([k, v]) => [k, String(v)]),
          ),
          caller:
            principal.type === 'user'
              ? String(principal.userEntityRef)
              : String(principal.subject ?? principal.type),
          at: Date.now(),
        };
        this.requests.push(request);
        const rule = this.rules.find(r => r.times > 0 && r.match(request));
        if (!rule) {
          next();
          return;
        }
        rule.times--;
        const fault = rule.fault;
        request.fault = describe(fault);
        if ('status' in fault) {
          res.status(fault.status).json({
            error: {
              name: 'InjectedFault',
              message: `injected ${request.fault}`,
            },
          });
        } else if ('delayMs' in fault) {
          const timer = setTimeout(() => next(), fault.delayMs);
          res.once('close', () => clearTimeout(timer));
        } else {
          const release = () => {
            if (!res.headersSent && !res.writableEnded) next();
          };
          this.held.add(release);
          res.once('close', () => this.held.delete(release));
        }
      };
      answer().catch(next);
    };
  }
}
