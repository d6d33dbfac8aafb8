// The product's backend, plus test identities: what the end-to-end tests start.
// KRATIX_E2E_POLICY=deny-kratix swaps the product's policy for one denying every kratix permission.
import { createBackend } from '@backstage/backend-defaults';
import { backendFeatures, permissionPolicyFeature } from 'backend/features';
import { authModuleTestUsers } from './testUsersModule';
import { denyKratixPolicyModule } from './denyKratixPolicyModule';

const denyKratix = process.env.KRATIX_E2E_POLICY === 'deny-kratix';
const backend = createBackend();
for (const feature of backendFeatures) {
  if (!(denyKratix && feature === permissionPolicyFeature)) backend.add(feature);
}
if (denyKratix) backend.add(denyKratixPolicyModule);
backend.add(authModuleTestUsers);
backend.start();
