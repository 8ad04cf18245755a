import {
  ApiBlueprint,
  createFrontendModule,
  googleAuthApiRef,
  microsoftAuthApiRef,
} from '@backstage/frontend-plugin-api';
import {
  KubernetesAuthProviders,
  KubernetesAuthProvidersApi,
  kubernetesAuthProvidersApiRef,
} from '@backstage/plugin-kubernetes-react';

/** The auth provider of Shipyard's clusters: their credentials are resolved on the backend, none in the browser. */
const SHIPYARD_AUTH_PROVIDER = 'shipyard';

/**
 * The Kubernetes plugin's auth providers with Shipyard's: a request to a Shipyard cluster carries nothing from the
 * browser (the backend's `shipyard` auth strategy reads the cluster's kubeconfig Secret).
 */
export const kubernetesModule = createFrontendModule({
  pluginId: 'kubernetes',
  extensions: [
    ApiBlueprint.make({
      name: 'auth-providers',
      params: defineParams =>
        defineParams({
          api: kubernetesAuthProvidersApiRef,
          deps: {
            googleAuthApi: googleAuthApiRef,
            microsoftAuthApi: microsoftAuthApiRef,
          },
          factory: ({ googleAuthApi, microsoftAuthApi }) => {
            const providers = new KubernetesAuthProviders({
              googleAuthApi,
              microsoftAuthApi,
            });
            const api: KubernetesAuthProvidersApi = {
              decorateRequestBodyForAuth: (authProvider, requestBody) =>
                authProvider === SHIPYARD_AUTH_PROVIDER
                  ? Promise.resolve(requestBody)
                  : providers.decorateRequestBodyForAuth(
                      authProvider,
                      requestBody,
                    ),
              getCredentials: authProvider =>
                authProvider === SHIPYARD_AUTH_PROVIDER
                  ? Promise.resolve({})
                  : providers.getCredentials(authProvider),
            };
            return api;
          },
        }),
    }),
  ],
});
