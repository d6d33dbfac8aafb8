import type { Request } from 'express';
import {
  kratixWorkDeletePermission,
  ScheduleResult,
} from '@kratix-destinations/plugin-kratix-common';
import type { NewWork, WorkKey } from '../../database';
import { audited } from '../audit';
import { parseWorkRequest } from '../requests/workRequest';
import type { WorkRouteDeps } from './workDeps';

/** The caller: who they are and what the policy lets them do (the intake decides on its rows). */
export async function callerOf({ access }: WorkRouteDeps, req: Request) {
  return access.caller(await access.credentials(req));
}

/** Where the work went, as far as the caller may see. */
async function scheduleResult(
  { views, access }: WorkRouteDeps,
  req: Request,
  key: WorkKey,
): Promise<ScheduleResult> {
  const view = await views.work(key, await access.destinationFilter(await access.credentials(req)));
  return {
    work: key,
    destinations: [...new Set(view.placements.map(p => p.destination))].sort(),
    placements: view.placements,
    pendingGroups: view.pendingGroups,
  };
}

/**
 * What a dry run answers: where the work would go and each store's diff,
 * for a caller who may submit it (create, or update the existing work), and
 * only for the Destinations they may read.
 */
export async function previewOf(deps: WorkRouteDeps, req: Request, work: NewWork, key: WorkKey) {
  const credentials = await deps.access.credentials(req);
  const caller = await deps.access.caller(credentials);
  const preview = await deps.reconciler.intake.preview(work, caller);
  const shown = await deps.reads.visibleDestinations(credentials, [
    ...preview.destinations,
    ...preview.preview.map(p => p.destination),
  ]);
  return {
    work: key,
    dryRun: true,
    destinations: preview.destinations.filter(shown),
    placements: [],
    pendingGroups: preview.pendingGroups,
    preview: preview.preview.filter(p => shown(p.destination)),
  };
}

/** `POST /works`: a dry run previews; a real one is audited with its authorization. */
export async function submitWork(
  deps: WorkRouteDeps,
  req: Request,
  body: unknown,
  dryRun: boolean,
) {
  const work = parseWorkRequest(body, deps.config.works);
  const key = { namespace: work.namespace, name: work.name };
  if (dryRun) return { status: 200, body: await previewOf(deps, req, work, key) };
  const result = await audited(
    deps.access.deps.auditor,
    {
      eventId: 'work-submit',
      request: req,
      meta: { work: `${key.namespace}/${key.name}`, promise: work.promise },
    },
    async () => deps.reconciler.intake.submit(work, await callerOf(deps, req)),
    r => ({ created: r.created, changed: r.changed }),
  );
  return { status: result.created ? 201 : 200, body: await scheduleResult(deps, req, result.key) };
}

/** `DELETE /works/:ns/:name`: authorized first (a refusal must not tell whether the work exists), inside the audit event. */
export async function deleteWork(
  { access, reconciler }: WorkRouteDeps,
  req: Request,
  key: WorkKey,
) {
  const credentials = await access.credentials(req);
  const ref = `${key.namespace}/${key.name}`;
  return audited(
    access.deps.auditor,
    { eventId: 'work-delete', request: req, meta: { work: ref } },
    async () => {
      await access.require(
        credentials,
        kratixWorkDeletePermission,
        `delete kratix work ${ref}`,
        ref,
      );
      return reconciler.intake.remove(key);
    },
  );
}
