import { Knex } from 'knex';
import { chunks } from '../rows';
import { OwnedFile, PlacementKey } from '../types';

function fromRow(r: any): OwnedFile {
  return {
    store: r.store,
    path: r.path,
    digest: r.digest,
    destination: r.destination,
    placement: r.placement_name
      ? { namespace: r.placement_namespace, name: r.placement_name }
      : undefined,
    kind: r.kind,
  };
}

/** The files the plugin wrote in each store: what a run compares the store with. */
export class OwnedFileTable {
  constructor(private readonly knex: Knex) {}

  async list(filter: { store: string; destinations?: string[] }): Promise<OwnedFile[]> {
    if (!filter.destinations) {
      return (await this.knex('kratix_owned_files').where({ store: filter.store })).map(fromRow);
    }
    const out: OwnedFile[] = [];
    for (const batch of chunks(filter.destinations, 400)) {
      if (batch.length === 0) continue;
      const rows = await this.knex('kratix_owned_files')
        .where({ store: filter.store })
        .whereIn('destination', batch);
      out.push(...rows.map(fromRow));
    }
    return out;
  }

  /** Index entries at these paths (files touched by foreign commits). */
  async atPaths(store: string, paths: string[]): Promise<OwnedFile[]> {
    const out: OwnedFile[] = [];
    for (const batch of chunks(paths, 400)) {
      if (batch.length === 0) continue;
      const rows = await this.knex('kratix_owned_files').where({ store }).whereIn('path', batch);
      out.push(...rows.map(fromRow));
    }
    return out;
  }

  async listOfDestination(destination: string): Promise<OwnedFile[]> {
    return (await this.knex('kratix_owned_files').where({ destination }).orderBy('path')).map(
      fromRow,
    );
  }

  /** Placement keys that own at least one file in the store (those not listed were never indexed). */
  async indexedPlacements(store: string): Promise<Set<string>> {
    const rows = await this.knex('kratix_owned_files')
      .distinct('placement_namespace', 'placement_name')
      .where({ store })
      .whereNotNull('placement_name');
    return new Set(rows.map(r => `${r.placement_namespace}/${r.placement_name}`));
  }

  async put(files: OwnedFile[]): Promise<void> {
    const rows = files.map(f => ({
      store: f.store,
      path: f.path,
      digest: f.digest,
      destination: f.destination,
      placement_namespace: f.placement?.namespace ?? null,
      placement_name: f.placement?.name ?? null,
      kind: f.kind,
    }));
    for (const batch of chunks(rows, 60)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_owned_files')
        .insert(batch)
        .onConflict(['store', 'path'])
        .merge(['digest', 'destination', 'placement_namespace', 'placement_name', 'kind']);
    }
  }

  async delete(store: string, paths: string[]): Promise<void> {
    for (const batch of chunks(paths, 400)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_owned_files').where({ store }).whereIn('path', batch).delete();
    }
  }

  /** Forgets a Destination's files in a store (it moved away: they are no longer managed). */
  async forgetDestination(destination: string, except?: string): Promise<void> {
    const q = this.knex('kratix_owned_files').where({ destination });
    if (except) q.whereNot({ store: except });
    await q.delete();
  }

  async forgetPlacements(store: string, keys: PlacementKey[]): Promise<void> {
    for (const batch of chunks(keys, 200)) {
      if (batch.length === 0) continue;
      await this.knex('kratix_owned_files')
        .where({ store })
        .whereIn(
          ['placement_namespace', 'placement_name'],
          batch.map(k => [k.namespace, k.name]),
        )
        .delete();
    }
  }
}
