// The product's backend, plus test identities: what the end-to-end tests start.
import { createBackend } from '@backstage/backend-defaults';
import { backendFeatures } from 'backend/features';
import { authModuleTestUsers } from './testUsersModule';

const backend = createBackend();
for (const feature of backendFeatures) backend.add(feature);
backend.add(authModuleTestUsers);
backend.start();
