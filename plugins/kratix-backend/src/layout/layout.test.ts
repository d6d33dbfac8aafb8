import { goJoin, PathEscapeError } from '@kratix-destinations/plugin-kratix-common';
import {
  aggregatedContent,
  aggregatedFilePath,
  CANARY_CONFIGMAP_CONTENT,
  CANARY_NAMESPACE_CONTENT,
  canaryFiles,
  destinationFiles,
  LayoutDestination,
  LayoutPlacement,
  nestedPlacementDir,
  parseStateFile,
  placementLayout,
  placementName,
  placementRemoval,
  processName,
  renderStateFile,
  shortId,
  staleStateEntries,
  stateEntryPath,
  stateFilePath,
  workloadGroupId,
  workName,
} from '.';
import { createHash } from 'node:crypto';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const text = (m: Map<string, Buffer>) => new Map([...m].map(([k, v]) => [k, v.toString()]));
const contents = (m: Map<string, { content: Buffer }>) =>
  new Map([...m].map(([k, v]) => [k, v.content]));

const fruit = { path: 'fruit.yaml', content: Buffer.from('{someApi: foo, someValue: bar}') };
const file2 = {
  path: 'file2.yaml',
  content: Buffer.from('{someOtherApi: fooz, someOtherValue: barz}'),
};

function placement(over: Partial<LayoutPlacement> = {}): LayoutPlacement {
  return {
    name: 'test-work-placement',
    namespace: 'default',
    promise: 'test-promise',
    resource: 'test-resource',
    pipeline: '',
    workloadGroupId: workloadGroupId('.'),
    files: [fruit, file2],
    ...over,
  };
}
const dest = (over: Partial<LayoutDestination> = {}): LayoutDestination => ({
  name: 'test',
  path: 'test-path',
  mode: 'nestedByMetadata',
  ...over,
});

describe('identity', () => {
  it('derives group IDs from md5 of the cleaned directory', () => {
    expect(workloadGroupId('.')).toBe('5058f1af8388633f609cadb75a75dc9d');
    expect(workloadGroupId('baz/')).toBe(md5('baz'));
    expect(shortId(workloadGroupId('scheduled-dir'))).toBe('70524');
  });
  it('names works deterministically and placements as Kratix (vector 45)', () => {
    expect(workName('redis', 'my-redis', 'instance-configure')).toBe(
      'redis-my-redis-instance-configure',
    );
    expect(workName('redis', undefined, 'promise-configure')).toBe('redis-promise-configure');
    expect(
      placementName('redis-my-redis-instance-configure-1a2b3', 'worker-1', workloadGroupId('.')),
    ).toBe('redis-my-redis-instance-configure-1a2b3.worker-1-5058f');
    expect(placementName('rr-work-name', 'dev-1', workloadGroupId('.'))).toBe(
      'rr-work-name.dev-1-5058f',
    );
  });
  it('cuts long names to 56 characters without a trailing separator', () => {
    const long = `${'a'.repeat(55)}-bcd`;
    expect(processName(long)).toBe('a'.repeat(55));
    expect(processName('a'.repeat(57))).toBe('a'.repeat(57));
    expect(processName('a'.repeat(58))).toBe('a'.repeat(56));
  });
});

describe('nestedByMetadata', () => {
  it('vector 1: resources/<ns>/<promise>/<resource>/<id>/ with an absent pipeline', () => {
    const l = placementLayout(dest(), placement());
    expect(l.ownedDir).toBe('test-path/resources/default/test-promise/test-resource/5058f');
    expect(text(l.files)).toEqual(
      new Map([
        [
          'test-path/resources/default/test-promise/test-resource/5058f/fruit.yaml',
          '{someApi: foo, someValue: bar}',
        ],
        [
          'test-path/resources/default/test-promise/test-resource/5058f/file2.yaml',
          '{someOtherApi: fooz, someOtherValue: barz}',
        ],
      ]),
    );
  });
  it('vector 2: a dependency goes to dependencies/<promise>/<id>', () => {
    expect(`${nestedPlacementDir(dest(), placement({ resource: '' }))}/`).toBe(
      'test-path/dependencies/test-promise/5058f/',
    );
  });
  it('vector 3: store path + nested files with subdirectories', () => {
    const files = placementLayout(
      dest({ path: 'dev' }),
      placement({
        resource: undefined,
        promise: 'redis',
        pipeline: 'promise-configure',
        files: [
          { path: 'crd.yaml', content: Buffer.from('c') },
          { path: 'operator/deploy.yaml', content: Buffer.from('d') },
        ],
      }),
    ).files;
    expect([...files.keys()].map(k => goJoin('destinations', k))).toEqual([
      'destinations/dev/dependencies/redis/promise-configure/5058f/crd.yaml',
      'destinations/dev/dependencies/redis/promise-configure/5058f/operator/deploy.yaml',
    ]);
  });
  it('vector 4: static dependencies', () => {
    const files = placementLayout(
      dest({ path: 'worker-1' }),
      placement({
        resource: undefined,
        promise: 'jenkins',
        pipeline: '',
        files: [{ path: 'static/jenkins-dependencies.yaml', content: Buffer.from('x') }],
      }),
    ).files;
    expect([...files.keys()]).toEqual([
      'worker-1/dependencies/jenkins/5058f/static/jenkins-dependencies.yaml',
    ]);
  });
  it('vector 5: a workload group keeps its directory in the file path', () => {
    const group = placementLayout(
      dest({ path: 'worker-1' }),
      placement({
        promise: 'redis',
        resource: 'my-redis',
        pipeline: 'instance-configure',
        workloadGroupId: workloadGroupId('scheduled-dir'),
        files: [{ path: 'scheduled-dir/document-2.yaml', content: Buffer.from('2') }],
      }),
    ).files;
    expect([...group.keys()]).toEqual([
      'worker-1/resources/default/redis/my-redis/instance-configure/70524/scheduled-dir/document-2.yaml',
    ]);
    const main = placementLayout(
      dest({ path: 'worker-1' }),
      placement({
        promise: 'redis',
        resource: 'my-redis',
        pipeline: 'instance-configure',
        files: [{ path: 'document-0.yaml', content: Buffer.from('0') }],
      }),
    ).files;
    expect([...main.keys()]).toEqual([
      'worker-1/resources/default/redis/my-redis/instance-configure/5058f/document-0.yaml',
    ]);
  });
  it('vectors 8 and 9: "/" and "." as the Destination path; the namespace is the work namespace', () => {
    const p = placement({
      promise: 'redis',
      resource: 'r',
      pipeline: 'p',
      files: [{ path: 'a.yaml', content: Buffer.from('a') }],
    });
    expect([...placementLayout(dest({ path: '.' }), p).files.keys()]).toEqual([
      'resources/default/redis/r/p/5058f/a.yaml',
    ]);
    expect([...placementLayout(dest({ path: '/' }), p).files.keys()]).toEqual([
      '/resources/default/redis/r/p/5058f/a.yaml',
    ]);
    const ns = placement({
      namespace: 'pipelines',
      promise: 'redis',
      resource: 'my-redis',
      pipeline: 'instance-configure',
      files: [{ path: 'f', content: Buffer.from('') }],
    });
    expect([...placementLayout(dest({ path: 'dev' }), ns).files.keys()]).toEqual([
      'dev/resources/pipelines/redis/my-redis/instance-configure/5058f/f',
    ]);
  });
  it('treats dev/ and ./dev like dev', () => {
    for (const path of ['dev/', './dev', 'dev']) {
      expect(nestedPlacementDir(dest({ path }), placement())).toBe(
        'dev/resources/default/test-promise/test-resource/5058f',
      );
    }
  });
  it('vector 11: removing a placement removes its directory', () => {
    expect(placementRemoval(dest(), placement())).toEqual({
      kind: 'dir',
      dir: 'test-path/resources/default/test-promise/test-resource/5058f',
    });
  });
  it('refuses a file that would leave the placement directory', () => {
    expect(() =>
      placementLayout(
        dest(),
        placement({ files: [{ path: '../../../../../../escape.yaml', content: Buffer.from('') }] }),
      ),
    ).toThrow(PathEscapeError);
    expect(() =>
      placementLayout(
        dest(),
        placement({ files: [{ path: '../../../../../../escape.yaml', content: Buffer.from('') }] }),
      ),
    ).toThrow(
      'placement test-work-placement: file: "../../../../../../escape.yaml" resolves to "escape.yaml", outside "test-path/resources/default/test-promise/test-resource/5058f"; remove the ".." segments',
    );
  });
});

describe('aggregatedYAML', () => {
  const second = placement({
    name: 'test-work-placement-2',
    files: [{ path: 'some-file.yaml', content: Buffer.from('{kratix: is-good}') }],
  });
  it('vector 12: joins every placement with \\n---\\n into the named file', () => {
    const d = dest({ mode: 'aggregatedYAML', filename: 'workloads.yaml' });
    const layout = destinationFiles(d, { aggregateOf: [second, placement()] });
    expect(text(contents(layout.writes))).toEqual(
      new Map([
        [
          'test-path/workloads.yaml',
          '{someApi: foo, someValue: bar}\n---\n{someOtherApi: fooz, someOtherValue: barz}\n---\n{kratix: is-good}',
        ],
      ]),
    );
  });
  it('vector 13: aggregated.yaml by default', () => {
    expect(aggregatedFilePath(dest({ mode: 'aggregatedYAML' }))).toBe('test-path/aggregated.yaml');
  });
  it('vector 14: a removed placement drops out of the file', () => {
    const layout = destinationFiles(dest({ mode: 'aggregatedYAML', filename: 'workloads.yaml' }), {
      aggregateOf: [second],
      removing: true,
    });
    expect(text(contents(layout.writes))).toEqual(
      new Map([['test-path/workloads.yaml', '{kratix: is-good}']]),
    );
  });
  it('vector 15: no placements left deletes the file', () => {
    const layout = destinationFiles(dest({ mode: 'aggregatedYAML', filename: 'workloads.yaml' }), {
      aggregateOf: [],
      removing: true,
    });
    expect(layout.writes.size).toBe(0);
    expect(layout.deletes).toEqual([{ path: 'test-path/workloads.yaml', kind: 'aggregate' }]);
  });
  it('D10: placements whose content is empty give an empty file, as Kratix writes it', () => {
    const empty = placement({ files: [{ path: 'e.yaml', content: Buffer.from('') }] });
    const layout = destinationFiles(dest({ mode: 'aggregatedYAML' }), { aggregateOf: [empty] });
    expect(text(contents(layout.writes))).toEqual(new Map([['test-path/aggregated.yaml', '']]));
    // ...and a removal that leaves only empty content removes it (Kratix's deletion flow).
    expect(
      destinationFiles(dest({ mode: 'aggregatedYAML' }), { aggregateOf: [empty], removing: true })
        .deletes,
    ).toEqual([{ path: 'test-path/aggregated.yaml', kind: 'aggregate' }]);
  });
  it('vector 16: sorted by placement name, namespace ignored, newlines kept', () => {
    const a = placement({
      name: 'a-wp',
      namespace: 'y',
      files: [{ path: 'x.yaml', content: Buffer.from('a: 1\n') }],
    });
    const b = placement({
      name: 'b-wp',
      namespace: 'x',
      files: [{ path: 'y.yaml', content: Buffer.from('b: 2\n') }],
    });
    expect(aggregatedContent([b, a]).toString()).toBe('a: 1\n\n---\nb: 2\n');
  });
  it('keeps dependencies and resources in the same file, canaries apart', () => {
    const layout = destinationFiles(dest({ path: 'd', mode: 'aggregatedYAML' }), {
      aggregateOf: [placement({ resource: undefined })],
      canaries: true,
    });
    expect([...layout.writes.keys()].sort()).toEqual([
      'd/aggregated.yaml',
      'd/kratix-canary-configmap.yaml',
      'd/kratix-canary-namespace.yaml',
    ]);
  });
});

describe('none', () => {
  it('vector 17: flat files and the .kratix state file', () => {
    const l = placementLayout(dest({ mode: 'none' }), placement());
    expect(text(l.files)).toEqual(
      new Map([
        ['test-path/fruit.yaml', '{someApi: foo, someValue: bar}'],
        ['test-path/file2.yaml', '{someOtherApi: fooz, someOtherValue: barz}'],
        [
          'test-path/.kratix/default-test-work-placement.yaml',
          'files:\n- test-path/fruit.yaml\n- test-path/file2.yaml\n',
        ],
      ]),
    );
  });
  it('vector 18: old entries not written any more are stale', () => {
    const old = parseStateFile('files:\n- banana.yaml\n- apple.yaml\n- fruit.yaml\n', 'state');
    expect(
      staleStateEntries(dest({ mode: 'none' }), old, [
        'test-path/fruit.yaml',
        'test-path/file2.yaml',
      ]),
    ).toEqual(['test-path/banana.yaml', 'test-path/apple.yaml']);
  });
  it('vector 19: removing a placement reads its state file', () => {
    expect(placementRemoval(dest({ mode: 'none' }), placement())).toEqual({
      kind: 'stateFile',
      path: 'test-path/.kratix/default-test-work-placement.yaml',
    });
  });
  it('vector 20: a placement only ever deletes its own entries', () => {
    const stale = staleStateEntries(
      dest({ mode: 'none' }),
      ['test-path/fruit.yaml', 'test-path/file2.yaml'],
      ['test-path/fruit.yaml'],
    );
    expect(stale).toEqual(['test-path/file2.yaml']);
  });
  it('vector 21: subdirectories are kept', () => {
    const l = placementLayout(
      dest({ mode: 'none' }),
      placement({ files: [{ path: 'foo/cm.yaml', content: Buffer.from('') }] }),
    );
    expect(l.stateFile).toEqual({
      path: 'test-path/.kratix/default-test-work-placement.yaml',
      entries: ['test-path/foo/cm.yaml'],
    });
  });
  it('vectors 22 and 23: "." and "/" as the Destination path', () => {
    const p = placement({ name: 'wp', files: [fruit] });
    expect(text(placementLayout(dest({ mode: 'none', path: '.' }), p).files)).toEqual(
      new Map([
        ['fruit.yaml', fruit.content.toString()],
        ['.kratix/default-wp.yaml', 'files:\n- fruit.yaml\n'],
      ]),
    );
    expect(text(placementLayout(dest({ mode: 'none', path: '/' }), p).files)).toEqual(
      new Map([
        ['/fruit.yaml', fruit.content.toString()],
        ['/.kratix/default-wp.yaml', 'files:\n- /fruit.yaml\n'],
      ]),
    );
  });
  it('vector 24: no files gives files: []', () => {
    expect(text(placementLayout(dest({ mode: 'none' }), placement({ files: [] })).files)).toEqual(
      new Map([['test-path/.kratix/default-test-work-placement.yaml', 'files: []\n']]),
    );
  });
  it('vector 25 (improved): with dev/ the stale file dev/a.yaml is deleted, unlike Kratix', () => {
    const d = dest({ mode: 'none', path: 'dev/' });
    const l = placementLayout(
      d,
      placement({ files: [{ path: 'b.yaml', content: Buffer.from('b') }] }),
    );
    expect(l.stateFile!.entries).toEqual(['dev/b.yaml']);
    expect(l.stateFile!.path).toBe('dev/.kratix/default-test-work-placement.yaml');
    expect(staleStateEntries(d, ['dev/a.yaml'], l.stateFile!.entries)).toEqual(['dev/a.yaml']);
    expect(
      staleStateEntries(dest({ mode: 'none', path: './dev' }), ['dev/a.yaml'], ['dev/b.yaml']),
    ).toEqual(['dev/a.yaml']);
  });
  it('D14: a hand-edited entry ./dev/old.yaml of Destination ./dev names dev/old.yaml, as Kratix reads it', () => {
    expect(
      staleStateEntries(dest({ mode: 'none', path: './dev' }), ['./dev/old.yaml'], ['dev/b.yaml']),
    ).toEqual(['dev/old.yaml']);
  });
  it('D15: a legacy relative entry names <dest>/<entry> on writes and removals alike', () => {
    expect(stateEntryPath(dest({ mode: 'none' }), 'fruit.yaml')).toBe('test-path/fruit.yaml');
    expect(staleStateEntries(dest({ mode: 'none' }), ['fruit.yaml'], [])).toEqual([
      'test-path/fruit.yaml',
    ]);
  });
  it('never deletes a hand-edited entry outside the Destination', () => {
    expect(
      staleStateEntries(dest({ mode: 'none' }), ['test-path/../other/x.yaml', '../y.yaml'], []),
    ).toEqual([]);
  });
  it('vector 45: the state file is named after the placement', () => {
    expect(
      stateFilePath(
        'worker-1',
        'default',
        'redis-my-redis-instance-configure-1a2b3.worker-1-5058f',
      ),
    ).toBe('worker-1/.kratix/default-redis-my-redis-instance-configure-1a2b3.worker-1-5058f.yaml');
  });
  it('refuses a file that would leave the Destination path', () => {
    expect(() =>
      placementLayout(
        dest({ mode: 'none' }),
        placement({ files: [{ path: '../x.yaml', content: Buffer.from('') }] }),
      ),
    ).toThrow(
      'placement test-work-placement: file: "../x.yaml" resolves to "x.yaml", outside "test-path"; remove the ".." segments',
    );
  });
});

describe('state file format (gopkg.in/yaml.v2)', () => {
  it('quotes what YAML 1.1 would not read as a string', () => {
    expect(renderStateFile(['true', '123', 'null', 'on', 'fine.yaml', '1.5'])).toBe(
      'files:\n- "true"\n- "123"\n- "null"\n- "on"\n- fine.yaml\n- "1.5"\n',
    );
    expect(renderStateFile(['a: b.yaml', '#x.yaml', 'x #y'])).toBe(
      "files:\n- 'a: b.yaml'\n- '#x.yaml'\n- 'x #y'\n",
    );
  });
  it('reads what it writes, and treats a missing list as empty', () => {
    const entries = ['true', 'a: b.yaml', 'dir/x.yaml'];
    expect(parseStateFile(renderStateFile(entries), 's')).toEqual(entries);
    expect(parseStateFile('', 's')).toEqual([]);
    expect(parseStateFile('files: []\n', 's')).toEqual([]);
    expect(() => parseStateFile('files: {a: 1}', 'dev/.kratix/x.yaml')).toThrow(
      'dev/.kratix/x.yaml: "files" must be a list of paths',
    );
  });
});

describe('canaries (§3)', () => {
  it('has the exact bytes of Kratix', () => {
    expect(Buffer.byteLength(CANARY_NAMESPACE_CONTENT)).toBe(90);
    expect(md5(CANARY_NAMESPACE_CONTENT)).toBe('7616ee4cfdff451ffdba87b8672d9448');
    expect(Buffer.byteLength(CANARY_CONFIGMAP_CONTENT)).toBe(181);
    expect(md5(CANARY_CONFIGMAP_CONTENT)).toBe('951d43111ea05a59694c01cf691235d8');
  });
  it('vector 26: at the Destination root for none and aggregatedYAML', () => {
    for (const mode of ['none', 'aggregatedYAML'] as const) {
      expect([...canaryFiles('test-path', mode).keys()]).toEqual([
        'test-path/kratix-canary-namespace.yaml',
        'test-path/kratix-canary-configmap.yaml',
      ]);
    }
  });
  it('vector 27: under dependencies/ and resources/ for nestedByMetadata', () => {
    expect(
      [...canaryFiles('worker-1', 'nestedByMetadata').keys()].map(k => goJoin('destinations', k)),
    ).toEqual([
      'destinations/worker-1/dependencies/kratix-canary-namespace.yaml',
      'destinations/worker-1/resources/kratix-canary-configmap.yaml',
    ]);
  });
  it('vector 28: turned off, they are to be deleted', () => {
    expect(
      destinationFiles(dest({ mode: 'none' }), { canaries: false }).deletes.map(d => d.path),
    ).toEqual(['test-path/kratix-canary-namespace.yaml', 'test-path/kratix-canary-configmap.yaml']);
  });
});
