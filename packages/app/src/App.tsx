import { createApp } from '@backstage/frontend-defaults';
import catalogPlugin from '@backstage/plugin-catalog/alpha';
import notificationsPlugin from '@backstage/plugin-notifications/alpha';
import scaffolderPlugin from '@backstage/plugin-scaffolder/alpha';
import signalsPlugin from '@backstage/plugin-signals/alpha';
import userSettingsPlugin from '@backstage/plugin-user-settings/alpha';
import kratixPlugin from '@kratix-destinations/plugin-kratix';
import { signInModule } from './modules/signIn';
import { catalogColumnsModule } from './modules/catalogColumns';

export default createApp({
  features: [
    catalogPlugin,
    scaffolderPlugin,
    userSettingsPlugin,
    signalsPlugin,
    notificationsPlugin,
    kratixPlugin,
    signInModule,
    catalogColumnsModule,
  ],
});
