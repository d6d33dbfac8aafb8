import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  annotationErrors,
  SCAFFOLDER_TASK_ANNOTATION,
  SCAFFOLDER_TEMPLATE_ANNOTATION,
  filePathErrors,
  goClean,
  hasDotDotSegment,
  labelErrors,
  ScheduleResult,
  workloadGroupClash,
} from '@kratix-destinations/plugin-kratix-common';
import { KratixService } from '@kratix-destinations/plugin-kratix-node';
import { examples } from './schedule.examples';
import { scheduleInput, scheduleOutput } from './scheduleSchema';
import { readWorkFiles, resolveSourceDir } from './workspaceFiles';
import { workIdentity } from './workIdentity';

type GroupInput = { directory: string; destinationSelectors?: Record<string, string> };

function groupErrors(groups: GroupInput[]): { dirs: string[]; errors: string[] } {
  const errors: string[] = [];
  const dirs: string[] = [];
  groups.forEach((g, i) => {
    errors.push(
      ...labelErrors(`workloadGroups[${i}].destinationSelectors`, g.destinationSelectors),
    );
    const dir = goClean(g.directory ?? '');
    if (
      !g.directory ||
      dir === '.' ||
      hasDotDotSegment(g.directory) ||
      path.isAbsolute(g.directory)
    ) {
      errors.push(
        `workloadGroups[${i}].directory: "${g.directory ?? ''}" must be a directory inside sourcePath`,
      );
      return;
    }
    const clash = workloadGroupClash(i, dir, dirs);
    if (clash) errors.push(clash);
    dirs.push(dir);
  });
  return { dirs, errors };
}

function locations(result: ScheduleResult) {
  return result.placements.map(p => ({
    destination: p.destination,
    stateStore: p.location?.stateStore,
    ...(p.location?.url ? { url: p.location.url } : {}),
    ...(p.location?.bucket ? { bucket: p.location.bucket } : {}),
    path: p.location?.path ?? '',
  }));
}

/** A dry run's diffs, as the scaffolder's dry-run panel shows text. */
function previewText(result: ScheduleResult): string {
  return (result.preview ?? [])
    .map(d => {
      const head = `# ${d.destination} (${d.stateStore})`;
      if (d.error) return `${head}\n${d.error}`;
      const body = d.changes
        .map(c => (c.binary ? `Binary file ${c.path} (${c.action})` : (c.diff ?? '')))
        .join('\n');
      return `${head}\n${body || '(no change)'}${d.omitted ? `\n… and ${d.omitted} more files` : ''}`;
    })
    .join('\n\n');
}

type ScheduleInput = {
  promise: string;
  resource?: string;
  namespace?: string;
  pipeline?: string;
  sourcePath?: string;
  destinationSelectors?: Record<string, string>;
  promiseSelectors?: Record<string, string>[];
  promiseWorkflowSelectors?: Record<string, string>[];
  workloadGroups?: { directory: string; destinationSelectors?: Record<string, string> }[];
  annotations?: Record<string, string>;
};

type ActionContext = {
  input: ScheduleInput;
  workspacePath: string;
  templateInfo?: { entityRef?: string };
  task?: { id: string };
  isDryRun?: boolean;
  logger: { info(m: string): void; warn(m: string): void };
  output(name: string, value: unknown): void;
};

/** The work the workspace holds, checked before anything is sent: every refusal names the input. */
async function workFromWorkspace(ctx: ActionContext) {
  const { namespace, pipeline, name, errors } = workIdentity(
    ctx.input,
    ctx.templateInfo?.entityRef,
  );
  const sourcePath = ctx.input.sourcePath || '.';
  errors.push(...labelErrors('destinationSelectors', ctx.input.destinationSelectors));
  errors.push(...annotationErrors('annotations', ctx.input.annotations));
  const groups = groupErrors(ctx.input.workloadGroups ?? []);
  errors.push(...groups.errors);
  if (errors.length > 0) throw new InputError(errors.join('; '));
  const sourceDir = await resolveSourceDir(ctx.workspacePath, sourcePath);
  for (const [i, dir] of groups.dirs.entries()) {
    const stat = await fs.promises.stat(path.join(sourceDir, dir)).catch(() => undefined);
    if (!stat?.isDirectory()) {
      throw new InputError(
        `workloadGroups[${i}].directory: "${dir}" does not exist under sourcePath "${sourcePath}"`,
      );
    }
  }
  const files = await readWorkFiles(sourceDir, ctx.workspacePath);
  // The backend's own rules for file names, before anything is sent.
  const fileErrors = files.flatMap(f =>
    filePathErrors(`sourcePath (file under ${sourcePath})`, f.path),
  );
  if (fileErrors.length > 0) throw new InputError(fileErrors.join('; '));
  if (files.length === 0) {
    throw new InputError(
      `sourcePath: "${sourcePath}" holds no files; render the documents there first (e.g. with fetch:template)`,
    );
  }
  const request = {
    promise: ctx.input.promise,
    resource: ctx.input.resource,
    namespace,
    pipeline,
    destinationSelectors: ctx.input.destinationSelectors,
    promiseSelectors: ctx.input.promiseSelectors,
    promiseWorkflowSelectors: ctx.input.promiseWorkflowSelectors,
    workloadGroups: (ctx.input.workloadGroups ?? []).map(g => ({
      directory: goClean(g.directory),
      destinationSelectors: g.destinationSelectors,
    })),
    annotations: annotationsOf(ctx),
    files,
  };
  return { namespace, name, files, request };
}

/** The template's annotations, and which task and template submit the work (for the audit trail). */
function annotationsOf(ctx: ActionContext): Record<string, string> | undefined {
  const annotations: Record<string, string> = { ...ctx.input.annotations };
  if (ctx.task?.id) annotations[SCAFFOLDER_TASK_ANNOTATION] = ctx.task.id;
  if (ctx.templateInfo?.entityRef)
    annotations[SCAFFOLDER_TEMPLATE_ANNOTATION] = ctx.templateInfo.entityRef;
  return Object.keys(annotations).length > 0 ? annotations : undefined;
}

/** Logs and outputs where the work went (or, in a dry run, what it would change). */
function report(ctx: ActionContext, work: string, result: ScheduleResult) {
  if (result.destinations.length === 0) {
    ctx.logger.warn(
      `No Destination matches yet; work ${work} is pending and will be placed when one appears`,
    );
  }
  for (const l of locations(result)) {
    ctx.logger.info(`Destination ${l.destination}: ${l.url ?? `bucket ${l.bucket}`} at ${l.path}`);
  }
  ctx.output('work', work);
  ctx.output('destinations', result.destinations);
  ctx.output('locations', locations(result));
  if (ctx.isDryRun) {
    const text = previewText(result);
    ctx.logger.info(`What the stores would change:\n${text}`);
    ctx.output('preview', text);
  }
}

export function createKratixScheduleAction(options: { kratix: KratixService }) {
  const { kratix } = options;
  return createTemplateAction({
    id: 'kratix:schedule',
    description:
      'Schedules the documents in a workspace directory to Kratix Destinations chosen by labels. A resource goes to one matching Destination, a dependency (no resource) to every one. In a dry run, shows what each store would change.',
    examples,
    supportsDryRun: true,
    schema: { input: scheduleInput, output: scheduleOutput },
    async handler(ctx) {
      const work = await workFromWorkspace(ctx);
      ctx.logger.info(
        `${ctx.isDryRun ? 'Dry run: would schedule' : 'Scheduling'} ${work.files.length} files as work ${work.namespace}/${work.name}`,
      );
      const result = await kratix.scheduleWork(work.request, {
        credentials: await ctx.getInitiatorCredentials(),
        dryRun: ctx.isDryRun,
      });
      report(ctx, `${work.namespace}/${work.name}`, result);
    },
  });
}
