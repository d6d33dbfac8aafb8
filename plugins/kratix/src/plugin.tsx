import {
  ApiBlueprint,
  createFrontendPlugin,
  createRouteRef,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import { EntityCardBlueprint, EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import AccountTreeIcon from '@material-ui/icons/AccountTree';
import { kratixApiRef } from './api/KratixApi';
import { KratixClient } from './api/KratixClient';

export const worksRouteRef = createRouteRef();

const kratixApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: kratixApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) => new KratixClient({ discoveryApi, fetchApi }),
    }),
});

const worksPage = PageBlueprint.make({
  params: {
    path: '/kratix',
    title: 'Kratix works',
    icon: <AccountTreeIcon fontSize="inherit" />,
    routeRef: worksRouteRef,
    loader: () => import('./components/KratixRouter').then(m => <m.KratixRouter />),
  },
});

const destinationContent = EntityContentBlueprint.make({
  name: 'destination',
  params: {
    path: '/kratix',
    title: 'Kratix',
    filter: 'kind:destination',
    loader: () => import('./components/DestinationContent').then(m => <m.DestinationContent />),
  },
});

const stateStoreContent = EntityContentBlueprint.make({
  name: 'state-store',
  params: {
    path: '/kratix',
    title: 'Kratix',
    filter: 'kind:gitstatestore,bucketstatestore',
    loader: () => import('./components/StateStoreContent').then(m => <m.StateStoreContent />),
  },
});

const statusCard = EntityCardBlueprint.make({
  name: 'status',
  params: {
    filter: 'kind:destination,gitstatestore,bucketstatestore',
    loader: () => import('./components/KratixStatusCard').then(m => <m.KratixStatusCard />),
  },
});

/** Destinations, State Stores and their works, in Backstage. */
export const kratixPlugin = createFrontendPlugin({
  pluginId: 'kratix',
  title: 'Kratix',
  routes: { works: worksRouteRef },
  extensions: [kratixApi, worksPage, destinationContent, stateStoreContent, statusCard],
});
