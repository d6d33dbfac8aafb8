import type { OwnedFile, OwnedFileKind, PlacementKey } from '../../database';
import { storePath } from '../../layout';
import { PlanContext, PlanUnit, StorePlan } from './planTypes';

export { storePath };

/**
 * Collects one run's changes unit by unit, keeping only real differences
 * from the store (same digest: no write; absent: no delete).
 */
export class PlanBuilder {
  readonly plan: StorePlan = { changes: new Map(), units: new Map(), failed: [] };
  /** Paths some unit writes: a delete never removes them (writes win). */
  private readonly desired = new Set<string>();
  private byPlacement?: Map<string, OwnedFile[]>;

  constructor(readonly ctx: PlanContext) {}

  unit(name: string): PlanUnit {
    let u = this.plan.units.get(name);
    if (!u) {
      u = {
        name,
        written: [],
        removed: [],
        names: new Set(),
        paths: new Set(),
        owned: { put: [], delete: [] },
        destinations: new Set(),
        cleaned: new Set(),
      };
      this.plan.units.set(name, u);
    }
    return u;
  }

  /** Whether a write or delete at `path` would change the store. */
  differs(path: string, content: Buffer | null): boolean {
    const current = this.ctx.snapshot.digest(storePath(path));
    return content === null ? current !== undefined : current !== this.ctx.digest(content);
  }

  write(
    unit: PlanUnit,
    path: string,
    content: Buffer,
    owner: { destination: string; placement?: PlacementKey; kind: OwnedFileKind },
    name?: string,
  ): void {
    const p = storePath(path);
    const digest = this.ctx.digest(content);
    this.desired.add(p);
    if (this.plan.changes.get(p) === null) this.plan.changes.delete(p);
    unit.owned.put.push({ store: this.ctx.store, path: p, digest, ...owner } as OwnedFile);
    if (this.ctx.snapshot.digest(p) === digest) return;
    this.plan.changes.set(p, content);
    unit.paths.add(p);
    if (name) unit.names.add(name);
  }

  delete(unit: PlanUnit, path: string, name?: string): void {
    const p = storePath(path);
    if (this.desired.has(p)) return;
    unit.owned.delete.push(p);
    if (this.plan.changes.has(p) || this.ctx.snapshot.digest(p) === undefined) return;
    this.plan.changes.set(p, null);
    unit.paths.add(p);
    if (name) unit.names.add(name);
  }

  /** Forgets an index entry without touching the store (the file is no longer managed). */
  forget(unit: PlanUnit, path: string): void {
    unit.owned.delete.push(storePath(path));
  }

  /** Files the index says a placement owns. */
  ownedBy(placement: PlacementKey): OwnedFile[] {
    if (!this.byPlacement) {
      this.byPlacement = new Map();
      for (const f of this.ctx.owned.values()) {
        if (!f.placement) continue;
        const k = `${f.placement.namespace}/${f.placement.name}`;
        const list = this.byPlacement.get(k) ?? [];
        list.push(f);
        this.byPlacement.set(k, list);
      }
    }
    return this.byPlacement.get(`${placement.namespace}/${placement.name}`) ?? [];
  }
}
