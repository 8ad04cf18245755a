/*
 * The production configuration (app-config.yaml merged with app-config.production.yaml, as the documented
 * production command loads it) must offer no guest sign-in: Backstage merges configuration objects, so a provider
 * of the base file survives unless the base file has none.
 */
import path from 'node:path';
import request from 'supertest';
import { ConfigSources } from '@backstage/config-loader';
import { ConfigReader } from '@backstage/config';
import { startTestBackend, mockServices } from '@backstage/backend-test-utils';

const root = path.resolve(__dirname, '../../..');

// The backend test loads the auth backend's modules through Jest's transform on first use: 3–8 s on a busy machine,
// past Jest's default of 5 s per test.
jest.setTimeout(60_000);

async function mergedConfig(files: string[]) {
  const source = ConfigSources.default({
    argv: files.flatMap(f => ['--config', path.join(root, f)]),
    substitutionFunc: async name => `placeholder-${name}`,
  });
  const config = await ConfigSources.toConfig(source);
  const data = config.get() as Record<string, any>;
  config.close();
  return data;
}

describe('production configuration', () => {
  it('merges to a configuration without the guest provider', async () => {
    const data = await mergedConfig([
      'app-config.yaml',
      'app-config.production.yaml',
    ]);
    expect(Object.keys(data.auth?.providers ?? {})).not.toContain('guest');
    expect(data.auth?.environment).toBe('production');
  });

  it('refuses guest sign-in when the backend runs on it', async () => {
    const data = await mergedConfig([
      'app-config.yaml',
      'app-config.production.yaml',
    ]);
    // The database and listener come from the test backend; everything else is the merged production config.
    delete data.backend.database;
    delete data.backend.listen;
    data.backend.baseUrl = 'http://localhost:7007';
    data.app.baseUrl = 'http://localhost:3000';
    const { server } = await startTestBackend({
      features: [
        require('@backstage/plugin-auth-backend').default,
        require('@backstage/plugin-auth-backend-module-guest-provider').default,
        mockServices.rootConfig.factory({ data }),
      ],
    });
    const res = await request(server).get('/api/auth/guest/refresh');
    expect(res.status).toBe(404);
  });

  it('keeps guest sign-in in the demo configuration that make start loads', async () => {
    const data = await mergedConfig([
      'app-config.yaml',
      'app-config.demo.yaml',
    ]);
    expect(
      new ConfigReader(data).getString('auth.providers.guest.userEntityRef'),
    ).toBe('user:default/guest');
  });
});
