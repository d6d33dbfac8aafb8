import { createPermission } from '@backstage/plugin-permission-common';

/** Creating or updating a work (POST /works, kratix:schedule). */
export const kratixWorkCreatePermission = createPermission({
  name: 'kratix.work.create',
  attributes: { action: 'create' },
});

/** Deleting a work and its files (DELETE /works, kratix:unschedule, the works page). */
export const kratixWorkDeletePermission = createPermission({
  name: 'kratix.work.delete',
  attributes: { action: 'delete' },
});

export const kratixPermissions = [kratixWorkCreatePermission, kratixWorkDeletePermission];
