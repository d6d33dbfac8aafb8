/**
 * The scaffolder half of the bad-input corpus: every input the backend would
 * refuse is refused by the action first, naming the input, and nothing is
 * sent to the backend.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KratixService } from '@kratix-destinations/plugin-kratix-node';
import { createKratixScheduleAction } from './schedule';

const CASES: [string, Record<string, unknown>, string][] = [
  ['a promise with upper case', { promise: 'Redis' }, 'promise'],
  ['a promise with a slash', { promise: 'a/b' }, 'promise'],
  ['an empty promise', { promise: '' }, 'promise'],
  ['a resource with a space', { promise: 'app', resource: 'a b' }, 'resource'],
  ['a resource with a newline', { promise: 'app', resource: 'a\nb' }, 'resource'],
  [
    'an empty resource (an empty parameter, not a dependency)',
    { promise: 'app', resource: '' },
    'resource: must not be empty; leave it out for a dependency work',
  ],
  [
    'a namespace with upper case',
    { promise: 'app', resource: 'r', namespace: 'Team' },
    'namespace',
  ],
  ['a pipeline with a dot-dot', { promise: 'app', resource: 'r', pipeline: '../p' }, 'pipeline'],
  [
    'a selector key with a space',
    { promise: 'app', resource: 'r', destinationSelectors: { 'a b': 'x' } },
    'destinationSelectors',
  ],
  [
    'a selector value with a newline',
    { promise: 'app', resource: 'r', destinationSelectors: { env: 'a\nb' } },
    'destinationSelectors',
  ],
  [
    'a sourcePath leaving the workspace',
    { promise: 'app', resource: 'r', sourcePath: '../outside' },
    'sourcePath',
  ],
  ['an absolute sourcePath', { promise: 'app', resource: 'r', sourcePath: '/etc' }, 'sourcePath'],
  [
    'a sourcePath that does not exist',
    { promise: 'app', resource: 'r', sourcePath: 'missing' },
    'sourcePath',
  ],
  [
    'an empty sourcePath directory',
    { promise: 'app', resource: 'r', sourcePath: 'empty' },
    'sourcePath',
  ],
  [
    'a workload group at the root',
    { promise: 'app', resource: 'r', sourcePath: 'docs', workloadGroups: [{ directory: '.' }] },
    'workloadGroups[0].directory',
  ],
  [
    'a workload group leaving the source',
    { promise: 'app', resource: 'r', sourcePath: 'docs', workloadGroups: [{ directory: '../x' }] },
    'workloadGroups[0].directory',
  ],
  [
    'a workload group that does not exist',
    { promise: 'app', resource: 'r', sourcePath: 'docs', workloadGroups: [{ directory: 'nope' }] },
    'workloadGroups[0].directory',
  ],
  [
    'a workload group under .git',
    { promise: 'app', resource: 'r', sourcePath: 'docs', workloadGroups: [{ directory: '.git' }] },
    'workloadGroups[0].directory',
  ],
  [
    'a workload group with bad selectors',
    {
      promise: 'app',
      resource: 'r',
      sourcePath: 'docs',
      workloadGroups: [{ directory: 'sub', destinationSelectors: { 'a b': 'x' } }],
    },
    'workloadGroups[0].destinationSelectors',
  ],
  [
    'a file named .git/config in the source',
    { promise: 'app', resource: 'r', sourcePath: 'gitdir' },
    'sourcePath (file under gitdir): ".git/config"',
  ],
  [
    'a symlink leaving the workspace',
    { promise: 'app', resource: 'r', sourcePath: 'linked' },
    'is a symbolic link that leaves the workspace',
  ],
  [
    'a file with a backslash in its name',
    { promise: 'app', resource: 'r', sourcePath: 'backslash' },
    'sourcePath (file under backslash)',
  ],
  [
    'a file with a newline in its name',
    { promise: 'app', resource: 'r', sourcePath: 'newline' },
    'sourcePath (file under newline)',
  ],
];

describe('kratix:schedule refuses bad inputs before sending anything', () => {
  let workspacePath: string;
  let outside: string;
  const scheduleWork = jest.fn();
  const kratix = {
    scheduleWork,
    unscheduleWork: jest.fn(),
    getWork: jest.fn(),
  } as unknown as KratixService;

  beforeAll(async () => {
    workspacePath = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-corpus-ws-'));
    outside = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-corpus-outside-'));
    const write = async (p: string, content = 'kind: ConfigMap\n') => {
      await fs.promises.mkdir(path.dirname(path.join(workspacePath, p)), { recursive: true });
      await fs.promises.writeFile(path.join(workspacePath, p), content);
    };
    await write('docs/a.yaml');
    await write('docs/sub/b.yaml');
    await fs.promises.mkdir(path.join(workspacePath, 'empty'));
    await write('gitdir/.git/config');
    await write('linked/ok.yaml');
    await fs.promises.writeFile(path.join(outside, 'secret.yaml'), 'secret: 1\n');
    await fs.promises.symlink(
      path.join(outside, 'secret.yaml'),
      path.join(workspacePath, 'linked/escape'),
    );
    await write('backslash/a\\b.yaml');
    await write('newline/a\nb.yaml');
  });
  afterAll(async () => {
    await fs.promises.rm(workspacePath, { recursive: true, force: true });
    await fs.promises.rm(outside, { recursive: true, force: true });
  });

  it('has at least 20 cases', () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  it.each(CASES)('refuses %s', async (_what, input, field) => {
    const ctx = createMockActionContext({
      input: input as any,
      workspacePath,
      templateInfo: { entityRef: 'template:default/corpus' },
    });
    const error = await createKratixScheduleAction({ kratix })
      .handler(ctx as any)
      .then(
        () => undefined,
        e => e,
      );
    expect([error?.name, String(error?.message).includes(field)]).toEqual(['InputError', true]);
    expect(scheduleWork).not.toHaveBeenCalled();
  });
});
