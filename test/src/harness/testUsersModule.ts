import { createBackendModule } from '@backstage/backend-plugin-api';
import { AuthenticationError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/**
 * Test identities for the end-to-end tests only (never in the product's
 * backend): `POST /api/auth/test-users/refresh` with `x-test-user: alice` and
 * `x-test-groups: team-a` signs in as user:default/alice, member of
 * group:default/team-a. Mounted only when `auth.providers.test-users` is set.
 */
export const authModuleTestUsers = createBackendModule({
  pluginId: 'auth',
  moduleId: 'test-users',
  register(reg) {
    reg.registerInit({
      deps: { providers: authProvidersExtensionPoint },
      async init({ providers }) {
        providers.registerProvider({
          providerId: 'test-users',
          factory: createProxyAuthProviderFactory({
            authenticator: createProxyAuthenticator<
              void,
              { user: string; groups: string[] },
              undefined
            >({
              defaultProfileTransform: async r => ({ profile: { displayName: r.user } }),
              initialize: () => undefined,
              async authenticate({ req }) {
                const user = req.get('x-test-user');
                if (!user) throw new AuthenticationError('missing x-test-user header');
                return {
                  result: {
                    user,
                    groups: (req.get('x-test-groups') ?? '').split(',').filter(Boolean),
                  },
                };
              },
            }),
            async signInResolver({ result }, ctx) {
              const sub = `user:default/${result.user}`;
              return ctx.issueToken({
                claims: { sub, ent: [sub, ...result.groups.map(g => `group:default/${g}`)] },
              });
            },
          }),
        });
      },
    });
  },
});
