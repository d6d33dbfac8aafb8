import {
  goJoin,
  isWithin,
  PathEscapeError,
  storeKeyErrors,
} from '@kratix-destinations/plugin-kratix-common';
import {
  CANARY_WRITER_NAME,
  cleanupFiles,
  destinationFiles,
  destinationRoot,
  isAggregated,
  LayoutDestination,
  parseStateFile,
  placementLayout,
  PlacementLayout,
  placementRemoval,
  staleStateEntries,
  stateEntryPath,
} from '../../layout';
import { PlanBuilder, storePath } from './PlanBuilder';
import { PlanDestination, PlanPlacement } from './planTypes';

const placementUnit = (p: PlanPlacement) => `placement:${p.stored.namespace}/${p.stored.name}`;
const destinationUnit = (d: PlanDestination) => `destination:${d.name}`;

/** Plans one Destination of the store: its placements, its own files, or its cleanup. */
export function planDestination(b: PlanBuilder, d: PlanDestination): void {
  if (d.deleted) {
    planCleanup(b, d);
    return;
  }
  for (const p of d.write) planPlacementWrite(b, d, p);
  for (const p of d.remove) planPlacementRemoval(b, d, d.layout, p);
  planDestinationFiles(b, d);
}

function fail(b: PlanBuilder, p: PlanPlacement, error: string) {
  b.plan.failed.push({ placement: p.stored, error });
}

/** A full key too long for the store fails its placement before anything is sent. */
function keyTooLong(b: PlanBuilder, paths: Iterable<string>): string | undefined {
  if (!b.ctx.maxKeyBytes) return undefined;
  for (const p of paths) {
    const [error] = storeKeyErrors(
      'file',
      storePath(goJoin(b.ctx.storeRoot, p)),
      b.ctx.maxKeyBytes,
    );
    if (error) return error;
  }
  return undefined;
}

const layouts = new WeakMap<PlanPlacement, PlacementLayout | PathEscapeError>();

/** A placement's layout, computed once per run (observing and planning both need it). */
export function layoutFor(d: PlanDestination, p: PlanPlacement): PlacementLayout | PathEscapeError {
  let l = layouts.get(p);
  if (!l) {
    try {
      l = placementLayout(d.layout, p);
    } catch (e) {
      if (!(e instanceof PathEscapeError)) throw e;
      l = e;
    }
    layouts.set(p, l);
  }
  return l;
}

/** The state file's entries this write no longer lists; an Error fails the placement. */
function staleEntries(
  b: PlanBuilder,
  d: PlanDestination,
  p: PlanPlacement,
  layout: PlacementLayout,
): string[] | Error {
  if (!layout.stateFile) return [];
  const old = b.ctx.stateFiles.get(storePath(layout.stateFile.path));
  if (old instanceof Error) return old;
  try {
    const entries = old ? parseStateFile(old.toString('utf8'), layout.stateFile.path) : [];
    return staleStateEntries(d.layout, entries, layout.stateFile.entries);
  } catch (e: any) {
    return new Error(`placement ${p.name}: ${e.message}`);
  }
}

/** Deletes what the placement wrote before and writes no longer (its old files, stale state entries). */
function planLeftovers(
  b: PlanBuilder,
  d: PlanDestination,
  p: PlanPlacement,
  layout: PlacementLayout,
  stale: string[],
) {
  const unit = b.unit(placementUnit(p));
  const keep = new Set([...layout.files.keys()].map(storePath));
  if (layout.ownedDir) {
    // nestedByMetadata: the directory is replaced as a whole.
    for (const f of b.ctx.snapshot.list(storePath(layout.ownedDir)))
      if (!keep.has(f)) b.delete(unit, f, p.name);
  }
  for (const f of stale) {
    if (!keep.has(storePath(f)) && !b.ctx.claimedByOther(d.name, storePath(f), p.stored))
      b.delete(unit, f, p.name);
  }
  for (const f of b.ownedBy(p.stored)) {
    if (keep.has(f.path)) continue;
    // Gone in its own layout; unmanaged elsewhere (a moved path).
    const inside = layout.ownedDir
      ? f.path.startsWith(`${storePath(layout.ownedDir)}/`)
      : isWithin(storePath(destinationRoot(d.layout)), f.path);
    if (inside && !b.ctx.claimedByOther(d.name, f.path, p.stored)) b.delete(unit, f.path, p.name);
    else b.forget(unit, f.path);
  }
}

function planPlacementWrite(b: PlanBuilder, d: PlanDestination, p: PlanPlacement): void {
  const layout = layoutFor(d, p);
  if (layout instanceof PathEscapeError) {
    fail(b, p, layout.message);
    return;
  }
  const tooLong = keyTooLong(b, layout.files.keys());
  if (tooLong) {
    fail(b, p, `placement ${p.name}: ${tooLong}`);
    return;
  }
  const location = {
    store: b.ctx.store,
    mode: layout.location.mode,
    path: storePath(layout.location.path),
  };
  if (isAggregated(d.layout)) {
    // Its content lives in the Destination's file: it is written when that file is.
    b.unit(destinationUnit(d)).written.push({ placement: p.stored, location });
    return;
  }
  const stale = staleEntries(b, d, p, layout);
  if (stale instanceof Error) {
    fail(b, p, stale.message);
    return;
  }
  const unit = b.unit(placementUnit(p));
  unit.written.push({ placement: p.stored, location });
  const owner = {
    destination: d.name,
    placement: { namespace: p.stored.namespace, name: p.stored.name },
  };
  for (const [path, content] of layout.files) {
    const kind = path === layout.stateFile?.path ? 'stateFile' : 'file';
    b.write(unit, path, content, { ...owner, kind }, p.name);
  }
  planLeftovers(b, d, p, layout, stale);
}

function planPlacementRemoval(
  b: PlanBuilder,
  d: PlanDestination,
  layout: LayoutDestination,
  p: PlanPlacement,
): void {
  const removal = placementRemoval(layout, p);
  if (removal.kind === 'aggregated') {
    b.unit(destinationUnit(d)).removed.push(p.stored);
    return;
  }
  const unit = b.unit(placementUnit(p));
  unit.removed.push(p.stored);
  const targets = new Set<string>();
  if (removal.kind === 'dir') {
    for (const f of b.ctx.snapshot.list(storePath(removal.dir))) targets.add(f);
  } else {
    const old = b.ctx.stateFiles.get(storePath(removal.path));
    if (old && !(old instanceof Error)) {
      try {
        for (const entry of parseStateFile(old.toString('utf8'), removal.path)) {
          const full = stateEntryPath(layout, entry);
          if (full) targets.add(storePath(full));
        }
      } catch {
        // An unreadable state file: what the index knows is removed below, so a bad work can always go.
      }
    }
    targets.add(storePath(removal.path));
  }
  for (const f of b.ownedBy(p.stored)) targets.add(f.path);
  for (const f of targets) {
    if (b.ctx.claimedByOther(d.name, f, p.stored)) b.forget(unit, f);
    else b.delete(unit, f, p.name);
  }
}

function planDestinationFiles(b: PlanBuilder, d: PlanDestination): void {
  const removing = d.remove.length > 0;
  const files = destinationFiles(d.layout, {
    canaries: d.canaries,
    aggregateOf: d.aggregateOf,
    removing,
  });
  if (files.writes.size === 0 && files.deletes.length === 0 && d.canaries === undefined) return;
  const unit = b.unit(destinationUnit(d));
  unit.destinations.add(d.name);
  const changedNames = [...d.write, ...d.remove].map(p => p.name);
  for (const [path, f] of files.writes) {
    const name = f.kind === 'canary' ? CANARY_WRITER_NAME : undefined;
    b.write(unit, path, f.content, { destination: d.name, kind: f.kind }, name);
    if (f.kind === 'aggregate' && unit.paths.has(storePath(path)))
      changedNames.forEach(n => unit.names.add(n));
  }
  for (const f of files.deletes) {
    const before = unit.paths.size;
    b.delete(unit, f.path, f.kind === 'canary' ? CANARY_WRITER_NAME : undefined);
    if (f.kind === 'aggregate' && unit.paths.size > before)
      changedNames.forEach(n => unit.names.add(n));
  }
}

/** A deleted Destination: `all` removes its placements' files, its aggregate and canaries; `none` nothing. */
function planCleanup(b: PlanBuilder, d: PlanDestination): void {
  const unit = b.unit(destinationUnit(d));
  unit.cleaned.add(d.name);
  if (d.cleanup !== 'all') return;
  const written = [d.layout, ...(d.previousLayout ? [d.previousLayout] : [])];
  for (const layout of written) {
    for (const p of d.remove) planPlacementRemoval(b, d, layout, p);
    for (const f of cleanupFiles(layout)) {
      b.delete(unit, f.path, f.kind === 'canary' ? CANARY_WRITER_NAME : undefined);
    }
  }
}
