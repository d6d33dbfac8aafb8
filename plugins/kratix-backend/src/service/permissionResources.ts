import { PermissionsRegistryService } from '@backstage/backend-plugin-api';
import { Permission, isResourcePermission } from '@backstage/plugin-permission-common';
import {
  KRATIX_DESTINATION_RESOURCE_TYPE,
  KRATIX_WORK_RESOURCE_TYPE,
} from '@kratix-destinations/plugin-kratix-common';
import {
  kratixDestinationResourceRef,
  kratixDestinationRules,
  kratixWorkResourceRef,
  kratixWorkRules,
} from '@kratix-destinations/plugin-kratix-node';
import type { KratixStore } from '../database';
import { destinationResource } from './caller';

/** Destinations and works as permission resources, with the rules a policy can use. */
export function registerPermissions(
  registry: PermissionsRegistryService,
  db: KratixStore,
  permissions: Permission[],
) {
  registry.addPermissions(permissions.filter(p => !isResourcePermission(p)));
  registry.addResourceType({
    resourceRef: kratixDestinationResourceRef,
    permissions: permissions.filter(p => isResourcePermission(p, KRATIX_DESTINATION_RESOURCE_TYPE)),
    rules: Object.values(kratixDestinationRules),
    getResources: async refs => {
      const found = new Map(
        (await db.destinations.list({ names: refs })).map(d => [d.name, destinationResource(d)]),
      );
      return refs.map(r => found.get(r));
    },
  });
  registry.addResourceType({
    resourceRef: kratixWorkResourceRef,
    permissions: permissions.filter(p => isResourcePermission(p, KRATIX_WORK_RESOURCE_TYPE)),
    rules: Object.values(kratixWorkRules),
    getResources: async refs => {
      const keys = refs.map(r => ({
        namespace: r.slice(0, r.indexOf('/')),
        name: r.slice(r.indexOf('/') + 1),
      }));
      const works = await db.works.getMany(keys);
      return refs.map(r => {
        const w = works.get(r);
        return w && { namespace: w.namespace, name: w.name, ownerRefs: w.ownerRefs };
      });
    },
  });
}
