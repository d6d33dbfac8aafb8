/**
 * The second conformance audit against Kratix (shared/docs/conformance-audit.md),
 * one test per defect or vector: "Kratix does X, we do X". The first audit's
 * vectors 1-47 are in layout/layout.test.ts and scheduling/schedule.test.ts;
 * yaml.v2 state files (V-Y..V-Y4, D8) in layout/yamlV2.test.ts; symlinks (D13)
 * in writers/git/GitWriter.test.ts; lifecycle edges against real stores in
 * reconciler/store/StoreRun.test.ts and test/src/lifecycle.e2e.test.ts.
 */
import { createHash } from 'node:crypto';
import type { DestinationSpec } from '@kratix-destinations/plugin-kratix-common';
import type { OwnedFile, StoredPlacement } from '../database';
import {
  aggregatedContent,
  LayoutDestination,
  placementName,
  staleStateEntries,
  stateEntryPath,
  workloadGroupId,
} from '../layout';
import { planStore } from '../reconciler/store/planStore';
import { commitMessage } from '../reconciler/store/commitMessage';
import { PlanContext, PlanDestination, PlanPlacement } from '../reconciler/store/planTypes';
import { scheduleWork } from '../scheduling';
import { parseWorkRequest } from '../service/requests/workRequest';
import { MapSnapshot } from '../writers';
import { resolveEndpoint } from '../writers/bucket/s3Client';

const limits = { maxFileBytes: 1_000_000, maxWorkBytes: 10_000_000, maxFiles: 1000 };
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

function stored(
  name: string,
  destination: string,
  over: Partial<StoredPlacement> = {},
): StoredPlacement {
  return {
    namespace: 'default',
    name,
    workNamespace: 'default',
    workName: name.split('.')[0],
    groupId: workloadGroupId('.'),
    destination,
    stateStore: 'BucketStateStore:default/s3',
    status: 'pending',
    misplaced: false,
    generation: 1,
    writtenGeneration: 0,
    dirty: true,
    scheduledAt: '',
    updatedAt: '',
    ...over,
  };
}

function planned(
  name: string,
  destination: string,
  files: Record<string, string>,
  over: Partial<StoredPlacement> = {},
): PlanPlacement {
  return {
    name,
    namespace: 'default',
    promise: 'app',
    resource: name.split('.')[0],
    pipeline: 'p',
    workloadGroupId: workloadGroupId('.'),
    files: Object.entries(files).map(([path, c]) => ({ path, content: Buffer.from(c) })),
    stored: stored(name, destination, over),
    work: { namespace: 'default', name: name.split('.')[0] },
  };
}

function context(store: Record<string, string>, owned: OwnedFile[] = []): PlanContext {
  return {
    store: 'BucketStateStore:default/s3',
    snapshot: new MapSnapshot(
      new Map(Object.entries(store).map(([k, v]) => [k, md5(Buffer.from(v))])),
    ),
    digest: md5,
    stateFiles: new Map(),
    owned: new Map(owned.map(f => [f.path, f])),
    claimedByOther: () => false,
    storeRoot: '',
    maxKeyBytes: 1024,
  };
}

const layout = (
  path: string,
  mode: DestinationSpec['filepath']['mode'],
  filename?: string,
): LayoutDestination => ({ name: 'd', path, mode, filename });
const dest = (over: Partial<PlanDestination>): PlanDestination => ({
  name: 'd',
  layout: layout('d', 'nestedByMetadata'),
  deleted: false,
  cleanup: 'none',
  write: [],
  remove: [],
  ...over,
});

describe('Kratix conformance, second audit', () => {
  it('D1: a Destination at "/" on a bucket plans keys as the listing returns them, so a full sync changes nothing', () => {
    const p = planned('w.root-5058f', 'root', { 'a.yaml': 'a: 1\n' }, { status: 'written' });
    const key = 'resources/default/app/w/p/5058f/a.yaml';
    const plan = planStore(context({ [key]: 'a: 1\n' }), [
      dest({ name: 'root', layout: layout('/', 'nestedByMetadata'), write: [p] }),
    ]);
    expect(plan.changes).toEqual(new Map());
    expect([...plan.units.values()][0].owned.put.map(f => f.path)).toEqual([key]);
  });

  it('D10: an aggregate whose placements have empty content is written as an empty file', () => {
    const p = planned('w.agg-5058f', 'agg', { 'e.yaml': '' });
    const plan = planStore(context({}), [
      dest({
        name: 'agg',
        layout: layout('agg', 'aggregatedYAML', 'aggregated.yaml'),
        write: [p],
        aggregateOf: [p],
      }),
    ]);
    expect(plan.changes).toEqual(new Map([['agg/aggregated.yaml', Buffer.from('')]]));
  });

  it('D11 and N7: a dependency work without a namespace is in kratix-platform-system', () => {
    const work = parseWorkRequest(
      { promise: 'redis', pipeline: 'install', files: [{ path: 'crd.yaml', content: 'x' }] },
      limits,
    );
    expect(work.namespace).toBe('kratix-platform-system');
    expect(
      parseWorkRequest(
        { promise: 'redis', resource: 'r', pipeline: 'p', files: [{ path: 'a', content: 'x' }] },
        limits,
      ).namespace,
    ).toBe('default');
  });

  it('D12: canaries turned off commit "Delete from: kratix-canary"', () => {
    const plan = planStore(
      context({ 'd/kratix-canary-namespace.yaml': 'x', 'd/kratix-canary-configmap.yaml': 'y' }),
      [dest({ layout: layout('d', 'none'), canaries: false })],
    );
    const unit = [...plan.units.values()][0];
    expect(commitMessage([...unit.names], false)).toBe('Delete from: kratix-canary');
  });

  it('D12: removing one of two placements from an aggregate commits "Update from: <removed placement>"', () => {
    const keep = planned('a.agg-5058f', 'agg', { 'a.yaml': 'a: 1\n' }, { status: 'written' });
    const gone = planned('b.agg-5058f', 'agg', { 'b.yaml': 'b: 1\n' }, { status: 'deleting' });
    const plan = planStore(context({ 'agg/aggregated.yaml': 'a: 1\n\n---\nb: 1\n' }), [
      dest({
        name: 'agg',
        layout: layout('agg', 'aggregatedYAML', 'aggregated.yaml'),
        remove: [gone],
        aggregateOf: [keep],
      }),
    ]);
    const unit = plan.units.get('destination:agg')!;
    expect(
      commitMessage(
        [...unit.names],
        [...unit.paths].some(p => plan.changes.get(p)),
      ),
    ).toBe('Update from: b.agg-5058f');
  });

  it('D12: canaries already in place are not named in a batch commit', () => {
    const p = planned('w.d-5058f', 'd', { 'x.yaml': 'x' });
    const plan = planStore(
      context({
        'd/dependencies/kratix-canary-namespace.yaml':
          'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kratix-worker-system\nspec: {}\nstatus: {}\n',
        'd/resources/kratix-canary-configmap.yaml':
          'apiVersion: v1\ndata:\n  canary: this confirms your infrastructure is reading from Kratix state stores\nkind: ConfigMap\nmetadata:\n  name: kratix-info\n  namespace: kratix-worker-system\n',
      }),
      [dest({ write: [p], canaries: true })],
    );
    const names = [...plan.units.values()].flatMap(u => [...u.names]);
    expect(names).toEqual(['w.d-5058f']);
  });

  it('D14: the hand-edited entry ./dev/old.yaml of Destination ./dev deletes dev/old.yaml', () => {
    expect(staleStateEntries({ path: './dev' }, ['./dev/old.yaml'], [])).toEqual(['dev/old.yaml']);
  });

  it('D15: a legacy relative entry is <dest>/<entry> on writes and on removals (never the store root)', () => {
    expect(stateEntryPath({ path: 'test-path' }, 'fruit.yaml')).toBe('test-path/fruit.yaml');
  });

  it('N1: a resource with groups "." and "foo" gets placements <work>.<dest>-5058f and <work>.<dest>-acbd1', () => {
    const work = parseWorkRequest(
      {
        promise: 'app',
        resource: 'r',
        pipeline: 'p',
        destinationSelectors: {},
        workloadGroups: [{ directory: 'foo', destinationSelectors: { pci: 'true' } }],
        files: [
          { path: 'a.yaml', content: 'a' },
          { path: 'foo/b.yaml', content: 'b' },
        ],
      },
      limits,
    );
    const decision = scheduleWork(
      {
        key: 'default/rr-work-name-with-two-groups',
        isResource: true,
        groups: work.groups.map(g => ({ id: g.id, selectors: g.selectors })),
      },
      [{ name: 'pci', labels: { pci: 'true' }, strictMatchLabels: false }],
      [],
    );
    expect(
      decision.create
        .map(c => placementName('rr-work-name-with-two-groups', c.destination, c.groupId))
        .sort(),
    ).toEqual(['rr-work-name-with-two-groups.pci-5058f', 'rr-work-name-with-two-groups.pci-acbd1']);
  });

  it('N9 and D4/D5: the region comes from the endpoint; useDualStack builds the dual-stack host', () => {
    const base = { bucketName: 'test-bucket-name', insecure: false };
    expect(
      resolveEndpoint({ ...base, endpoint: 's3.us-east-2.amazonaws.com', useDualStack: false }),
    ).toMatchObject({
      endpoint: 'https://s3.us-east-2.amazonaws.com',
      region: 'us-east-2',
      forcePathStyle: false,
    });
    expect(
      resolveEndpoint({ ...base, endpoint: 's3.us-east-2.amazonaws.com', useDualStack: true }),
    ).toMatchObject({
      endpoint: 'https://s3.dualstack.us-east-2.amazonaws.com',
      region: 'us-east-2',
    });
    expect(
      resolveEndpoint({ ...base, endpoint: 's3.eu-west-2.amazonaws.com', useDualStack: false })
        .region,
    ).toBe('eu-west-2');
    expect(
      resolveEndpoint({
        ...base,
        endpoint: 's3.eu-west-2.amazonaws.com',
        useDualStack: false,
        region: 'eu-west-1',
      }).region,
    ).toBe('eu-west-1');
    expect(
      resolveEndpoint({ ...base, endpoint: 'minio.example.com:9000', useDualStack: true }),
    ).toMatchObject({ forcePathStyle: true, region: 'us-east-1' });
  });

  it('V-A: aggregated bytes, documents kept as they are', () => {
    const a = planned('a', 'agg', {});
    a.files = [
      { path: 'm.yaml', content: Buffer.from('---\n# c\na: 1\n---\nb: 2\n') },
      { path: 'crlf.yaml', content: Buffer.from('c: 3\r\n') },
    ];
    const b = planned('b', 'agg', { 'n.txt': 'not yaml at all' });
    expect(aggregatedContent([b, a]).toString()).toBe(
      '---\n# c\na: 1\n---\nb: 2\n\n---\nc: 3\r\n\n---\nnot yaml at all',
    );
  });

  it('promise, promise-workflow and resource-workflow selectors merge with the Promise winning (vectors 38, 41)', () => {
    const work = parseWorkRequest(
      {
        promise: 'app',
        resource: 'r',
        pipeline: 'p',
        destinationSelectors: { environment: 'staging', tier: 'a' },
        promiseWorkflowSelectors: [{ environment: 'dev' }],
        promiseSelectors: [{ environment: 'prod' }, { environment: 'test', zone: 'eu' }],
        files: [{ path: 'a.yaml', content: 'a' }],
      },
      limits,
    );
    expect(work.groups[0].selectors).toEqual({ environment: 'prod', tier: 'a', zone: 'eu' });
  });

  it('static dependencies have no pipeline: dependencies/<promise>/5058f/static/<promise>-dependencies.yaml', () => {
    const work = parseWorkRequest(
      {
        promise: 'jenkins',
        static: true,
        files: [{ path: 'static/jenkins-dependencies.yaml', content: 'x' }],
      },
      limits,
    );
    expect(work).toMatchObject({
      name: 'jenkins-static-deps',
      pipeline: '',
      namespace: 'kratix-platform-system',
    });
    const p = planned('jenkins-static-deps.w-5058f', 'w', {
      'static/jenkins-dependencies.yaml': 'x',
    });
    Object.assign(p, { promise: 'jenkins', resource: undefined, pipeline: '' });
    const plan = planStore(context({}), [
      dest({ name: 'w', layout: layout('worker-1', 'nestedByMetadata'), write: [p] }),
    ]);
    expect([...plan.changes.keys()]).toEqual([
      'worker-1/dependencies/jenkins/5058f/static/jenkins-dependencies.yaml',
    ]);
  });
});
