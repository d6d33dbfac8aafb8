import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KratixService } from '@kratix-destinations/plugin-kratix-node';
import { createKratixScheduleAction } from './schedule';
import { examples } from './schedule.examples';

function fakeKratix(): jest.Mocked<KratixService> {
  return {
    scheduleWork: jest.fn(async req => ({
      work: { namespace: req.namespace ?? 'default', name: 'w' },
      destinations: ['dev-1'],
      placements: [
        {
          name: 'w.dev-1-5058f',
          destination: 'dev-1',
          workloadGroupId: '5058f1af8388633f609cadb75a75dc9d',
          directory: '.',
          status: 'pending',
          misplaced: false,
          location: {
            stateStore: 'GitStateStore/git',
            url: 'https://git.example.com/state.git',
            path: 'clusters/dev-1/resources/default/namespace/team-a/create-namespace/5058f',
          },
        },
      ],
    })),
    unscheduleWork: jest.fn(),
    getWork: jest.fn(),
  } as any;
}

describe('kratix:schedule', () => {
  let workspacePath: string;
  let kratix: jest.Mocked<KratixService>;

  beforeEach(async () => {
    workspacePath = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-action-'));
    await fs.promises.mkdir(path.join(workspacePath, 'manifests/terraform'), { recursive: true });
    await fs.promises.writeFile(path.join(workspacePath, 'manifests/ns.yaml'), 'kind: Namespace\n');
    await fs.promises.writeFile(path.join(workspacePath, 'manifests/.hidden'), 'h');
    await fs.promises.writeFile(
      path.join(workspacePath, 'manifests/terraform/main.tf'),
      Buffer.from([0xff, 0xfe, 0x00]),
    );
    await fs.promises.mkdir(path.join(workspacePath, 'empty'));
    kratix = fakeKratix();
  });
  afterEach(() => fs.promises.rm(workspacePath, { recursive: true, force: true }));

  const run = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    // createMockActionContext does not take isDryRun.
    const ctx = {
      ...createMockActionContext({
        input: input as any,
        workspacePath,
        templateInfo: { entityRef: 'template:default/create-namespace' },
      }),
      ...extra,
    };
    return { ctx, done: createKratixScheduleAction({ kratix }).handler(ctx as any) };
  };

  it('schedules every file under sourcePath with the defaults applied, and reports where it went', async () => {
    const { ctx, done } = run({
      promise: 'namespace',
      resource: 'team-a',
      sourcePath: './manifests',
      destinationSelectors: { environment: 'dev' },
      workloadGroups: [{ directory: 'terraform/', destinationSelectors: { terraform: 'enabled' } }],
    });
    await done;
    expect(kratix.scheduleWork).toHaveBeenCalledWith(
      {
        promise: 'namespace',
        resource: 'team-a',
        namespace: 'default',
        pipeline: 'create-namespace',
        destinationSelectors: { environment: 'dev' },
        // Which task and template asked for it: the audit trail in commits and object metadata.
        annotations: {
          'kratix.backstage.io/scaffolder-task': 'mock-task-id',
          'kratix.backstage.io/template': 'template:default/create-namespace',
        },
        workloadGroups: [
          { directory: 'terraform', destinationSelectors: { terraform: 'enabled' } },
        ],
        files: [
          { path: '.hidden', content: 'h' },
          { path: 'ns.yaml', content: 'kind: Namespace\n' },
          { path: 'terraform/main.tf', content: '//4A', encoding: 'base64' },
        ],
      },
      expect.objectContaining({ dryRun: undefined }),
    );
    expect(ctx.output).toHaveBeenCalledWith('work', 'default/namespace-team-a-create-namespace');
    expect(ctx.output).toHaveBeenCalledWith('destinations', ['dev-1']);
    expect(ctx.output).toHaveBeenCalledWith('locations', [
      {
        destination: 'dev-1',
        stateStore: 'GitStateStore/git',
        url: 'https://git.example.com/state.git',
        path: 'clusters/dev-1/resources/default/namespace/team-a/create-namespace/5058f',
      },
    ]);
  });

  it('takes the whole workspace when sourcePath is not given', async () => {
    await run({ promise: 'widgets', pipeline: 'install' }).done;
    expect(kratix.scheduleWork.mock.calls[0][0].files.map(f => f.path)).toEqual([
      'manifests/.hidden',
      'manifests/ns.yaml',
      'manifests/terraform/main.tf',
    ]);
    // A dependency's namespace is Kratix's kratix-platform-system (D11).
    expect(kratix.scheduleWork.mock.calls[0][0]).toMatchObject({
      namespace: 'kratix-platform-system',
      pipeline: 'install',
      resource: undefined,
    });
  });

  it('in a dry run asks where the work would go and writes nothing', async () => {
    const { ctx, done } = run(
      { promise: 'namespace', resource: 'team-a', sourcePath: 'manifests' },
      { isDryRun: true },
    );
    await done;
    expect(kratix.scheduleWork.mock.calls[0][1].dryRun).toBe(true);
    expect(ctx.output).toHaveBeenCalledWith('destinations', ['dev-1']);
  });

  it.each([
    [
      { sourcePath: '../outside' },
      'sourcePath: "../outside" is outside the workspace; use a path relative to the workspace, e.g. "./manifests"',
    ],
    [
      { sourcePath: 'missing' },
      'sourcePath: "missing" does not exist in the workspace; render files there first (e.g. with fetch:template)',
    ],
    [
      { sourcePath: 'manifests/ns.yaml' },
      'sourcePath: "manifests/ns.yaml" is a file; give the directory holding the documents',
    ],
    [
      { sourcePath: 'empty' },
      'sourcePath: "empty" holds no files; render the documents there first (e.g. with fetch:template)',
    ],
    [
      { promise: 'Not Valid' },
      'promise: "Not Valid" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    ],
    [
      { resource: 'team_a' },
      'resource: "team_a" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    ],
    [
      { destinationSelectors: { 'bad key': 'dev' } },
      'destinationSelectors: key "bad key" is not a valid label key; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { destinationSelectors: { environment: 'dev prod' } },
      'destinationSelectors.environment: value "dev prod" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { workloadGroups: [{ directory: 'nope' }] },
      'workloadGroups[0].directory: "nope" does not exist under sourcePath "manifests"',
    ],
    [
      { workloadGroups: [{ directory: 'terraform' }, { directory: 'terraform/' }] },
      'workloadGroups[1].directory: "terraform" is listed twice',
    ],
    [
      { workloadGroups: [{ directory: 'terraform' }, { directory: 'terraform/x' }] },
      'workloadGroups[1].directory: "terraform/x" is nested with "terraform"; workload group directories must not contain each other',
    ],
    [
      { workloadGroups: [{ directory: '../x' }] },
      'workloadGroups[0].directory: "../x" must be a directory inside sourcePath',
    ],
    [
      { workloadGroups: [{ directory: '.' }] },
      'workloadGroups[0].directory: "." must be a directory inside sourcePath',
    ],
  ])('fails on %j and schedules nothing', async (override, message) => {
    await expect(
      run({ promise: 'namespace', resource: 'team-a', sourcePath: 'manifests', ...override }).done,
    ).rejects.toThrow(message);
    expect(kratix.scheduleWork).not.toHaveBeenCalled();
  });

  it('reads a symbolic link that stays in the workspace as the file it points to', async () => {
    await fs.promises.symlink('ns.yaml', path.join(workspacePath, 'manifests/alias.yaml'));
    await run({ promise: 'namespace', resource: 'team-a', sourcePath: 'manifests' }).done;
    expect(kratix.scheduleWork.mock.calls[0][0].files.find(f => f.path === 'alias.yaml')).toEqual({
      path: 'alias.yaml',
      content: 'kind: Namespace\n',
    });
  });

  it('refuses a symbolic link that leaves the workspace, and schedules nothing', async () => {
    await fs.promises.symlink('/etc/hostname', path.join(workspacePath, 'manifests/escape.yaml'));
    await expect(
      run({ promise: 'namespace', resource: 'team-a', sourcePath: 'manifests' }).done,
    ).rejects.toThrow(
      'sourcePath: "escape.yaml" is a symbolic link that leaves the workspace (or points nowhere); replace it with the file itself',
    );
    expect(kratix.scheduleWork).not.toHaveBeenCalled();
  });

  it('passes the Promise and promise-workflow selectors, and shows the preview in a dry run', async () => {
    kratix.scheduleWork.mockImplementationOnce(async () => ({
      work: { namespace: 'default', name: 'w' },
      destinations: ['dev-1'],
      placements: [],
      pendingGroups: [],
      dryRun: true,
      preview: [
        {
          destination: 'dev-1',
          stateStore: 'GitStateStore/git',
          omitted: 0,
          changes: [{ path: 'dev-1/x.yaml', action: 'add', diff: '+++ b/dev-1/x.yaml\n+x\n' }],
        },
      ],
    }));
    const { ctx, done } = run(
      {
        promise: 'namespace',
        resource: 'team-a',
        sourcePath: 'manifests',
        promiseSelectors: [{ zone: 'eu' }],
        promiseWorkflowSelectors: [{ tier: 'one' }],
      },
      { isDryRun: true },
    );
    await done;
    expect(kratix.scheduleWork.mock.calls[0][0]).toMatchObject({
      promiseSelectors: [{ zone: 'eu' }],
      promiseWorkflowSelectors: [{ tier: 'one' }],
    });
    expect(ctx.output).toHaveBeenCalledWith(
      'preview',
      '# dev-1 (GitStateStore/git)\n+++ b/dev-1/x.yaml\n+x\n',
    );
  });

  it('refuses a sourcePath that leaves the workspace through a symlink', async () => {
    const outside = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'kratix-outside-'));
    await fs.promises.writeFile(path.join(outside, 'secret.yaml'), 's');
    await fs.promises.symlink(outside, path.join(workspacePath, 'link'));
    await expect(run({ promise: 'namespace', sourcePath: 'link' }).done).rejects.toThrow(
      'sourcePath: "link" is outside the workspace (through a symlink)',
    );
    await fs.promises.rm(outside, { recursive: true, force: true });
  });

  it('has examples whose steps it accepts', async () => {
    for (const example of examples) {
      const steps = yaml
        .parse(example.example)
        .steps.filter((s: any) => s.action === 'kratix:schedule');
      expect(steps.length).toBe(1);
      const input = JSON.parse(
        JSON.stringify(steps[0].input).replace(/\$\{\{ parameters\.name \}\}/g, 'my-name'),
      );
      const dir = path.join(workspacePath, input.sourcePath);
      await fs.promises.mkdir(path.join(dir, 'terraform'), { recursive: true });
      await fs.promises.writeFile(path.join(dir, 'terraform', 'main.tf'), 'x');
      await run(input).done;
    }
    expect(kratix.scheduleWork).toHaveBeenCalledTimes(examples.length);
  });
});
