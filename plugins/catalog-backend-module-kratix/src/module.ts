import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { KratixEntitiesProcessor } from './KratixEntitiesProcessor';

/** Adds the Destination, GitStateStore and BucketStateStore kinds to the catalog. */
export const catalogModuleKratixEntityModel = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'kratix-entity-model',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new KratixEntitiesProcessor());
      },
    });
  },
});
