/**
 * Entities the product accepts, as the unit tests give them to it: the
 * accepted cases of validation.test.ts and validation.corpus.test.ts, and
 * the valid Destinations and State Stores of the catalog module's tests
 * (plugins/catalog-backend-module-kratix/src/*.test.ts). kratixCrds.test.ts
 * checks that each is also valid against Kratix's CRD schema; a test that
 * starts accepting a new shape of entity should add it here.
 */
import type { Entity } from '@backstage/catalog-model';

const API = 'platform.kratix.io/v1alpha1';

const entity = (kind: string, name: string, spec: object, namespace?: string): Entity => ({
  apiVersion: API,
  kind,
  metadata: namespace ? { name, namespace } : { name },
  spec: spec as Entity['spec'],
});

const gitRef = { kind: 'GitStateStore', name: 'default' };

export const ACCEPTED_ENTITIES: { source: string; entity: Entity }[] = [
  // validation.test.ts
  ...[
    { path: 'dev', stateStoreRef: gitRef },
    {
      path: 'dev',
      stateStoreRef: gitRef,
      filepath: { mode: 'aggregatedYAML' },
      initWorkloads: { enabled: false },
      cleanup: 'all',
      strictMatchLabels: true,
    },
    { path: 'd', stateStoreRef: gitRef, filepath: { mode: 'none' } },
    { path: 'd', stateStoreRef: gitRef, filepath: {} },
    ...['/', '.', 'dev/', './dev', 'a/b/c'].map(path => ({ path, stateStoreRef: gitRef })),
  ].map(spec => ({ source: 'validation.test.ts', entity: entity('Destination', 'dev', spec) })),
  {
    source: 'validation.test.ts',
    entity: entity('GitStateStore', 'g', {
      url: 'https://example.com/r.git',
      secretRef: { name: 'git' },
    }),
  },
  ...[
    { bucketName: 'kratix', endpoint: 's3.amazonaws.com', secretRef: { name: 's3' } },
    { bucketName: 'kratix', endpoint: 's3.amazonaws.com', authMethod: 'IAM' },
  ].map(spec => ({ source: 'validation.test.ts', entity: entity('BucketStateStore', 'b', spec) })),

  // validation.corpus.test.ts (ACCEPTED)
  ...[
    { owner: 'team-a' },
    { owner: 'group:platform/team_a.1' },
    { stateStoreRef: { kind: 'GitStateStore', name: 'git.prod' } },
  ].map(spec => ({
    source: 'validation.corpus.test.ts',
    entity: entity('Destination', 'dev', {
      path: 'dev',
      stateStoreRef: { kind: 'GitStateStore', name: 'git' },
      ...spec,
    }),
  })),
  ...[
    { owner: 'user:default/jo' },
    { authMethod: 'ssh', url: 'git@github.com:org/repo.git' },
    { authMethod: 'ssh', url: 'ssh://git@github.com/org/repo.git' },
  ].map(spec => ({
    source: 'validation.corpus.test.ts',
    entity: entity('GitStateStore', 'git', {
      url: 'https://github.com/org/repo.git',
      secretRef: { name: 'creds' },
      ...spec,
    }),
  })),
  {
    source: 'validation.corpus.test.ts',
    entity: entity('BucketStateStore', 's3', {
      endpoint: 's3.amazonaws.com',
      bucketName: 'kratix-state',
      secretRef: { name: 's3-creds-2' },
    }),
  },

  // catalog-backend-module-kratix: module.test.ts, DestinationClaims.test.ts, nestedPaths.test.ts
  {
    source: 'module.test.ts',
    entity: entity('GitStateStore', 'g', { url: 'https://g/r.git' }),
  },
  {
    source: 'module.test.ts',
    entity: entity('BucketStateStore', 'b', {
      bucketName: 'bkt',
      endpoint: 'e',
      authMethod: 'IAM',
    }),
  },
  {
    source: 'module.test.ts',
    entity: entity(
      'Destination',
      'dev',
      { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' }, owner: 'team-a' },
      'default',
    ),
  },
  {
    source: 'DestinationClaims.test.ts',
    entity: entity(
      'Destination',
      'edge',
      { path: 'edge-b', stateStoreRef: { kind: 'GitStateStore', name: 'git' } },
      'team-b',
    ),
  },
  ...['nest', 'nestling', 'Nest/child', 'nest/child/', './nest/a/b', 'apps/web'].map(path => ({
    source: 'nestedPaths.test.ts',
    entity: entity(
      'Destination',
      'nest-child',
      { path, stateStoreRef: { kind: 'BucketStateStore', name: 'git' } },
      'default',
    ),
  })),
];
