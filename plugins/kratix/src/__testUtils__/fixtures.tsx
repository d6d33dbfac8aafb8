import { mockApis } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import type {
  DestinationView,
  PlacementView,
  StateStoreView,
  WorkSummary,
  WorkView,
} from '@kratix-destinations/plugin-kratix-common';
import { KratixApi } from '../api/KratixApi';

export const destination: Entity = {
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name: 'dev-cluster', namespace: 'default', labels: { environment: 'dev' } },
  spec: {
    path: 'dev-cluster',
    stateStoreRef: { kind: 'GitStateStore', name: 'demo-git' },
    cleanup: 'all',
  },
};

export const gitStore: Entity = {
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'GitStateStore',
  metadata: { name: 'demo-git', namespace: 'default' },
  spec: {},
};

export const placement: PlacementView = {
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
  scheduledAt: '2026-11-24T04:00:00.000Z',
  writtenAt: '2026-11-24T04:00:00.000Z',
  location: {
    stateStore: 'GitStateStore/demo-git',
    mode: 'nestedByMetadata',
    url: 'http://127.0.0.1:8470/state.git',
    branch: 'main',
    path: 'clusters/dev-cluster/resources/default/namespace/team-a/create-namespace/5058f',
  },
};

export const destinationView: DestinationView = {
  name: 'dev-cluster',
  namespace: 'default',
  entityRef: 'destination:default/dev-cluster',
  labels: { environment: 'dev' },
  path: 'dev-cluster',
  mode: 'nestedByMetadata',
  cleanup: 'all',
  stateStore: 'GitStateStore:default/demo-git',
  ready: true,
  message: 'Test documents written to State Store',
  deleting: false,
  drifted: false,
  placementCounts: { total: 1, written: 1, failed: 0, pending: 0 },
  spec: destination.spec!,
  canaries: {
    enabled: true,
    written: true,
    paths: [
      'dev-cluster/dependencies/kratix-canary-namespace.yaml',
      'dev-cluster/resources/kratix-canary-configmap.yaml',
    ],
  },
  placements: [placement],
};

export const storeView: StateStoreView = {
  kind: 'GitStateStore',
  name: 'demo-git',
  namespace: 'default',
  entityRef: 'gitstatestore:default/demo-git',
  spec: {
    url: 'http://127.0.0.1:8470/state.git',
    branch: 'main',
    path: 'clusters',
    secretRef: { name: 'demo-git' },
  },
  ready: true,
  status: 'Ready',
  message: 'State store is ready',
  lastVersion: '0123456789abcdef0123456789abcdef01234567',
  lastWrittenAt: '2026-11-24T04:00:00.000Z',
  credentials: { type: 'secret', name: 'demo-git', detail: 'basic auth' },
  destinations: [
    { name: 'dev-cluster', ready: true, path: 'dev-cluster', mode: 'nestedByMetadata' },
  ],
  placements: { total: 1, written: 1, failed: 0 },
};

export const workSummary: WorkSummary = {
  namespace: 'default',
  name: 'namespace-team-a-create-namespace',
  promise: 'namespace',
  resource: 'team-a',
  pipeline: 'create-namespace',
  kind: 'resource',
  status: 'written',
  destinations: [{ name: 'dev-cluster', status: 'written', misplaced: false }],
  createdBy: 'user:default/alice',
  createdAt: '2026-11-24T04:00:00.000Z',
  updatedAt: '2026-11-24T04:00:00.000Z',
};

export const workView: WorkView = {
  ...workSummary,
  workloadGroups: [
    {
      id: '5058f1af8388633f609cadb75a75dc9d',
      directory: '.',
      destinationSelectors: { environment: 'dev' },
      files: ['namespace.yaml'],
    },
  ],
  placements: [placement],
  pendingGroups: [],
};

const historyView = [
  {
    at: '2026-11-24T04:00:00.000Z',
    action: 'written' as const,
    destination: 'dev-cluster',
    stateStore: 'GitStateStore/demo-git',
    version: '0123456789abcdef0123456789abcdef01234567',
    actor: 'user:default/alice',
    webUrl: 'https://github.com/org/state/commit/0123456789abcdef0123456789abcdef01234567',
  },
];

const previewView = {
  work: { namespace: 'default', name: 'namespace-team-a-create-namespace' },
  destinations: ['dev-cluster'],
  placements: [],
  pendingGroups: [],
  dryRun: true,
  preview: [
    {
      destination: 'dev-cluster',
      stateStore: 'GitStateStore/demo-git',
      omitted: 0,
      changes: [
        {
          path: 'clusters/dev-cluster/x.yaml',
          action: 'change' as const,
          diff: '--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a: 1\n+a: 2\n',
        },
      ],
    },
  ],
};

const filesView = {
  destination: 'dev-cluster',
  stateStore: 'GitStateStore/demo-git',
  root: 'dev-cluster',
  version: '0123456789abcdef0123456789abcdef01234567',
  truncated: false,
  files: [
    {
      path: 'dev-cluster/resources/default/namespace/team-a/create-namespace/5058f/namespace.yaml',
      relativePath: 'resources/default/namespace/team-a/create-namespace/5058f/namespace.yaml',
      managed: true,
      kind: 'file' as const,
      placement: placement.name,
      work: placement.work,
    },
    { path: 'dev-cluster/notes.txt', relativePath: 'notes.txt', managed: false },
  ],
};

export function fakeApi(overrides: Partial<KratixApi> = {}): jest.Mocked<KratixApi> {
  return {
    listWorks: jest.fn(async () => ({ items: [], totalCount: 0 })),
    getWork: jest.fn(async () => workView),
    getWorkHistory: jest.fn(async () => historyView),
    previewWork: jest.fn(async () => previewView),
    deleteWork: jest.fn(async () => undefined),
    getDestination: jest.fn(async () => destinationView),
    listPlacements: jest.fn(async () => ({ items: [placement], totalCount: 1 })),
    getDestinationFiles: jest.fn(async () => filesView),
    getFileContent: jest.fn(async () => 'kind: Namespace\n'),
    getStateStore: jest.fn(async () => storeView),
    ...overrides,
  } as jest.Mocked<KratixApi>;
}

/** Entity links need the entity route and a catalog to present entities. */
export const entityLinks = { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } };
export const catalog = [catalogApiRef, catalogApiMock()] as const;
type PermissionMock = ReturnType<typeof mockApis.permission>;
export const allow: PermissionMock = mockApis.permission({ authorize: AuthorizeResult.ALLOW });
export const deny: PermissionMock = mockApis.permission({ authorize: AuthorizeResult.DENY });
