import yaml from 'yaml';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { KratixService } from '@kratix-destinations/plugin-kratix-node';
import { createKratixUnscheduleAction } from './unschedule';
import { examples } from './unschedule.examples';

describe('kratix:unschedule', () => {
  const kratix = {
    scheduleWork: jest.fn(),
    getWork: jest.fn(),
    unscheduleWork: jest.fn(),
  } as jest.Mocked<KratixService>;
  beforeEach(() => jest.resetAllMocks());

  const run = (input: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const ctx = {
      ...createMockActionContext({
        input: input as any,
        templateInfo: { entityRef: 'template:default/delete-namespace' },
      }),
      ...extra,
    };
    return { ctx, done: createKratixUnscheduleAction({ kratix }).handler(ctx as any) };
  };

  it('removes the work the same inputs scheduled', async () => {
    kratix.unscheduleWork.mockResolvedValue({ deleted: true, destinations: ['dev-1'] });
    const { ctx, done } = run({
      promise: 'namespace',
      resource: 'team-a',
      pipeline: 'create-namespace',
    });
    await done;
    expect(kratix.unscheduleWork).toHaveBeenCalledWith(
      { namespace: 'default', name: 'namespace-team-a-create-namespace' },
      expect.anything(),
    );
    expect(ctx.output).toHaveBeenCalledWith('work', 'default/namespace-team-a-create-namespace');
    expect(ctx.output).toHaveBeenCalledWith('removed', true);
    expect(ctx.output).toHaveBeenCalledWith('destinations', ['dev-1']);
  });

  it('succeeds with removed=false when there is no such work', async () => {
    kratix.unscheduleWork.mockResolvedValue({ deleted: false, destinations: [] });
    const { ctx, done } = run({ promise: 'namespace', resource: 'gone' });
    await done;
    expect(kratix.unscheduleWork).toHaveBeenCalledWith(
      { namespace: 'default', name: 'namespace-gone-delete-namespace' },
      expect.anything(),
    );
    expect(ctx.output).toHaveBeenCalledWith('removed', false);
  });

  it('removes nothing in a dry run', async () => {
    await run({ promise: 'namespace', resource: 'team-a' }, { isDryRun: true }).done;
    expect(kratix.unscheduleWork).not.toHaveBeenCalled();
  });

  it('fails on bad names', async () => {
    await expect(run({ promise: 'namespace', resource: 'Team A' }).done).rejects.toThrow(
      'resource: "Team A" is not a valid name',
    );
    expect(kratix.unscheduleWork).not.toHaveBeenCalled();
  });

  it('refuses an empty resource rather than removing the dependency work of the promise', async () => {
    await expect(run({ promise: 'namespace', resource: '' }).done).rejects.toThrow(
      'resource: must not be empty; leave it out for a dependency work',
    );
    expect(kratix.unscheduleWork).not.toHaveBeenCalled();
  });

  it('has examples it accepts', async () => {
    kratix.unscheduleWork.mockResolvedValue({ deleted: true, destinations: [] });
    for (const example of examples) {
      const [step] = yaml.parse(example.example).steps;
      expect(step.action).toBe('kratix:unschedule');
      await run(
        JSON.parse(JSON.stringify(step.input).replace(/\$\{\{ parameters\.name \}\}/g, 'my-name')),
      ).done;
    }
    expect(kratix.unscheduleWork).toHaveBeenCalledTimes(examples.length);
  });
});
