import {
  coreExtensionData,
  createExtensionInput,
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import catalogPlugin, { CatalogIndexPage } from '@backstage/plugin-catalog/alpha';
import { kratixCatalogColumns } from '@kratix-destinations/plugin-kratix';
import CategoryIcon from '@material-ui/icons/Category';

/** The catalog page, with columns that suit Destinations and State Stores. */
const catalogPage = PageBlueprint.makeWithOverrides({
  inputs: { filters: createExtensionInput([coreExtensionData.reactElement]) },
  factory(originalFactory, { inputs }) {
    return originalFactory({
      path: '/catalog',
      routeRef: catalogPlugin.routes.catalogIndex,
      title: 'Catalog',
      icon: <CategoryIcon fontSize="inherit" />,
      loader: async () => (
        <CatalogIndexPage
          columns={kratixCatalogColumns}
          filters={<>{inputs.filters.map(f => f.get(coreExtensionData.reactElement))}</>}
        />
      ),
    });
  },
});

export const catalogColumnsModule = createFrontendModule({
  pluginId: 'catalog',
  extensions: [catalogPage],
});
