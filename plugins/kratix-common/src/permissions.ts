import { createPermission } from '@backstage/plugin-permission-common';

/** A Destination as a permission resource (resourceRef: its name). */
export const KRATIX_DESTINATION_RESOURCE_TYPE = 'kratix-destination';
/** A work as a permission resource (resourceRef: `<namespace>/<name>`). */
export const KRATIX_WORK_RESOURCE_TYPE = 'kratix-work';

/**
 * Creating a new work (POST /works, kratix:schedule). A resource permission
 * although the work does not exist yet: conditions (its namespace, its owner,
 * the caller) are checked against the work as it would be stored.
 */
export const kratixWorkCreatePermission = createPermission({
  name: 'kratix.work.create',
  attributes: { action: 'create' },
  resourceType: KRATIX_WORK_RESOURCE_TYPE,
});

/** Changing an existing work: checked against the work (its owner, its namespace). */
export const kratixWorkUpdatePermission = createPermission({
  name: 'kratix.work.update',
  attributes: { action: 'update' },
  resourceType: KRATIX_WORK_RESOURCE_TYPE,
});

/** Deleting a work and its files (DELETE /works, kratix:unschedule, the works page). */
export const kratixWorkDeletePermission = createPermission({
  name: 'kratix.work.delete',
  attributes: { action: 'delete' },
  resourceType: KRATIX_WORK_RESOURCE_TYPE,
});

/** Seeing a work and where it went. */
export const kratixWorkReadPermission = createPermission({
  name: 'kratix.work.read',
  attributes: { action: 'read' },
  resourceType: KRATIX_WORK_RESOURCE_TYPE,
});

/** Seeing a Destination, its placements and its files. */
export const kratixDestinationReadPermission = createPermission({
  name: 'kratix.destination.read',
  attributes: { action: 'read' },
  resourceType: KRATIX_DESTINATION_RESOURCE_TYPE,
});

/** Placing works on a Destination: scheduling chooses only among the ones allowed. */
export const kratixDestinationSchedulePermission = createPermission({
  name: 'kratix.destination.schedule',
  attributes: { action: 'update' },
  resourceType: KRATIX_DESTINATION_RESOURCE_TYPE,
});

/** Reading a State Store's page: its readiness, credential source and Destinations. */
export const kratixStateStoreReadPermission = createPermission({
  name: 'kratix.statestore.read',
  attributes: { action: 'read' },
});

export const kratixPermissions = [
  kratixWorkCreatePermission,
  kratixWorkUpdatePermission,
  kratixWorkDeletePermission,
  kratixWorkReadPermission,
  kratixDestinationReadPermission,
  kratixDestinationSchedulePermission,
  kratixStateStoreReadPermission,
];
