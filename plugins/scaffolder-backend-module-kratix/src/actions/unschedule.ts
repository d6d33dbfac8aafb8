import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { KratixService } from '@kratix-destinations/plugin-kratix-node';
import { examples } from './unschedule.examples';
import { workIdentity } from './workIdentity';

export function createKratixUnscheduleAction(options: { kratix: KratixService }) {
  const { kratix } = options;
  return createTemplateAction({
    id: 'kratix:unschedule',
    description:
      'Removes a work scheduled with kratix:schedule; its files leave every Destination.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        promise: z => z.string().describe('The Promise of the work'),
        resource: z =>
          z.string().optional().describe('The resource name; leave out for a dependency'),
        namespace: z => z.string().optional().describe('The work namespace (default: default)'),
        pipeline: z =>
          z
            .string()
            .optional()
            .describe("The pipeline name used when scheduling (default: the template's name)"),
      },
      output: {
        work: z => z.string(),
        removed: z => z.boolean().describe('False when there was no such work'),
        destinations: z => z.array(z.string()).describe('Destinations its files are removed from'),
      },
    },
    async handler(ctx) {
      const { namespace, name, errors } = workIdentity(ctx.input, ctx.templateInfo?.entityRef);
      if (errors.length > 0) throw new InputError(errors.join('; '));
      const work = { namespace, name };
      ctx.output('work', `${namespace}/${name}`);
      if (ctx.isDryRun) {
        ctx.logger.info(`Dry run: would remove work ${namespace}/${name}`);
        ctx.output('removed', false);
        ctx.output('destinations', []);
        return;
      }
      const result = await kratix.unscheduleWork(work, {
        credentials: await ctx.getInitiatorCredentials(),
      });
      if (!result.deleted)
        ctx.logger.warn(`There is no work ${namespace}/${name}; nothing to remove`);
      else
        ctx.logger.info(
          `Removing work ${namespace}/${name} from ${result.destinations.join(', ') || 'no destination'}`,
        );
      ctx.output('removed', result.deleted);
      ctx.output('destinations', result.destinations);
    },
  });
}
