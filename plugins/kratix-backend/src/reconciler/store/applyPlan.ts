import { StoreError, StateStoreWriter } from '../../writers';
import { CommitAudit } from './commitAudit';
import { changesOf, namesOf } from './planStore';
import { StorePlan } from './planTypes';

export interface ApplyOutcome {
  /** The last version written (commit SHA, bucket version chain). */
  version?: string;
  written: number;
  deleted: number;
  /** Units whose changes the store did not take, with why. */
  failedUnits: Map<string, string>;
  /** The messages and object metadata of this run's writes. */
  audit: CommitAudit;
  /** Why the store refused content (a hook's or a server's own words), by refused unit. */
  refusals: Map<string, string>;
}

/**
 * Applies a plan in one writer call (one commit). When the store refuses the
 * content, the units are split until the refused ones are found: they fail,
 * the others are written. Units that failed last time are tried on their own,
 * so one bad placement does not hold the rest back run after run.
 */
export async function applyPlan(
  writer: StateStoreWriter,
  plan: StorePlan,
  retrying: Set<string>,
  audit: CommitAudit = new CommitAudit(undefined, new Map()),
): Promise<ApplyOutcome> {
  const out: ApplyOutcome = {
    written: 0,
    deleted: 0,
    failedUnits: new Map(),
    audit,
    refusals: new Map(),
  };
  const withChanges = [...plan.units.values()].filter(u => u.paths.size > 0).map(u => u.name);
  const fresh = withChanges.filter(n => !retrying.has(n));
  const again = withChanges.filter(n => retrying.has(n));
  const state = { applied: false };
  await applyGroup(writer, plan, fresh, out, state);
  for (const name of again) await applyGroup(writer, plan, [name], out, state);
  return out;
}

async function applyGroup(
  writer: StateStoreWriter,
  plan: StorePlan,
  names: string[],
  out: ApplyOutcome,
  state: { applied: boolean },
): Promise<void> {
  const changes = changesOf(plan, names);
  if (changes.size === 0) return;
  const { names: messageNames, anyWrite } = namesOf(plan, names);
  try {
    const result = await writer.apply(changes, out.audit.message(messageNames, anyWrite), path =>
      out.audit.metadata(unitNamesOf(plan, names, path)),
    );
    state.applied = true;
    if (result.version) out.version = result.version;
    out.written += result.written;
    out.deleted += result.deleted;
    for (const [path, error] of result.failed ?? []) {
      for (const n of names)
        if (plan.units.get(n)!.paths.has(path)) out.failedUnits.set(n, error.message);
    }
  } catch (e: any) {
    const refused = e instanceof StoreError && e.kind === 'refused';
    if (!refused && !state.applied) throw e; // the store, not the content: the whole run failed
    if (!refused || names.length === 1) {
      for (const n of names) out.failedUnits.set(n, e.message);
      if (refused) for (const n of names) out.refusals.set(n, e.message);
      return;
    }
    const half = Math.ceil(names.length / 2);
    await applyGroup(writer, plan, names.slice(0, half), out, state);
    await applyGroup(writer, plan, names.slice(half), out, state);
  }
}

/** The placement names of the units (among `names`) that change `path`. */
function unitNamesOf(plan: StorePlan, names: string[], path: string): string[] {
  return names.flatMap(n => {
    const unit = plan.units.get(n);
    return unit?.paths.has(path) ? [...unit.names] : [];
  });
}
