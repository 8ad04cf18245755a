import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createShipyardRouter } from '../service/shipyardRouter';

/*
 * The routes the plugin serves and the operations of src/schema/openapi.yaml are the same set: a route that is not
 * in the spec, or an operation no route serves, fails here (the generated code is checked against the spec by
 * `yarn openapi:check`).
 */

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Served by the router of @backstage/backend-openapi-utils itself: the spec. */
const FRAMEWORK_ROUTES = ['GET /openapi.json'];

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  name?: string;
  handle?: { stack?: Layer[] };
}

function routesOf(stack: Layer[]): string[] {
  const routes: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all') {
          routes.push(`${method.toUpperCase()} ${layer.route.path}`);
        }
      }
    } else if (layer.handle?.stack) {
      routes.push(...routesOf(layer.handle.stack));
    }
  }
  return routes;
}

describe('the REST contract', () => {
  it('serves exactly the operations of the spec', async () => {
    const spec = parseYaml(
      fs.readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8'),
    );
    const operations = Object.entries(
      spec.paths as Record<string, Record<string, unknown>>,
    ).flatMap(([route, item]) =>
      METHODS.filter(m => item[m]).map(
        m => `${m.toUpperCase()} ${route.replace(/\{([^}]+)\}/g, ':$1')}`,
      ),
    );
    const unused = {} as any;
    const router = await createShipyardRouter({
      fleet: { index: {} } as any,
      health: unused,
      auditStore: unused,
      logger: unused,
      httpAuth: unused,
      permissions: unused,
      userInfo: unused,
      ruleset: unused,
      platformTeam: 'group:default/platform-team',
      lifecycle: unused,
      profiles: unused,
      operations: unused,
      rollouts: unused,
    });
    const served = routesOf((router as unknown as { stack: Layer[] }).stack);
    const routes = served.filter(r => !FRAMEWORK_ROUTES.includes(r));
    expect(new Set(routes).size).toBe(routes.length);
    expect([...routes].sort()).toEqual([...operations].sort());
  });
});
