import { PathEscapeError } from '@kratix-destinations/plugin-kratix-common';
import {
  canaryPaths,
  cleanupFiles,
  LayoutDestination,
  parseStateFile,
  placementRemoval,
  stateEntryPath,
} from '../../layout';
import type { OwnedFile } from '../../database';
import type { ObserveRequest, StateStoreWriter } from '../../writers';
import { storePath } from './PlanBuilder';
import { layoutFor } from './planDestination';
import { PlanDestination } from './planTypes';

/** What a run must know of the store: directories to list, files to look at, state files to read. */
export interface ObservationNeeds {
  dirs: Set<string>;
  paths: Set<string>;
  /** State file -> the layout its entries are read with. */
  stateFiles: Map<string, LayoutDestination>;
}

export function observationNeeds(destinations: PlanDestination[]): ObservationNeeds {
  const dirs = new Set<string>();
  const paths = new Set<string>();
  const stateFiles = new Map<string, LayoutDestination>();
  for (const d of destinations) {
    const layouts = [d.layout, ...(d.deleted && d.previousLayout ? [d.previousLayout] : [])];
    for (const p of d.write) {
      const l = layoutFor(d, p);
      if (l instanceof PathEscapeError) continue;
      for (const f of l.files.keys()) paths.add(storePath(f));
      if (l.ownedDir) dirs.add(storePath(l.ownedDir));
      if (l.stateFile) stateFiles.set(storePath(l.stateFile.path), d.layout);
    }
    for (const layout of layouts) {
      for (const p of d.remove) {
        const r = placementRemoval(layout, p);
        if (r.kind === 'dir') dirs.add(storePath(r.dir));
        if (r.kind === 'stateFile') stateFiles.set(storePath(r.path), layout);
      }
      for (const f of cleanupFiles(layout)) paths.add(storePath(f.path));
    }
    const c = canaryPaths(d.layout.path, d.layout.mode);
    paths.add(storePath(c.namespace)).add(storePath(c.configMap));
  }
  for (const s of stateFiles.keys()) paths.add(s);
  return { dirs, paths, stateFiles };
}

/** Reads the old state files; one that cannot be read becomes an Error for its placement only (D7). */
export async function readStateFiles(
  writer: StateStoreWriter,
  paths: Iterable<string>,
): Promise<Map<string, Buffer | undefined | Error>> {
  const out = new Map<string, Buffer | undefined | Error>();
  await Promise.all(
    [...paths].map(async p => {
      try {
        const content = await writer.readFile(p);
        if (content) parseStateFile(content.toString('utf8'), p);
        out.set(p, content);
      } catch (e: any) {
        out.set(p, e instanceof Error ? e : new Error(String(e)));
      }
    }),
  );
  return out;
}

/** The observation request: what to list and look up, what the index knows, which old entries to verify. */
export function observeRequest(
  full: boolean,
  needs: ObservationNeeds,
  stateFiles: Map<string, Buffer | undefined | Error>,
  owned: Map<string, OwnedFile>,
  destinations: PlanDestination[],
): ObserveRequest {
  const verify = new Set<string>();
  const known = new Map<string, string>();
  const planned = new Set(
    destinations
      .flatMap(d => [...d.write, ...d.remove])
      .map(p => `${p.stored.namespace}/${p.stored.name}`),
  );
  for (const f of owned.values()) {
    known.set(f.path, f.digest);
    // What these placements wrote before: to remove what they no longer write.
    if (f.placement && planned.has(`${f.placement.namespace}/${f.placement.name}`))
      needs.paths.add(f.path);
  }
  for (const [path, content] of stateFiles) {
    const layout = needs.stateFiles.get(path);
    if (!(content instanceof Buffer) || !layout) continue;
    try {
      for (const entry of parseStateFile(content.toString('utf8'), path)) {
        const entryPath = stateEntryPath(layout, entry);
        if (entryPath) verify.add(storePath(entryPath));
      }
    } catch {
      // reported on the placement by the planner
    }
  }
  return { full, dirs: [...needs.dirs], paths: [...needs.paths], known, verify: [...verify] };
}
