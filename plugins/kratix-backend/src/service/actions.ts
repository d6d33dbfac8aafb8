import type { ActionsRegistryService } from '@backstage/backend-plugin-api/alpha';
import type { KratixConfig } from '../config';
import type { KratixStore } from '../database';
import type { Reconciler } from '../reconciler';
import { Access } from './access';
import type { ReadAccess } from './ReadAccess';
import { parseWorkRequest } from './requests/workRequest';
import { destinationSummary, workSummary } from './views';

type ActionDeps = {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  reads: ReadAccess;
  config: KratixConfig;
};

/** list-destinations: the Destinations the caller may see. */
function listDestinationsAction(registry: ActionsRegistryService, deps: ActionDeps) {
  registry.register({
    name: 'list-destinations',
    title: 'List Kratix Destinations',
    description:
      'Lists the Destinations the caller may see: labels, path, filepath mode, State Store and readiness.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({ search: z.string().optional().describe('Part of a Destination name') }),
      output: z =>
        z.object({
          destinations: z.array(
            z.object({
              name: z.string(),
              labels: z.record(z.string()),
              path: z.string(),
              mode: z.string(),
              stateStore: z.string(),
              ready: z.boolean(),
              message: z.string(),
            }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const page = await deps.reads.destinationsPage(
        credentials,
        { search: input.search },
        { limit: 500 },
      );
      const items = page.items.map(d => destinationSummary(d, undefined));
      return {
        output: {
          destinations: items.map(d => ({
            name: d.name,
            labels: d.labels,
            path: d.path,
            mode: d.mode,
            stateStore: d.stateStore,
            ready: d.ready,
            message: d.message,
          })),
        },
      };
    },
  });
}

/** get-work-status: where a work is and whether its files are written. */
function workStatusAction(registry: ActionsRegistryService, deps: ActionDeps) {
  const { db, reads } = deps;
  registry.register({
    name: 'get-work-status',
    title: 'Read a Kratix work',
    description: 'Where a work was placed and whether its files are written, per Destination.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          namespace: z.string().describe('The work namespace, e.g. default'),
          name: z.string().describe('The work name'),
        }),
      output: z =>
        z.object({
          status: z.string(),
          destinations: z.array(
            z.object({ name: z.string(), status: z.string(), misplaced: z.boolean() }),
          ),
        }),
    },
    action: async ({ input, credentials }) => {
      const w = await reads.work(credentials, input);
      const placements = await db.placements.list({ work: input });
      const shown = await reads.visibleDestinations(
        credentials,
        placements.map(p => p.destination),
      );
      const summary = workSummary(
        w,
        placements.filter(p => shown(p.destination)),
      );
      return { output: { status: summary.status, destinations: summary.destinations } };
    },
  });
}

/** preview-work: the diff a work would make, writing nothing. */
function previewWorkAction(registry: ActionsRegistryService, deps: ActionDeps) {
  const { access } = deps;
  registry.register({
    name: 'preview-work',
    title: 'Preview a Kratix work',
    description:
      'Where a work would be placed and the unified diff of what each State Store would change. Writes nothing.',
    attributes: { readOnly: true, idempotent: true, destructive: false },
    schema: {
      input: z =>
        z.object({
          promise: z.string(),
          resource: z.string().optional(),
          namespace: z.string().optional(),
          pipeline: z.string(),
          destinationSelectors: z.record(z.string()).optional(),
          files: z.array(
            z.object({
              path: z.string(),
              content: z.string(),
              encoding: z.enum(['utf-8', 'base64']).optional(),
            }),
          ),
        }),
      output: z => z.object({ destinations: z.array(z.string()), diff: z.string() }),
    },
    action: async ({ input, credentials }) => {
      const work = parseWorkRequest(input, deps.config.works);
      // As the HTTP dry run: only a caller who may submit the work, only Destinations they may read.
      const caller = await access.caller(credentials);
      const preview = await deps.reconciler.intake.preview(work, caller);
      const shown = await deps.reads.visibleDestinations(credentials, [
        ...preview.destinations,
        ...preview.preview.map(p => p.destination),
      ]);
      const diff = preview.preview
        .filter(d => shown(d.destination))
        .map(
          d =>
            `# ${d.destination}\n${d.error ?? d.changes.map(c => c.diff ?? `${c.action} ${c.path}`).join('\n')}`,
        )
        .join('\n\n');
      return { output: { destinations: preview.destinations.filter(shown), diff } };
    },
  });
}

/**
 * Read-only operations for agents (MCP clients through Backstage's actions
 * registry), behind the same permissions as the HTTP API.
 */
export function registerActions(registry: ActionsRegistryService, deps: ActionDeps) {
  listDestinationsAction(registry, deps);
  workStatusAction(registry, deps);
  previewWorkAction(registry, deps);
}
