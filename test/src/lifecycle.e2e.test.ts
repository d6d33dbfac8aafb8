/**
 * Lifecycle edges against the real backend, a real git server and a real S3
 * server, read as a GitOps tool reads them: every Destination is built with
 * `kubectl kustomize` over a generated kustomization (as Flux's
 * kustomize-controller does when a directory has none), and every object
 * must come out exactly once.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'yaml';
import {
  bucketObjects,
  GitServer,
  readRepo,
  S3Server,
  startGitServer,
  startS3Server,
} from '@internal/state-store-servers';
import {
  eventually,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);
const run = promisify(execFile);
const API = 'platform.kratix.io/v1alpha1';

const configMap = (name: string, ns = 'apps') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  owner: ${name}\n`;

/** What Flux builds from a directory of files: every YAML file as a resource. */
async function kustomizeBuild(files: Map<string, string>, prefix: string): Promise<string[]> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-kustomize-'));
  try {
    const resources: string[] = [];
    for (const [p, content] of files) {
      if (!p.startsWith(prefix) || !/\.ya?ml$/.test(p)) continue;
      const rel = p.slice(prefix.length);
      if (rel.split('/').some(seg => seg.startsWith('.'))) continue; // Flux ignores dot directories
      await fs.promises.mkdir(path.join(dir, path.dirname(rel)), { recursive: true });
      await fs.promises.writeFile(path.join(dir, rel), content);
      resources.push(rel);
    }
    await fs.promises.writeFile(
      path.join(dir, 'kustomization.yaml'),
      yaml.stringify({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: resources.sort(),
      }),
    );
    const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 64 << 20 });
    return yaml
      .parseAllDocuments(stdout)
      .map(d => d.toJS())
      .filter(Boolean)
      .map((o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`)
      .sort();
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

const CANARIES = ['ConfigMap/kratix-worker-system/kratix-info', 'Namespace//kratix-worker-system'];

describe('lifecycle edges a GitOps reader would feel (real backend, git and S3, kubectl kustomize)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let entitiesFile: string;
  let repo: string;
  let url: string;

  const destination = (
    name: string,
    spec: Record<string, unknown>,
    labels: Record<string, string> = {},
  ) => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, labels: { target: name, ...labels } },
    spec,
  });
  const onGit = { kind: 'GitStateStore', name: 'platform-git' };
  const onS3 = { kind: 'BucketStateStore', name: 'platform-s3' };
  const onRoot = { kind: 'BucketStateStore', name: 'root-bucket' };
  const stores = () => [
    // As the Kratix docs write them: empty (null) fields stand for their defaults.
    {
      apiVersion: API,
      kind: 'GitStateStore',
      metadata: { name: 'platform-git' },
      spec: { url, branch: null, path: null, gitAuthor: null, secretRef: { name: 'git-creds' } },
    },
    {
      apiVersion: API,
      kind: 'BucketStateStore',
      metadata: { name: 'platform-s3' },
      spec: {
        endpoint: s3.endpoint.replace('http://', ''),
        insecure: true,
        bucketName: 'fleet',
        path: 'clusters',
        secretRef: { name: 's3-creds' },
      },
    },
    {
      apiVersion: API,
      kind: 'BucketStateStore',
      metadata: { name: 'root-bucket' },
      spec: {
        endpoint: s3.endpoint.replace('http://', ''),
        insecure: true,
        bucketName: 'rooted',
        path: null,
        secretRef: { name: 's3-creds' },
      },
    },
  ];
  /** The Destinations present from the start, which no test changes in the catalog. */
  const fleet = [
    destination('agg-north', {
      path: 'agg-north',
      stateStoreRef: onGit,
      filepath: { mode: 'aggregatedYAML' },
    }),
    destination('agg-south', {
      path: 'agg-south',
      stateStoreRef: onGit,
      filepath: { mode: 'aggregatedYAML', filename: 'all.yaml' },
    }),
    destination('nested-east', {
      path: 'nested-east',
      stateStoreRef: onGit,
      filepath: null,
      cleanup: null,
      initWorkloads: null,
    }),
    destination('flat-west', {
      path: 'flat-west',
      stateStoreRef: onGit,
      filepath: { mode: 'none' },
    }),
    destination('rooted', { path: '/', stateStoreRef: onRoot }),
  ];
  /** The Destinations a test adds and changes, by test: each test rewrites only its own. */
  const added: Record<string, unknown[]> = {};
  const writeCatalog = () =>
    writeEntities(entitiesFile, [...stores(), ...fleet, ...Object.values(added).flat()]);
  /** Sets a test's own Destinations in the catalog file. */
  const own = (test: string, destinations: unknown[]) => {
    added[test] = destinations;
    return writeCatalog();
  };
  const ready = (...names: string[]) =>
    eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations?limit=100');
        expect(
          body.items
            .filter((d: any) => d.ready && names.includes(d.name))
            .map((d: any) => d.name)
            .sort(),
        ).toEqual([...names].sort());
      },
      120_000,
      `${names.join(', ')} ready`,
    );
  const submit = async (
    resource: string,
    target: Record<string, string>,
    content = configMap(resource),
  ) => {
    const res = await backend.api('/api/kratix/works', {
      method: 'POST',
      json: {
        promise: 'app',
        resource,
        pipeline: 'configure',
        destinationSelectors: target,
        files: [{ path: `${resource}.yaml`, content }],
      },
    });
    expect([200, 201]).toContain(res.status);
    return res.body;
  };
  const gitFiles = async () => {
    const m = await readRepo(repo);
    return new Map([...m].map(([k, v]) => [k, v.toString()]));
  };
  const s3Files = async (bucket: string) => {
    const m = await bucketObjects(s3.endpoint, bucket);
    return new Map([...m].map(([k, v]) => [k, v.toString()]));
  };
  const placed = async (work: string) =>
    (await backend.api(`/api/kratix/works/default/${work}`)).body.placements as any[];
  /** Submits each work (its resource, to the Destination named) and waits until all are written. */
  const written = async (...works: [resource: string, target: string][]) => {
    for (const [resource, target] of works) await submit(resource, { target });
    await eventually(
      async () => {
        const statuses = [];
        for (const [resource] of works)
          statuses.push([resource, (await placed(`app-${resource}-configure`)).map(x => x.status)]);
        expect(statuses).toEqual(works.map(([resource]) => [resource, ['written']]));
      },
      60_000,
      'the works written',
    );
  };

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-lifecycle-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['fleet', 'rooted'] });
    url = await git.createRepo('fleet');
    repo = git.repoPath('fleet');
    entitiesFile = path.join(dir, 'entities.yaml');
    await writeCatalog();
    backend = await startBackend({
      locations: [entitiesFile],
      config: {
        kratix: {
          secrets: {
            'git-creds': testSecret({ git }),
            's3-creds': testSecret({ s3 }),
          },
          reconcile: { frequency: { seconds: 1 }, fullSyncInterval: { seconds: 2 } },
        },
      },
    });
    await ready('agg-north', 'agg-south', 'flat-west', 'nested-east', 'rooted');
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it("D9: Kratix's YAML with empty fields is defaulted as Kubernetes would", async () => {
    const nested = (await backend.api('/api/kratix/destinations/nested-east')).body;
    expect([nested.mode, nested.cleanup]).toEqual(['nestedByMetadata', 'none']);
    const store = (await backend.api('/api/kratix/statestores/GitStateStore/platform-git')).body;
    expect(store.spec).toMatchObject({ branch: 'main', path: '' });
    expect(
      (await gitFiles()).get('nested-east/dependencies/kratix-canary-namespace.yaml'),
    ).toContain('kind: Namespace');
  });

  it('D0: a change for one Destination leaves the aggregated files of the others on its store alone', async () => {
    const mine = ['agg-north', 'agg-south', 'flat-west', 'nested-east'];
    await written(...mine.map((d): [string, string] => [`${d}-one`, d]));
    const ownFiles = async () =>
      new Map([...(await gitFiles())].filter(([p]) => mine.some(d => p.startsWith(`${d}/`))));
    const before = await ownFiles();
    expect(before.get('agg-north/aggregated.yaml')).toBe(configMap('agg-north-one'));
    expect(before.get('agg-south/all.yaml')).toBe(configMap('agg-south-one'));
    await submit('nested-east-two', { target: 'nested-east' });
    await eventually(
      async () =>
        expect(
          (await gitFiles()).has(
            'nested-east/resources/default/app/nested-east-two/configure/5058f/nested-east-two.yaml',
          ),
        ).toBe(true),
      30_000,
      'the new work written',
    );
    // Several store runs, including full syncs: the other Destinations' files never change.
    for (let i = 0; i < 3; i++) {
      const now = await ownFiles();
      for (const [p, content] of before) expect([p, now.get(p)]).toEqual([p, content]);
      await new Promise(r => setTimeout(r, 1500));
    }
    for (const [name, prefix] of [
      ['agg-north', 'agg-north/'],
      ['agg-south', 'agg-south/'],
      ['flat-west', 'flat-west/'],
    ]) {
      expect([name, await kustomizeBuild(await gitFiles(), prefix)]).toEqual([
        name,
        [`ConfigMap/apps/${name}-one`, ...CANARIES].sort(),
      ]);
    }
    expect(await kustomizeBuild(await gitFiles(), 'nested-east/')).toEqual(
      ['ConfigMap/apps/nested-east-one', 'ConfigMap/apps/nested-east-two', ...CANARIES].sort(),
    );
  });

  it('D1: a Destination at the root of a bucket is stable across full syncs (no delete, no re-PUT)', async () => {
    await written(['rooted-one', 'rooted']);
    const key = 'resources/default/app/rooted-one/configure/5058f/rooted-one.yaml';
    const first = await s3Files('rooted');
    expect(first.get(key)).toBe(configMap('rooted-one'));
    const mtimes = async () => {
      const out = new Map<string, string>();
      for (const f of await fs.promises.readdir(path.join(dir, 's3', 'rooted'), {
        recursive: true,
      })) {
        const st = await fs.promises.stat(path.join(dir, 's3', 'rooted', String(f)));
        if (st.isFile()) out.set(String(f), String(st.mtimeMs));
      }
      return out;
    };
    const before = await mtimes();
    await new Promise(r => setTimeout(r, 7000)); // three full syncs at least
    expect(await mtimes()).toEqual(before);
    expect(await kustomizeBuild(await s3Files('rooted'), '')).toEqual(
      ['ConfigMap/apps/rooted-one', ...CANARIES].sort(),
    );
  });

  it("D2: a Destination moved to another store gets its next write there; the old store's files stay", async () => {
    await own('D2', [destination('mover', { path: 'mover', stateStoreRef: onGit })]);
    await ready('mover');
    await written(['mover-one', 'mover']);
    const oldKey = 'mover/resources/default/app/mover-one/configure/5058f/mover-one.yaml';
    expect((await gitFiles()).get(oldKey)).toBe(configMap('mover-one'));
    await own('D2', [destination('mover', { path: 'mover', stateStoreRef: onS3 })]);
    await eventually(
      async () => {
        const objects = await s3Files('fleet');
        expect(objects.get(`clusters/${oldKey}`)).toBe(configMap('mover-one'));
        expect(objects.get('clusters/mover/dependencies/kratix-canary-namespace.yaml')).toContain(
          'kind: Namespace',
        );
        const p = await placed('app-mover-one-configure');
        expect(p.map(x => [x.destination, x.status, x.location?.stateStore])).toEqual([
          ['mover', 'written', 'BucketStateStore/platform-s3'],
        ]);
      },
      60_000,
      'mover on the bucket',
    );
    await submit('mover-one', { target: 'mover' }, configMap('mover-one', 'moved'));
    await eventually(
      async () =>
        expect((await s3Files('fleet')).get(`clusters/${oldKey}`)).toBe(
          configMap('mover-one', 'moved'),
        ),
      30_000,
      'the update on the new store',
    );
    expect((await gitFiles()).get(oldKey)).toBe(configMap('mover-one'));
  });

  it('D3: deleting a cleanup: none Destination keeps its files and never re-places the work elsewhere', async () => {
    const keeper = (name: string) =>
      destination(name, { path: name, stateStoreRef: onS3, cleanup: 'none' }, { pool: 'keepers' });
    await own('D3', [keeper('keeper-a'), keeper('keeper-b')]);
    await ready('keeper-a', 'keeper-b');
    await submit('pooled', { pool: 'keepers' });
    const home = await eventually(
      async () => {
        const p = await placed('app-pooled-configure');
        expect(p.map(x => x.status)).toEqual(['written']);
        return p[0].destination as string;
      },
      30_000,
      'pooled written',
    );
    const other = home === 'keeper-a' ? 'keeper-b' : 'keeper-a';
    const key = (d: string) =>
      `clusters/${d}/resources/default/app/pooled/configure/5058f/pooled.yaml`;
    await own('D3', [keeper(other)]);
    await eventually(
      async () => {
        const p = await placed('app-pooled-configure');
        expect(p.map(x => [x.destination, x.status])).toEqual([[home, 'orphaned']]);
      },
      60_000,
      'the placement orphaned',
    );
    await new Promise(r => setTimeout(r, 4000));
    const objects = await s3Files('fleet');
    expect(objects.get(key(home))).toBe(configMap('pooled'));
    expect(objects.has(key(other))).toBe(false);
    expect(await kustomizeBuild(objects, `clusters/${other}/`)).toEqual(CANARIES);
  });

  it('D6: a mode change is refused with a catalog error naming the field; the written layout stays', async () => {
    const nested = (spec: Record<string, unknown>) =>
      destination('nested-west', { path: 'nested-west', stateStoreRef: onGit, ...spec });
    await own('D6', [nested({ filepath: null, cleanup: null, initWorkloads: null })]);
    await ready('nested-west');
    await written(['nested-west-one', 'nested-west'], ['nested-west-two', 'nested-west']);
    await own('D6', [nested({ filepath: { mode: 'aggregatedYAML' } })]);
    const error = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors');
        const item = (res.body.items as any[]).find(
          i => i.entityRef === 'destination:default/nested-west',
        );
        expect(item).toBeDefined();
        return item.errors.join('\n') as string;
      },
      60_000,
      'the mode change refused',
    );
    expect(error).toContain(
      'spec.filepath.mode: is immutable (Destination "nested-west" was created with nestedByMetadata)',
    );
    await submit('nested-west-three', { target: 'nested-west' });
    await eventually(
      async () =>
        expect(
          (await gitFiles()).has(
            'nested-west/resources/default/app/nested-west-three/configure/5058f/nested-west-three.yaml',
          ),
        ).toBe(true),
      30_000,
      'written in the old mode',
    );
    const files = await gitFiles();
    expect(
      [...files.keys()].filter(k => k.startsWith('nested-west/') && k.endsWith('aggregated.yaml')),
    ).toEqual([]);
    expect((await backend.api('/api/kratix/destinations/nested-west')).body.mode).toBe(
      'nestedByMetadata',
    );
    expect(await kustomizeBuild(files, 'nested-west/')).toEqual(
      [
        'ConfigMap/apps/nested-west-one',
        'ConfigMap/apps/nested-west-three',
        'ConfigMap/apps/nested-west-two',
        ...CANARIES,
      ].sort(),
    );
  });

  it('D7: a hand-broken state file fails only its placement; the Destination beside it is written', async () => {
    await own('D7', [
      destination('flat-east', {
        path: 'flat-east',
        stateStoreRef: onGit,
        filepath: { mode: 'none' },
      }),
      destination('agg-east', {
        path: 'agg-east',
        stateStoreRef: onGit,
        filepath: { mode: 'aggregatedYAML' },
      }),
    ]);
    await ready('flat-east', 'agg-east');
    await written(['flat-east-one', 'flat-east'], ['agg-east-one', 'agg-east']);
    // Break flat-east's state file by hand (a foreign push), then change both Destinations.
    const work = path.join(dir, 'hand');
    await run('git', ['clone', '--quiet', repo, work]);
    const state = (await fs.promises.readdir(path.join(work, 'flat-east', '.kratix'))).find(f =>
      f.includes('flat-east-one'),
    )!;
    await fs.promises.writeFile(
      path.join(work, 'flat-east', '.kratix', state),
      'files: [unclosed\n',
    );
    await run('git', [
      '-C',
      work,
      '-c',
      'user.name=hand',
      '-c',
      'user.email=hand@example.com',
      'commit',
      '--quiet',
      '-am',
      'hand edit',
    ]);
    await run('git', ['-C', work, 'push', '--quiet', 'origin', 'HEAD:main']);
    await submit('flat-east-one', { target: 'flat-east' }, configMap('flat-east-one', 'changed'));
    await submit('agg-east-one', { target: 'agg-east' }, configMap('agg-east-one', 'changed'));
    await eventually(
      async () => {
        expect((await gitFiles()).get('agg-east/aggregated.yaml')).toBe(
          configMap('agg-east-one', 'changed'),
        );
        const p = await placed('app-flat-east-one-configure');
        expect(p[0].status).toBe('failed');
        expect(p[0].lastError).toContain(`flat-east/.kratix/${state}`);
      },
      60_000,
      'the healthy Destination written, the broken one failed',
    );
  });
});
