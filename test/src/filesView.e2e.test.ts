/**
 * The files view keeps to its Destination, against the real backend with the
 * example permission policy, a real git server and s3rver. Team B's
 * Destinations sit on stores that share team A's repository and bucket under
 * other prefixes: they read nothing of team A's, neither by `..` (400) nor by
 * any other path (404), and do not list it. A Destination nested in another
 * on one store is refused by the catalog, and a guest sees no Destination's
 * files.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GitServer, S3Server, startGitServer, startS3Server } from '@internal/state-store-servers';
import {
  eventually,
  RunningBackend,
  startBackend,
  testSecret,
  writeEntities,
} from './harness/backend';

jest.setTimeout(300_000);

const API = 'platform.kratix.io/v1alpha1';
const CANARIES = [
  'dependencies/kratix-canary-namespace.yaml',
  'resources/kratix-canary-configmap.yaml',
];
/** The file of work `app-<resource>-configure`, relative to its Destination (each at its store's root). */
const SECRET = (resource: string) =>
  `resources/default/app/${resource}/configure/5058f/secret.yaml`;
const BETA = ['beta-git', 'beta-git-wide', 'beta-s3', 'beta-s3-wide'];
/** What team B's Destination `d` holds: the canaries and its own file. */
const OWN = (d: string) => [...CANARIES, SECRET(d)].sort();
const KINDS = [
  { kind: 'git', resource: 'secret-git' },
  { kind: 's3', resource: 'secret-s3' },
];

describe('the files view keeps to its Destination (real backend, real users, git and S3)', () => {
  let git: GitServer;
  let s3: S3Server;
  let backend: RunningBackend;
  let dir: string;
  let platformFile: string;
  let alice: string; // team-a
  let bob: string; // team-b
  let root: string; // platform-team
  const urls: Record<string, string> = {};

  const store = (kind: 'git' | 's3', name: string, prefix: string, repo = 'shared') =>
    kind === 'git'
      ? {
          apiVersion: API,
          kind: 'GitStateStore',
          metadata: { name },
          spec: { url: urls[repo], path: prefix, secretRef: { name: 'creds' } },
        }
      : {
          apiVersion: API,
          kind: 'BucketStateStore',
          metadata: { name },
          spec: {
            endpoint: s3.endpoint,
            bucketName: 'shared',
            path: prefix,
            secretRef: { name: 'creds' },
          },
        };
  const destination = (name: string, storeName: string, kind: string, spec: object) => ({
    apiVersion: API,
    kind: 'Destination',
    metadata: { name, labels: { place: name } },
    spec: {
      stateStoreRef: {
        kind: kind === 'git' ? 'GitStateStore' : 'BucketStateStore',
        name: storeName,
      },
      ...spec,
    },
  });
  /** Per kind: team A at the root of prefix `teama`, team B at the root of `teamb` and of the whole repository or bucket. */
  const shared = (kind: 'git' | 's3') => [
    store(kind, `team-a-${kind}`, 'teama'),
    store(kind, `team-b-${kind}`, 'teamb'),
    store(kind, `team-b-${kind}-wide`, ''),
    destination(`alpha-${kind}`, `team-a-${kind}`, kind, { path: '.', owner: 'team-a' }),
    destination(`beta-${kind}`, `team-b-${kind}`, kind, { path: '/', owner: 'team-b' }),
    destination(`beta-${kind}-wide`, `team-b-${kind}-wide`, kind, { path: '.', owner: 'team-b' }),
  ];
  const nestStore = () => store('git', 'nest-git', '', 'nest');
  const nested: unknown[] = [];
  const writePlatform = () =>
    writeEntities(platformFile, [
      ...shared('git'),
      ...shared('s3'),
      nestStore(),
      destination('nest-parent', 'nest-git', 'git', { path: 'nest', owner: 'team-a' }),
      ...nested,
    ]);

  const files = (d: string, token: string) =>
    backend.api(`/api/kratix/destinations/${d}/files`, { token });
  const content = (d: string, p: string, token: string) =>
    backend.api(`/api/kratix/destinations/${d}/files/content?path=${encodeURIComponent(p)}`, {
      token,
    });
  const listed = async (d: string, token: string) => {
    const res = await files(d, token);
    expect(res.status).toBe(200);
    return (res.body.files as any[]).map(f => f.path as string).sort();
  };

  /** Posts a work with one file, `<resource>\n`, for Destination `d`, and waits until `d` shows it. */
  const placed = async (token: string, resource: string, d: string) => {
    const work = {
      promise: 'app',
      resource,
      pipeline: 'configure',
      destinationSelectors: { place: d },
      files: [{ path: 'secret.yaml', content: `${resource}\n` }],
    };
    const posted = await backend.api('/api/kratix/works', { method: 'POST', json: work, token });
    expect([posted.status, posted.body?.destinations]).toEqual([201, [d]]);
    await eventually(
      async () => expect((await content(d, SECRET(resource), token)).text).toBe(`${resource}\n`),
      60_000,
      `${resource} on ${d}`,
    );
  };

  beforeAll(async () => {
    dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-files-view-'));
    git = await startGitServer({ root: path.join(dir, 'git') });
    s3 = await startS3Server({ directory: path.join(dir, 's3'), buckets: ['shared'] });
    urls.shared = await git.createRepo('shared');
    urls.nest = await git.createRepo('nest');
    platformFile = path.join(dir, 'platform.yaml');
    await writePlatform();
    backend = await startBackend({
      locations: [platformFile],
      config: {
        auth: { providers: { 'test-users': {} } },
        permission: { enabled: true },
        kratix: {
          examplePolicy: { enabled: true, platformGroup: 'group:default/platform-team' },
          secrets: { creds: testSecret({ git, s3 }) },
        },
      },
    });
    alice = await backend.userToken('alice', ['team-a']);
    bob = await backend.userToken('bob', ['team-b']);
    root = await backend.userToken('root', ['platform-team']);
    await eventually(
      async () => {
        const { body } = await backend.api('/api/kratix/destinations', { token: root });
        expect(body.items.filter((d: any) => d.ready).map((d: any) => d.name)).toEqual([
          'alpha-git',
          'alpha-s3',
          'beta-git',
          'beta-git-wide',
          'beta-s3',
          'beta-s3-wide',
          'nest-parent',
        ]);
      },
      120_000,
      'every Destination ready',
    );
    // Team A's own file on each of its Destinations; then team B's on each of its own, written
    // after team A's: a Git store's run fetches first, so each local copy the files view reads
    // holds team A's file too.
    for (const { kind, resource } of KINDS) await placed(alice, resource, `alpha-${kind}`);
    for (const d of BETA) await placed(bob, d, d);
    await eventually(
      async () => expect(await listed('nest-parent', alice)).toHaveLength(2),
      60_000,
      "nest-parent's canaries",
    );
  });
  afterAll(async () => {
    await backend?.stop();
    await git?.stop();
    await s3?.stop();
    if (dir) await fs.promises.rm(dir, { recursive: true, force: true });
  });

  it.each(KINDS)(
    "refuses team B's root Destination a path with '..', absolute, with a backslash or NUL ($kind)",
    async ({ kind, resource }) => {
      const refused = async (p: string) => {
        const res = await content(`beta-${kind}`, p, bob);
        return [res.status, res.body?.error?.name, res.body?.error?.message];
      };
      const dotDot = (p: string) => [
        400,
        'InputError',
        `path: ${JSON.stringify(p)} contains a ".." segment; give a file's path as the files listing of Destination beta-${kind} names it`,
      ];
      for (const p of [`../teama/${SECRET(resource)}`, `resources/../../teama/${SECRET(resource)}`])
        expect(await refused(p)).toEqual(dotDot(p));
      expect(await refused(`/teama/${SECRET(resource)}`)).toEqual([
        400,
        'InputError',
        `path: "/teama/${SECRET(resource)}" is absolute; give it relative to the State Store, as the files listing of Destination beta-${kind} names it`,
      ]);
      const backslashed = `..\\teama\\${SECRET(resource).replace(/\//g, '\\')}`;
      expect(await refused(backslashed)).toEqual([
        400,
        'InputError',
        `path: ${JSON.stringify(backslashed)} contains a backslash; use "/" between directories`,
      ]);
      expect(await refused(`resources/x\u0000.yaml`)).toEqual([
        400,
        'InputError',
        'path: "resources/x\\u0000.yaml" contains the control character U+0000 (NUL); remove it',
      ]);
    },
  );

  it.each(KINDS)(
    "gives team B's Destination at the root of the shared repository or bucket 404 for team A's file, whoever asks ($kind)",
    async ({ kind, resource }) => {
      const wide = `beta-${kind}-wide`;
      for (const p of [
        `teama/${SECRET(resource)}`,
        `./teama/${SECRET(resource)}`,
        `teama//${SECRET(resource)}`,
      ]) {
        for (const token of [bob, root]) {
          const res = await content(wide, p, token);
          expect([res.status, res.body?.error?.name, res.body?.error?.message]).toEqual([
            404,
            'NotFoundError',
            `${JSON.stringify(p)} not found under Destination ${wide}`,
          ]);
        }
      }
      // Nor team B's own other Destination inside it: each file is read through its own Destination.
      const inner = await content(wide, `teamb/${CANARIES[0]}`, root);
      expect([inner.status, inner.body?.error?.message]).toEqual([
        404,
        `"teamb/${CANARIES[0]}" not found under Destination ${wide}`,
      ]);
      expect((await content(wide, CANARIES[0], bob)).status).toBe(200);
      expect((await content(`alpha-${kind}`, SECRET(resource), alice)).text).toBe(`${resource}\n`);
    },
  );

  it.each(KINDS)("lists none of team A's files in team B's listings ($kind)", async ({ kind }) => {
    expect(await listed(`beta-${kind}`, bob)).toEqual(OWN(`beta-${kind}`));
    // Team B's other Destination, inside this one, is listed only through itself.
    expect(await listed(`beta-${kind}-wide`, bob)).toEqual(OWN(`beta-${kind}-wide`));
    expect(await listed(`beta-${kind}-wide`, root)).toEqual(OWN(`beta-${kind}-wide`));
  });

  it('refuses a Destination nested in another on one store, or containing it, and the outer one never lists it', async () => {
    nested.push(
      destination('nest-child', 'nest-git', 'git', { path: 'nest/child/', owner: 'team-b' }),
      destination('nest-root', 'nest-git', 'git', { path: '/', owner: 'team-b' }),
    );
    await writePlatform();
    const errors = await eventually(
      async () => {
        const res = await backend.api('/api/kratix/catalog-errors');
        const byRef = new Map<string, string[]>(
          (res.body.items as any[]).map(i => [i.entityRef, i.errors]),
        );
        expect([...byRef.keys()]).toEqual([
          'destination:default/nest-child',
          'destination:default/nest-root',
        ]);
        return byRef;
      },
      60_000,
      'the nested Destinations refused',
    );
    const why = (ref: string, message: string) =>
      `Processor KratixEntitiesProcessor threw an error while validating the entity ${ref}; caused by Error: ${message}`;
    expect(errors.get('destination:default/nest-child')).toEqual([
      why(
        'destination:default/nest-child',
        'spec.path: "nest/child/" is inside the path "nest" of Destination nest-parent on GitStateStore/default/nest-git; give it a path outside other Destinations\' paths',
      ),
    ]);
    expect(errors.get('destination:default/nest-root')).toEqual([
      why(
        'destination:default/nest-root',
        'spec.path: "/" contains the path "nest" of Destination nest-parent on GitStateStore/default/nest-git; give it a path outside other Destinations\' paths',
      ),
    ]);
    // Long enough for the catalog and the store loop to have acted on them, had they been taken.
    await new Promise(r => setTimeout(r, 5000));
    for (const d of ['nest-child', 'nest-root']) {
      const res = await backend.api(`/api/kratix/destinations/${d}`, { token: root });
      expect([res.status, res.body?.error?.message]).toEqual([
        404,
        `destination ${d} not found; is it in the catalog and valid?`,
      ]);
    }
    expect(await listed('nest-parent', alice)).toEqual(CANARIES.map(c => `nest/${c}`));
    expect(await listed('nest-parent', root)).toEqual(CANARIES.map(c => `nest/${c}`));
  });

  it("gives a guest 404 for every Destination's files", async () => {
    const guest = await backend.userToken('guest');
    for (const d of [
      'alpha-git',
      'beta-git',
      'beta-git-wide',
      'alpha-s3',
      'beta-s3-wide',
      'nest-parent',
    ]) {
      const notFound = [404, `destination ${d} not found; is it in the catalog and valid?`];
      const list = await files(d, guest);
      expect([list.status, list.body?.error?.message]).toEqual(notFound);
      const read = await content(d, CANARIES[0], guest);
      expect([read.status, read.body?.error?.message]).toEqual(notFound);
    }
  });
});
