import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { Entity } from '@backstage/catalog-model';
import { catalogModuleKratixEntityModel } from './module';
import { KratixEntitiesProcessor } from './KratixEntitiesProcessor';
import { DestinationClaims } from './DestinationClaims';
import { CatalogChangePublisher } from './CatalogChangePublisher';
import { claimDatabases, destination, replicas as replicasOn } from './__testUtils__/claims';

const databases = claimDatabases();

async function processor(now = () => Date.now(), ttl = 1000) {
  return (await replicasOn(databases, 1, now, ttl)).processors[0];
}

const location = { type: 'file', target: '/tmp/x.yaml' };

describe('catalogModuleKratixEntityModel', () => {
  it('registers the processor with the catalog', async () => {
    const addProcessor = jest.fn();
    await startTestBackend({
      extensionPoints: [[catalogProcessingExtensionPoint, { addProcessor }]],
      features: [catalogModuleKratixEntityModel, mockServices.database.factory()],
    });
    expect(addProcessor).toHaveBeenCalledTimes(1);
    expect(addProcessor.mock.calls[0][0].getProcessorName()).toBe('KratixEntitiesProcessor');
  });
});

describe('KratixEntitiesProcessor', () => {
  it('accepts the three kinds when valid and ignores others', async () => {
    const p = await processor();
    expect(
      await p.validateEntityKind(
        destination('dev', { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } }),
      ),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'GitStateStore',
        metadata: { name: 'g' },
        spec: { url: 'https://g/r.git' },
      }),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'BucketStateStore',
        metadata: { name: 'b' },
        spec: { bucketName: 'bkt', endpoint: 'e', authMethod: 'IAM' },
      }),
    ).toBe(true);
    expect(
      await p.validateEntityKind({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'c' },
        spec: {},
      }),
    ).toBe(false);
    expect(
      await p.validateEntityKind({
        apiVersion: 'example.com/v1',
        kind: 'Destination',
        metadata: { name: 'd' },
        spec: {},
      }),
    ).toBe(false);
  });

  it('rejects an invalid entity with the field and the fix', async () => {
    const p = await processor();
    await expect(
      p.validateEntityKind(
        destination('bad', {
          path: 'x',
          stateStoreRef: { kind: 'GitStateStore', name: 'git' },
          filepath: { mode: 'nested' },
        }),
      ),
    ).rejects.toThrow(
      'Destination "bad" is invalid: spec.filepath.mode: "nested" is not one of nestedByMetadata, aggregatedYAML, none',
    );
  });

  it('gives the later Destination with the same path on the same store an error', async () => {
    let now = 0;
    const p = await processor(() => now);
    const ref = { kind: 'GitStateStore', name: 'git' };
    expect(
      await p.validateEntityKind(destination('first', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('second', { path: 'shared/', stateStoreRef: ref })),
    ).rejects.toThrow(
      "spec.path: destination path 'shared/' already exists for state store 'git' (used by destination:default/first); choose another path",
    );
    // The same path on another store, or re-processing the first, is fine.
    expect(
      await p.validateEntityKind(
        destination('third', {
          path: 'shared',
          stateStoreRef: { kind: 'BucketStateStore', name: 'git' },
        }),
      ),
    ).toBe(true);
    expect(
      await p.validateEntityKind(destination('first', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
    // Once the first has gone (not processed for a while), the path is free.
    now = 5000;
    expect(
      await p.validateEntityKind(destination('second', { path: 'shared', stateStoreRef: ref })),
    ).toBe(true);
  });

  it('refuses a Destination whose name another namespace holds, and a mode change', async () => {
    const p = await processor();
    const ref = { kind: 'GitStateStore', name: 'git' };
    expect(
      await p.validateEntityKind(destination('dev', { path: 'dev', stateStoreRef: ref })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('dev', { path: 'other', stateStoreRef: ref }, 'team-b')),
    ).rejects.toThrow(
      'metadata.name: a Destination named "dev" already exists (destination:default/dev); Destination names are unique across namespaces, as in Kratix: choose another name',
    );
    await expect(
      p.validateEntityKind(
        destination('dev', { path: 'dev', stateStoreRef: ref, filepath: { mode: 'none' } }),
      ),
    ).rejects.toThrow(
      'spec.filepath.mode: is immutable (Destination "dev" was created with nestedByMetadata); delete the Destination and create it again to change its mode',
    );
  });

  it('relates a Destination to its State Store and owner', async () => {
    const emit = jest.fn();
    const e = destination(
      'dev',
      { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' }, owner: 'team-a' },
      'platform',
    );
    await (await processor()).postProcessEntity(e, location, emit);
    expect(
      emit.mock.calls
        .map(c => c[0].relation)
        .map(
          (r: any) =>
            `${r.source.kind}:${r.source.namespace}/${r.source.name} ${r.type} ${r.target.kind}:${r.target.namespace}/${r.target.name}`,
        ),
    ).toEqual([
      'Destination:platform/dev dependsOn GitStateStore:platform/git',
      'GitStateStore:platform/git dependencyOf Destination:platform/dev',
      'Destination:platform/dev ownedBy Group:platform/team-a',
      'Group:platform/team-a ownerOf Destination:platform/dev',
    ]);
  });

  it('signals a Destination or State Store the first time it is processed and when its content changes', async () => {
    const publish = jest.fn(async (_event: any) => {});
    const knex = await databases.init('SQLITE_3');
    const p = new KratixEntitiesProcessor(
      await DestinationClaims.create({ getClient: async () => knex } as any, {
        staleAfterMs: 1000,
      }),
      new CatalogChangePublisher({ publish } as any, mockServices.logger.mock()),
    );
    const spec = { path: 'dev', stateStoreRef: { kind: 'GitStateStore', name: 'git' } };
    const processed = async (e: Entity) => p.postProcessEntity(e, location, jest.fn());
    await processed(destination('dev', spec));
    await processed(destination('dev', spec));
    await processed({ ...destination('dev', spec), metadata: { name: 'dev', labels: { a: 'b' } } });
    await processed(destination('dev', { ...spec, path: 'other' }));
    await processed({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'c' },
      spec: {},
    });
    const payloads = publish.mock.calls.map((c: any[]) => {
      expect(c[0].topic).toBe('kratix.catalog.changed');
      return c[0].eventPayload;
    });
    expect(payloads.map(x => x.entityRef)).toEqual(Array(3).fill('destination:default/dev'));
    // What the plugin compares with the entity it reads: labels, annotations, spec.
    expect(payloads.map(x => x.content)).toEqual([
      JSON.stringify([{}, {}, spec]),
      JSON.stringify([{ a: 'b' }, {}, spec]),
      JSON.stringify([{}, {}, { ...spec, path: 'other' }]),
    ]);
  });

  it('forgets an entity it has not processed for an hour, and signals it again if it comes back', async () => {
    const publish = jest.fn(async (_event: any) => {});
    let now = 0;
    const minutes = (m: number) => m * 60_000;
    const publisher = new CatalogChangePublisher(
      { publish } as any,
      mockServices.logger.mock(),
      () => now,
    );
    const spec = { path: 'x', stateStoreRef: { kind: 'GitStateStore', name: 'git' } };
    const processed = (name: string) => publisher.processed(destination(name, spec));
    processed('kept');
    processed('gone');
    now = minutes(50);
    processed('kept');
    now = minutes(61);
    processed('new');
    expect(publisher.remembered).toBe(2);
    processed('kept');
    processed('gone');
    expect(publish.mock.calls.map((c: any[]) => c[0].eventPayload.entityRef)).toEqual([
      'destination:default/kept',
      'destination:default/gone',
      'destination:default/new',
      'destination:default/gone',
    ]);
  });

  it('relates a State Store to its owner', async () => {
    const emit = jest.fn();
    await (
      await processor()
    ).postProcessEntity(
      {
        apiVersion: 'platform.kratix.io/v1alpha1',
        kind: 'BucketStateStore',
        metadata: { name: 's3', namespace: 'default' },
        spec: { owner: 'user:default/jo' },
      },
      location,
      emit,
    );
    expect(emit.mock.calls.map(c => `${c[0].relation.type} ${c[0].relation.target.kind}`)).toEqual([
      'ownedBy user',
      'ownerOf BucketStateStore',
    ]);
  });
});
