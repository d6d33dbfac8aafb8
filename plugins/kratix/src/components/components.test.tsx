import { fireEvent, screen, waitFor } from '@testing-library/react';
import { SWRConfig } from 'swr';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, EntityProvider, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { KratixApi, kratixApiRef, Placement, Work } from '../api/KratixApi';
import { DestinationContent } from './DestinationContent';
import { StateStoreContent } from './StateStoreContent';
import { WorksPage } from './WorksPage';
import { KratixStatusCard } from './KratixStatusCard';

const destination: Entity = {
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name: 'dev-cluster', namespace: 'default', labels: { environment: 'dev' } },
  spec: {
    path: 'dev-cluster',
    stateStoreRef: { kind: 'GitStateStore', name: 'demo-git' },
    cleanup: 'all',
  },
};

const placement: Placement = {
  name: 'namespace-team-a-create-namespace.dev-cluster-5058f',
  namespace: 'default',
  work: { namespace: 'default', name: 'namespace-team-a-create-namespace' },
  promise: 'namespace',
  resource: 'team-a',
  destination: 'dev-cluster',
  workloadGroupId: '5058f1af8388633f609cadb75a75dc9d',
  directory: '.',
  status: 'written',
  misplaced: false,
  version: '0123456789abcdef0123456789abcdef01234567',
  writtenAt: '2026-11-24T04:00:00.000Z',
  location: {
    stateStore: 'GitStateStore/demo-git',
    url: 'http://127.0.0.1:8470/state.git',
    path: 'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f',
  },
};

function api(overrides: Partial<KratixApi> = {}): KratixApi {
  return {
    listWorks: jest.fn(async () => []),
    deleteWork: jest.fn(async () => undefined),
    getDestination: jest.fn(async () => ({
      name: 'dev-cluster',
      entityRef: 'destination:default/dev-cluster',
      labels: { environment: 'dev' },
      spec: destination.spec,
      stateStore: 'GitStateStore:default/demo-git',
      ready: true,
      message: 'Test documents written to State Store',
      deleting: false,
      canaries: {
        enabled: true,
        written: true,
        paths: [
          'dev-cluster/dependencies/kratix-canary-namespace.yaml',
          'dev-cluster/resources/kratix-canary-configmap.yaml',
        ],
      },
      placements: [placement],
    })),
    getStateStore: jest.fn(async () => ({
      kind: 'GitStateStore' as const,
      name: 'demo-git',
      entityRef: 'gitstatestore:default/demo-git',
      spec: {
        url: 'http://127.0.0.1:8470/state.git',
        branch: 'main',
        path: 'clusters',
        secretRef: { name: 'demo-git' },
      },
      ready: true,
      status: 'Ready' as const,
      message: 'State store is ready',
      lastVersion: '0123456789abcdef0123456789abcdef01234567',
      lastWrittenAt: '2026-11-24T04:00:00.000Z',
      destinations: [
        { name: 'dev-cluster', ready: true, path: 'dev-cluster', mode: 'nestedByMetadata' },
      ],
      placements: { total: 1, written: 1, failed: 0 },
    })),
    ...overrides,
  };
}

// Entity links need the entity route and a catalog to present entities.
const entityLinks = { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } };
const catalog = [catalogApiRef, catalogApiMock()] as const;

const allow = mockApis.permission({ authorize: AuthorizeResult.ALLOW });
const deny = mockApis.permission({ authorize: AuthorizeResult.DENY });

describe('DestinationContent', () => {
  it('shows the spec, readiness, canaries and placements', async () => {
    await renderInTestApp(
      <EntityProvider entity={destination}>
        <DestinationContent />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, api()], catalog] },
    );
    expect(
      await screen.findByText('Ready: Test documents written to State Store'),
    ).toBeInTheDocument();
    expect(screen.getByText('demo-git')).toBeInTheDocument();
    expect(screen.getByText('nestedByMetadata')).toBeInTheDocument();
    expect(
      screen.getByText(/written: dev-cluster\/dependencies\/kratix-canary-namespace.yaml/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f',
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('01234567')).toBeInTheDocument();
    expect(screen.getAllByText('written').length).toBeGreaterThan(0);
  });

  it('says when the backend does not know the Destination', async () => {
    await renderInTestApp(
      <EntityProvider entity={destination}>
        <DestinationContent />
      </EntityProvider>,
      {
        ...entityLinks,
        apis: [[kratixApiRef, api({ getDestination: async () => undefined })], catalog],
      },
    );
    expect(await screen.findByText(/Not known to the kratix backend yet/)).toBeInTheDocument();
  });

  it('shows an error without a stack trace', async () => {
    await renderInTestApp(
      <EntityProvider entity={destination}>
        <DestinationContent />
      </EntityProvider>,
      {
        ...entityLinks,
        apis: [
          [
            kratixApiRef,
            api({
              getDestination: async () => {
                throw new Error('kratix backend unreachable');
              },
            }),
          ],
          catalog,
        ],
      },
    );
    expect(await screen.findByText('kratix backend unreachable')).toBeInTheDocument();
    expect(screen.queryByText(/at Object\./)).not.toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/components\.test\.tsx/);
  });
});

describe('StateStoreContent', () => {
  it('shows readiness, where the files are, the last version and its Destinations', async () => {
    const store: Entity = {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'GitStateStore',
      metadata: { name: 'demo-git', namespace: 'default' },
      spec: {},
    };
    await renderInTestApp(
      <EntityProvider entity={store}>
        <StateStoreContent />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, api()], catalog] },
    );
    expect(await screen.findByText('Ready: State store is ready')).toBeInTheDocument();
    expect(screen.getByText('http://127.0.0.1:8470/state.git')).toBeInTheDocument();
    expect(screen.getByText('01234567')).toBeInTheDocument();
    expect(screen.getByText('kratix.secrets.demo-git in app-config')).toBeInTheDocument();
    expect(screen.getByText('dev-cluster', { selector: 'a, a *' })).toBeInTheDocument();
  });
});

describe('WorksPage', () => {
  const work: Work = {
    namespace: 'default',
    name: 'namespace-team-a-create-namespace',
    promise: 'namespace',
    resource: 'team-a',
    pipeline: 'create-namespace',
    kind: 'resource',
    status: 'written',
    workloadGroups: [],
    placements: [placement],
    pendingGroups: [],
    createdAt: '2026-11-24T04:00:00.000Z',
    updatedAt: '2026-11-24T04:00:00.000Z',
  };

  it('shows an empty state', async () => {
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, api()], allow, catalog],
    });
    expect(await screen.findByText('No works yet')).toBeInTheDocument();
  });

  it('lists works and deletes one after confirmation', async () => {
    const kratix = api({ listWorks: jest.fn(async () => [work]) });
    await renderInTestApp(<WorksPage />, {
      ...entityLinks,
      apis: [[kratixApiRef, kratix], allow, catalog],
    });
    expect(
      await screen.findByText('default/namespace-team-a-create-namespace'),
    ).toBeInTheDocument();
    const button = await screen.findByRole('button', {
      name: 'Delete default/namespace-team-a-create-namespace',
    });
    await waitFor(() => expect(button).toBeEnabled());
    fireEvent.click(button);
    expect(
      await screen.findByText('Delete default/namespace-team-a-create-namespace?'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Its files are removed from dev-cluster. This cannot be undone.'),
    ).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(kratix.deleteWork).toHaveBeenCalledWith({
        namespace: 'default',
        name: 'namespace-team-a-create-namespace',
      }),
    );
  });

  it('disables deleting when the permission is denied', async () => {
    // usePermission caches decisions (swr): a fresh cache, or the earlier ALLOW would answer.
    await renderInTestApp(
      <SWRConfig value={{ provider: () => new Map() }}>
        <WorksPage />
      </SWRConfig>,
      {
        ...entityLinks,
        apis: [[kratixApiRef, api({ listWorks: async () => [work] })], deny, catalog],
      },
    );
    const button = await screen.findByRole('button', {
      name: 'Delete default/namespace-team-a-create-namespace',
    });
    expect(button).toBeDisabled();
  });
});

describe('KratixStatusCard', () => {
  it("shows a Destination's readiness and placements on its overview", async () => {
    await renderInTestApp(
      <EntityProvider entity={destination}>
        <KratixStatusCard />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, api()], catalog] },
    );
    expect(
      await screen.findByText('Ready: Test documents written to State Store'),
    ).toBeInTheDocument();
    expect(screen.getByText('1 (1 written)')).toBeInTheDocument();
  });
  it("shows a State Store's readiness and last version", async () => {
    const store: Entity = {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'GitStateStore',
      metadata: { name: 'demo-git', namespace: 'default' },
      spec: {},
    };
    await renderInTestApp(
      <EntityProvider entity={store}>
        <KratixStatusCard />
      </EntityProvider>,
      { ...entityLinks, apis: [[kratixApiRef, api()], catalog] },
    );
    expect(await screen.findByText('Ready: State store is ready')).toBeInTheDocument();
    expect(screen.getByText('01234567')).toBeInTheDocument();
  });
});
