import { createHash } from 'node:crypto';
import { DRY_RUN_LABEL, Labels, matchesSelector } from './selectors';

export interface SchedulingDestination {
  name: string;
  labels: Labels;
  strictMatchLabels: boolean;
}

export interface SchedulingGroup {
  id: string;
  selectors: Labels;
}

export interface SchedulingWork {
  /** `<namespace>/<name>`: seeds the deterministic choice. */
  key: string;
  /** A resource goes to one Destination per group; a dependency to every match. */
  isResource: boolean;
  groups: SchedulingGroup[];
}

export interface ExistingPlacement {
  groupId: string;
  destination: string;
}

export interface ScheduleDecision {
  /** New placements to create. */
  create: ExistingPlacement[];
  /** Existing placements whose Destination no longer matches (kept and written, as Kratix). */
  misplaced: ExistingPlacement[];
  /** Existing placements that match. */
  placed: ExistingPlacement[];
  /** Groups with no placement and no matching Destination: pending. */
  unscheduled: string[];
  /** Existing placements of groups the work no longer has. */
  orphaned: ExistingPlacement[];
}

/** The Destinations a group may go to, by Kratix's candidate filter. */
export function candidates(
  destinations: SchedulingDestination[],
  selector: Labels,
): SchedulingDestination[] {
  const empty = Object.keys(selector).length === 0;
  return destinations.filter(d => {
    if (d.labels[DRY_RUN_LABEL] === 'true') return false;
    if (empty && d.strictMatchLabels && Object.keys(d.labels).length > 0) return false;
    return matchesSelector(d.labels, selector);
  });
}

/**
 * Kratix picks a resource's Destination at random; we pick by a stable hash
 * of work and group over the sorted candidates, so a retry or another replica
 * makes the same choice.
 */
export function chooseDestination(workKey: string, groupId: string, names: string[]): string {
  const sorted = [...names].sort();
  const h = createHash('sha256').update(`${workKey}\0${groupId}`).digest();
  return sorted[h.readUInt32BE(0) % sorted.length];
}

/** Decides where each workload group of a work goes, given what is placed already. */
export function scheduleWork(
  work: SchedulingWork,
  destinations: SchedulingDestination[],
  existing: ExistingPlacement[],
): ScheduleDecision {
  const out: ScheduleDecision = {
    create: [],
    misplaced: [],
    placed: [],
    unscheduled: [],
    orphaned: [],
  };
  const groupIds = new Set(work.groups.map(g => g.id));
  for (const p of existing) if (!groupIds.has(p.groupId)) out.orphaned.push(p);

  for (const group of work.groups) {
    const matching = candidates(destinations, group.selectors);
    const matchingNames = new Set(matching.map(d => d.name));
    const current = existing.filter(p => p.groupId === group.id);
    for (const p of current)
      (matchingNames.has(p.destination) ? out.placed : out.misplaced).push(p);

    if (work.isResource) {
      if (current.length > 0) continue; // never moved
      if (matching.length === 0) out.unscheduled.push(group.id);
      else
        out.create.push({
          groupId: group.id,
          destination: chooseDestination(work.key, group.id, [...matchingNames]),
        });
      continue;
    }
    const have = new Set(current.map(p => p.destination));
    for (const d of matching)
      if (!have.has(d.name)) out.create.push({ groupId: group.id, destination: d.name });
    if (matching.length === 0 && current.length === 0) out.unscheduled.push(group.id);
  }
  return out;
}
