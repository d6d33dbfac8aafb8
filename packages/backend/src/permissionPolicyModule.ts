import { coreServices, createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { KratixExamplePolicy } from './kratixExamplePolicy';

/**
 * The permission policy: allow-all by default (the demo), or the example
 * team policy when `kratix.examplePolicy.enabled` is true.
 */
export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'kratix-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ policy, config, logger }) {
        const example = config.getOptionalConfig('kratix.examplePolicy');
        if (example?.getOptionalBoolean('enabled')) {
          const platformGroup =
            example.getOptionalString('platformGroup') ?? 'group:default/platform-team';
          logger.info(
            `Permission policy: the kratix example policy (platform group ${platformGroup})`,
          );
          policy.setPolicy(
            new KratixExamplePolicy({
              platformGroup,
              teamLabel: example.getOptionalString('teamLabel') ?? 'team',
              sharedNamespaces: example.getOptionalStringArray('sharedNamespaces') ?? [
                'default',
                'kratix-platform-system',
              ],
            }),
          );
          return;
        }
        policy.setPolicy({ handle: async () => ({ result: AuthorizeResult.ALLOW }) });
      },
    });
  },
});
