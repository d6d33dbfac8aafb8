import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { S3Server, startS3Server } from '@internal/state-store-servers';
import { eventually, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(180_000);

const destination = (name: string, labels: Record<string, string>) => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name, labels },
  spec: { path: name, stateStoreRef: { kind: 'BucketStateStore', name: 's3' }, cleanup: 'none' },
});

describe('the plugin follows the catalog without re-reading its whole list (real backend, S3)', () => {
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;

  afterAll(async () => {
    await backend?.stop();
    await s3?.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it("sees an edited Destination by the catalog module's signal, and an orphaned one by its count", async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-catalog-changes-'));
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['kratix'] });
    const file = path.join(dir, 'entities.yaml');
    const store = {
      apiVersion: 'platform.kratix.io/v1alpha1',
      kind: 'BucketStateStore',
      metadata: { name: 's3' },
      spec: { endpoint: s3.endpoint, bucketName: 'kratix', secretRef: { name: 's3-creds' } },
    };
    await writeEntities(file, [
      store,
      destination('edited', { tier: 'one' }),
      destination('left', { tier: 'one' }),
    ]);
    backend = await startBackend({
      locations: [file],
      env: { S3_KEY: s3.accessKeyId, S3_SECRET: s3.secretAccessKey },
      config: {
        // The catalog keeps an entity that left its location, marked as an orphan.
        catalog: { orphanStrategy: 'keep' },
        kratix: {
          secrets: {
            's3-creds': {
              allowedHosts: ['127.0.0.1'],
              accessKeyID: '${S3_KEY}',
              secretAccessKey: '${S3_SECRET}',
            },
          },
          // Never in this test: every change must come by a signal or a count.
          reconcile: { catalogReadInterval: { hours: 1 } },
          destinations: { orphanGrace: { seconds: 2 } },
        },
      },
    });
    await eventually(
      async () => {
        expect((await backend.api('/api/kratix/destinations/edited')).body?.ready).toBe(true);
        expect((await backend.api('/api/kratix/destinations/left')).body?.ready).toBe(true);
      },
      60_000,
      'both Destinations ready',
    );

    // Same number of entities: only the signal can tell.
    await writeEntities(file, [
      store,
      destination('edited', { tier: 'two' }),
      destination('left', { tier: 'one' }),
    ]);
    await eventually(
      async () =>
        expect((await backend.api('/api/kratix/destinations/edited')).body?.labels).toEqual({
          tier: 'two',
        }),
      60_000,
      'the new labels in the plugin',
    );

    // Still in the catalog, now an orphan: the orphan count moves.
    await writeEntities(file, [store, destination('edited', { tier: 'two' })]);
    await eventually(
      async () => {
        const orphan = await backend.api('/api/catalog/entities/by-name/destination/default/left');
        expect(orphan.body?.metadata?.annotations?.['backstage.io/orphan']).toBe('true');
        expect((await backend.api('/api/kratix/destinations/left')).status).toBe(404);
      },
      60_000,
      'the orphan gone from the plugin after its grace period',
    );
    expect(backend.logs()).toMatch(
      /Destination left has been orphaned since [^;]+; its cleanup policy is "none"/,
    );
    expect((await backend.api('/api/kratix/destinations/edited')).body?.ready).toBe(true);
  });
});
