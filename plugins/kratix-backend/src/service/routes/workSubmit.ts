import type { Request } from 'express';
import {
  kratixWorkCreatePermission,
  kratixWorkDeletePermission,
  kratixWorkUpdatePermission,
  ScheduleResult,
} from '@internal/plugin-kratix-common';
import type { NewWork, WorkKey } from '../../database';
import { audited } from '../audit';
import { parseWorkRequest } from '../requests/workRequest';
import type { WorkRouteDeps } from './workDeps';

/** Create needs kratix.work.create; changing an existing work needs kratix.work.update on it. */
async function authorizeSubmit({ access, db }: WorkRouteDeps, req: Request, work: NewWork) {
  const credentials = await access.credentials(req);
  const existing = await db.works.get(work);
  const ref = `${work.namespace}/${work.name}`;
  if (existing && !existing.deletedAt) {
    await access.require(credentials, kratixWorkUpdatePermission, `update kratix work ${ref}`, ref);
  } else {
    await access.require(credentials, kratixWorkCreatePermission, 'create kratix works');
  }
  return credentials;
}

/** The caller, once allowed to submit this work. */
export async function callerOf(deps: WorkRouteDeps, req: Request, work?: NewWork) {
  const { access } = deps;
  const credentials = work ? await authorizeSubmit(deps, req, work) : await access.credentials(req);
  return access.caller(credentials);
}

async function scheduleResult({ views }: WorkRouteDeps, key: WorkKey): Promise<ScheduleResult> {
  const view = await views.work(key);
  return {
    work: key,
    destinations: [...new Set(view.placements.map(p => p.destination))].sort(),
    placements: view.placements,
    pendingGroups: view.pendingGroups,
  };
}

/** What a dry run answers: where the work would go and each store's diff. */
export async function previewOf(
  deps: WorkRouteDeps,
  req: Request,
  work: NewWork,
  key: WorkKey,
  authorize: boolean,
) {
  const caller = await callerOf(deps, req, authorize ? work : undefined);
  const preview = await deps.reconciler.intake.preview(work, caller);
  return {
    work: key,
    dryRun: true,
    destinations: preview.destinations,
    placements: [],
    pendingGroups: preview.pendingGroups,
    preview: preview.preview,
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
  if (dryRun) return { status: 200, body: await previewOf(deps, req, work, key, true) };
  const result = await audited(
    deps.access.deps.auditor,
    {
      eventId: 'work-submit',
      request: req,
      meta: { work: `${key.namespace}/${key.name}`, promise: work.promise },
    },
    async () => deps.reconciler.intake.submit(work, await callerOf(deps, req, work)),
    r => ({ created: r.created, changed: r.changed }),
  );
  return { status: result.created ? 201 : 200, body: await scheduleResult(deps, result.key) };
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
