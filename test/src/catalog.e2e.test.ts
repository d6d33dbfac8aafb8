import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, ROOT, RunningBackend, startBackend, writeEntities } from './harness/backend';

jest.setTimeout(180_000);

const destination = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name, labels: { environment: 'dev' } },
  spec,
});
const ref = { kind: 'GitStateStore', name: 'demo-git' };

describe('the catalog holds Destinations and State Stores (real backend over HTTP)', () => {
  let backend: RunningBackend;
  let dir: string;
  let extra: string;

  const invalid = [
    destination('bad-mode', { path: 'bad-mode', stateStoreRef: ref, filepath: { mode: 'nested' } }),
    destination('no-store', { path: 'no-store' }),
    destination('escaping', { path: '../outside', stateStoreRef: ref }),
    destination('valid-extra', { path: 'valid-extra', stateStoreRef: ref }),
  ];
  /** The duplicate-path test's own entry in the extra location, for no other test to assert on. */
  const duplicate = destination('duplicate', { path: 'dev-cluster', stateStoreRef: ref });
  const isDuplicate = (entityRef: string) => entityRef === 'destination:default/duplicate';

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-catalog-'));
    extra = path.join(dir, 'extra.yaml');
    await writeEntities(extra, invalid);
    backend = await startBackend({ locations: [path.join(ROOT, 'examples/all.yaml'), extra] });
  });
  afterAll(async () => {
    await backend?.stop();
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  async function entities(kind: string) {
    const res = await backend.api(`/api/catalog/entities?filter=kind=${kind}`);
    expect(res.status).toBe(200);
    return res.body as any[];
  }

  it('refuses calls without a token', async () => {
    expect((await backend.api('/api/catalog/entities', { token: null })).status).toBe(401);
    expect((await backend.api('/api/kratix/works', { token: null })).status).toBe(401);
  });

  it('lists the example Destinations, each related to its State Store and owner', async () => {
    const dests = await eventually(
      async () => {
        const items = await entities('Destination');
        expect(items.map(e => e.metadata.name).sort()).toEqual([
          'backstage-catalog',
          'dev-cluster',
          'prod-cluster',
          'terraform-workspace',
          'valid-extra',
        ]);
        return items;
      },
      60_000,
      'examples ingested',
    );
    const relations = (name: string) =>
      dests
        .find(e => e.metadata.name === name)
        .relations.map((r: any) => `${r.type} ${r.targetRef}`)
        .sort();
    await eventually(
      async () => {
        const fresh = await entities('Destination');
        const dev = fresh.find(e => e.metadata.name === 'dev-cluster');
        expect(dev.relations.map((r: any) => `${r.type} ${r.targetRef}`).sort()).toEqual([
          'dependsOn gitstatestore:default/demo-git',
          'ownedBy group:default/platform-team',
        ]);
      },
      30_000,
      'relations',
    );
    expect(relations('prod-cluster')).toContain('dependsOn bucketstatestore:default/demo-s3');
    const dev = dests.find(e => e.metadata.name === 'dev-cluster');
    expect(dev.spec).toEqual({
      path: 'dev-cluster',
      stateStoreRef: ref,
      cleanup: 'all',
      owner: 'platform-team',
    });
  });

  it('lists both State Store kinds with their Destinations as dependents', async () => {
    await eventually(
      async () => {
        const [git] = await entities('GitStateStore');
        expect(git.metadata.name).toBe('demo-git');
        expect(git.relations.map((r: any) => `${r.type} ${r.targetRef}`).sort()).toEqual([
          'dependencyOf destination:default/backstage-catalog',
          'dependencyOf destination:default/dev-cluster',
          'dependencyOf destination:default/valid-extra',
          'ownedBy group:default/platform-team',
        ]);
        const [bucket] = await entities('BucketStateStore');
        expect(bucket.metadata.name).toBe('demo-s3');
        expect(bucket.relations.map((r: any) => r.targetRef).sort()).toEqual([
          'destination:default/prod-cluster',
          'destination:default/terraform-workspace',
          'group:default/platform-team',
        ]);
      },
      60_000,
      'store relations',
    );
  });

  it('keeps invalid Destinations out and says why, naming the field', async () => {
    const errors = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors');
        expect(res.status).toBe(200);
        const byRef = new Map<string, string>(
          (res.body.items as any[]).map(i => [i.entityRef, i.errors.join('\n')]),
        );
        expect([...byRef.keys()].filter(k => !isDuplicate(k)).sort()).toEqual([
          'destination:default/bad-mode',
          'destination:default/escaping',
          'destination:default/no-store',
        ]);
        return byRef;
      },
      60_000,
      'processing errors',
    );
    expect(errors.get('destination:default/bad-mode')).toContain(
      'spec.filepath.mode: "nested" is not one of nestedByMetadata, aggregatedYAML, none',
    );
    expect(errors.get('destination:default/no-store')).toContain('spec.stateStoreRef: is required');
    expect(errors.get('destination:default/escaping')).toContain(
      'spec.path: "../outside" contains a ".." segment',
    );
    await eventually(
      async () => {
        const names = (await entities('Destination')).map(e => e.metadata.name);
        expect(names).not.toContain('bad-mode');
        expect(names).not.toContain('no-store');
        expect(names).not.toContain('escaping');
        expect(names).toContain('valid-extra');
      },
      60_000,
      'the valid one ingested',
    );
  });

  it('gives the later of two Destinations with the same path on one store a processing error', async () => {
    // The earlier one: the example's dev-cluster, in the catalog before the duplicate comes.
    await eventually(
      async () =>
        expect((await entities('Destination')).map(e => e.metadata.name)).toContain('dev-cluster'),
      60_000,
      'dev-cluster ingested',
    );
    await writeEntities(extra, [...invalid, duplicate]);
    const message = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors');
        const item = (res.body.items as any[]).find(i => isDuplicate(i.entityRef));
        expect(item).toBeDefined();
        return item.errors.join('\n');
      },
      60_000,
      'duplicate path error',
    );
    expect(message).toContain(
      "spec.path: destination path 'dev-cluster' already exists for state store 'demo-git' (used by destination:default/dev-cluster)",
    );
    const names = (await entities('Destination')).map(e => e.metadata.name);
    expect(names).not.toContain('duplicate');
    expect(names).toContain('dev-cluster');
    await writeEntities(extra, invalid);
  });
});
