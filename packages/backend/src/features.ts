/** The permission policy (allow-all, or the example policy): tests may swap it for their own. */
export const permissionPolicyFeature = import('./permissionPolicyModule');

/** Everything the backend runs; tests start the same list (plus test-only sign-in). */
export const backendFeatures = [
  import('@backstage/plugin-app-backend'),
  import('@backstage/plugin-auth-backend'),
  import('@backstage/plugin-auth-backend-module-guest-provider'),
  import('@backstage/plugin-permission-backend'),
  permissionPolicyFeature,
  import('@backstage/plugin-catalog-backend'),
  import('@backstage/plugin-catalog-backend-module-scaffolder-entity-model'),
  import('@kratix-destinations/plugin-catalog-backend-module-kratix'),
  import('@backstage/plugin-scaffolder-backend'),
  import('@kratix-destinations/plugin-scaffolder-backend-module-kratix'),
  import('@kratix-destinations/plugin-kratix-backend'),
  import('@backstage/plugin-signals-backend'),
  import('@backstage/plugin-notifications-backend'),
  import('@backstage/plugin-mcp-actions-backend'),
];
