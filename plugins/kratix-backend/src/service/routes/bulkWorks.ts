import type { Request } from 'express';
import { InputError } from '@backstage/errors';
import type { KratixConfig } from '../../config';
import type { KratixStore, NewWork } from '../../database';
import type { Caller, Reconciler, SubmitResult } from '../../reconciler';
import { Access } from '../access';
import { parseWorkRequest } from '../requests/workRequest';

export const MAX_BULK = 500;

interface BulkDeps {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  config: KratixConfig;
}

type BulkItem = {
  status: number;
  work?: SubmitResult['key'];
  destinations?: string[];
  error?: { name: string; message: string };
};

const keyOf = (w: NewWork) => `${w.namespace}/${w.name}`;

/** The HTTP status of an error a single work gets inside a bulk answer. */
export function statusOf(e: any): number {
  switch (e?.name) {
    case 'InputError':
      return 400;
    case 'NotAllowedError':
      return 403;
    case 'NotFoundError':
      return 404;
    case 'ConflictError':
      return 409;
    default:
      return 500;
  }
}

/** Submits the parsed works in one batch, one audit event each (a refused one as failed). */
async function submitAudited(deps: BulkDeps, req: Request, caller: Caller, works: NewWork[]) {
  const events = await Promise.all(
    works.map(w =>
      deps.access.deps.auditor.createEvent({
        eventId: 'work-submit',
        severityLevel: 'medium',
        request: req,
        meta: { work: keyOf(w), promise: w.promise },
      }),
    ),
  );
  const submitted = await deps.reconciler.intake.submitMany(works, caller);
  await Promise.all(
    submitted.map((r, i) =>
      r instanceof Error
        ? events[i].fail({ error: r })
        : events[i].success({ meta: { created: r.created, changed: r.changed } }),
    ),
  );
  return new Map(works.map((w, i) => [w, submitted[i]]));
}

const PREVIEW_ONE_BY_ONE = 'a bulk request cannot preview; use POST /works?dryRun=true';

/**
 * The items of a bulk request, each parsed as `POST /works` parses its body.
 * A dry run is refused for the whole request (writing what the caller meant
 * to preview is worse than nothing); a work given twice is refused from its
 * second item on, naming the first, so no work is written twice in one batch.
 */
function parseItems(
  req: Request,
  items: unknown,
  config: KratixConfig,
): { work?: NewWork; error?: Error }[] {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK) {
    throw new InputError(`items: must be a list of 1 to ${MAX_BULK} works`);
  }
  if (req.query.dryRun !== undefined && req.query.dryRun !== 'false') {
    throw new InputError(`dryRun: ${PREVIEW_ONE_BY_ONE}`);
  }
  const previews = items.flatMap((item, i) =>
    item && typeof item === 'object' && 'dryRun' in item && (item as any).dryRun !== false
      ? [`items[${i}].dryRun: ${PREVIEW_ONE_BY_ONE}`]
      : [],
  );
  if (previews.length > 0) throw new InputError(previews.join('; '));
  const first = new Map<string, number>();
  return items.map((item, i) => {
    let work: NewWork;
    try {
      work = parseWorkRequest(item, config.works);
    } catch (e: any) {
      return { error: e as Error };
    }
    const earlier = first.get(keyOf(work));
    if (earlier !== undefined) {
      return {
        error: new InputError(
          `items[${i}]: is the work ${keyOf(work)} again (items[${earlier}] is the same work); send each work once per bulk request`,
        ),
      };
    }
    first.set(keyOf(work), i);
    return { work };
  });
}

/**
 * Imports: many works in one request, each answered on its own. The caller
 * and the policy's decisions are resolved once for the whole batch.
 */
export async function submitBulk(
  deps: BulkDeps,
  req: Request,
  items: unknown,
): Promise<BulkItem[]> {
  const parsed = parseItems(req, items, deps.config);
  const works = parsed.flatMap(p => (p.work ? [p.work] : []));
  // Who may create or update each work is decided by the intake, on the rows its transaction reads.
  const caller = await deps.access.caller(await deps.access.credentials(req));
  const outcome = await submitAudited(deps, req, caller, works);
  return parsed.map(p => {
    const r = p.work ? outcome.get(p.work)! : p.error!;
    if (r instanceof Error)
      return { status: statusOf(r), error: { name: r.name, message: r.message } };
    return { status: r.created ? 201 : 200, work: r.key, destinations: r.destinations };
  });
}
