import { PlanBuilder } from './PlanBuilder';
import { planDestination } from './planDestination';
import { PlanContext, PlanDestination, StorePlan } from './planTypes';

/**
 * Plans a store run (pure): what each Destination should hold against what
 * the store holds, as changes grouped in units that succeed or fail together.
 */
export function planStore(ctx: PlanContext, destinations: PlanDestination[]): StorePlan {
  const builder = new PlanBuilder(ctx);
  for (const d of destinations) planDestination(builder, d);
  return builder.plan;
}

/** The changes of some units only (to isolate a unit the store refuses). */
export function changesOf(plan: StorePlan, unitNames: string[]): Map<string, Buffer | null> {
  const out = new Map<string, Buffer | null>();
  for (const name of unitNames) {
    for (const p of plan.units.get(name)?.paths ?? []) {
      if (plan.changes.has(p)) out.set(p, plan.changes.get(p)!);
    }
  }
  return out;
}

/** Names for the commit message of some units. */
export function namesOf(
  plan: StorePlan,
  unitNames: string[],
): { names: string[]; anyWrite: boolean } {
  const names: string[] = [];
  let anyWrite = false;
  for (const name of unitNames) {
    const unit = plan.units.get(name);
    if (!unit) continue;
    names.push(...unit.names);
    for (const p of unit.paths) if (plan.changes.get(p)) anyWrite = true;
  }
  return { names, anyWrite };
}
