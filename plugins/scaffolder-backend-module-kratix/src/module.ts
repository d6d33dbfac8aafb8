import { createBackendModule } from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { kratixServiceRef } from '@kratix-destinations/plugin-kratix-node';
import { createKratixScheduleAction } from './actions/schedule';
import { createKratixUnscheduleAction } from './actions/unschedule';

/** Adds kratix:schedule and kratix:unschedule to the scaffolder. */
export const scaffolderModuleKratix = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'kratix',
  register(reg) {
    reg.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        kratix: kratixServiceRef,
      },
      async init({ scaffolder, kratix }) {
        scaffolder.addActions(
          createKratixScheduleAction({ kratix }),
          createKratixUnscheduleAction({ kratix }),
        );
      },
    });
  },
});
