import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import kratixPlugin from '@internal/plugin-kratix';
import { signInModule } from './modules/signIn';
import { catalogColumnsModule } from './modules/catalogColumns';

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    userSettingsPlugin,
    kratixPlugin,
    signInModule,
    catalogColumnsModule,
  ],
});
