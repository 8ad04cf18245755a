import { OwnershipResolver } from '../config/ownership';

/** The portal's ownership labels (`shipyard.io/…`), with `group:default/platform` owning what names no owner. */
export function portalOwnership(): OwnershipResolver {
  return new OwnershipResolver({
    ownerKeys: ['shipyard.io/owner'],
    systemKeys: ['shipyard.io/system'],
    lifecycleKeys: ['shipyard.io/lifecycle'],
    profileKeys: ['shipyard.io/profile'],
    profileVersionKeys: ['shipyard.io/profile-version'],
    namespaceOwners: {},
    defaultOwner: 'group:default/platform',
  });
}
