import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/**
 * Test-only policy: denies every `kratix.*` permission to every user and
 * allows the rest (sign-in, the catalog), so a test can check that no read
 * or action of the plugin gets around a refusal.
 */
export const denyKratixPolicyModule = createBackendModule({
  pluginId: 'permission',
  moduleId: 'deny-kratix-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          handle: async request => ({
            result: request.permission.name.startsWith('kratix.')
              ? AuthorizeResult.DENY
              : AuthorizeResult.ALLOW,
          }),
        });
      },
    });
  },
});
