import {
  ServiceFactory,
  ServiceRef,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/**
 * A factory of a plugin service that hands out `instance`: the suite keeps the instance and drives it (triggers the
 * scheduler's tasks, publishes events).
 */
export function fixedService<TService>(
  service: ServiceRef<TService, 'plugin', 'singleton'>,
  instance: NoInfer<TService>,
): ServiceFactory<TService, 'plugin', 'singleton'> {
  return createServiceFactory({ service, deps: {}, factory: () => instance });
}
