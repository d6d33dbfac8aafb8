import type { DriftPolicy } from '../../config';
import type { KratixStore, StoredDestination, StoredStateStore } from '../../database';
import type { DriftFinding } from './drift';

/** Drift seen in a run: on the placements and Destinations concerned, and in their history. */
export async function recordDrift(
  db: KratixStore,
  store: StoredStateStore,
  finding: DriftFinding,
  policy: DriftPolicy,
  version?: string,
): Promise<void> {
  const at = new Date().toISOString();
  const resolution = policy === 'repair' ? 'repaired' : 'reported';
  const byDestination = new Map<string, string[]>();
  for (const [name, files] of finding.destinations) byDestination.set(name, [...files]);
  for (const p of finding.placements.values()) {
    await db.placements.setDrift([p.key], { at, files: p.files, version, resolution }, store.ref);
    byDestination.set(p.destination, [...(byDestination.get(p.destination) ?? []), ...p.files]);
  }
  for (const [name, files] of byDestination) {
    await db.destinations.setDrift(name, { at, files, version, resolution }, store.ref);
  }
  const placements = [...finding.placements.values()];
  if (placements.length === 0) return;
  const rows = await db.placements.list({
    destinations: [...new Set(placements.map(p => p.destination))],
  });
  const byKey = new Map(rows.map(r => [`${r.namespace}/${r.name}`, r]));
  await db.events.add(
    placements.flatMap(p => {
      const r = byKey.get(`${p.key.namespace}/${p.key.name}`);
      if (!r) return [];
      return [
        {
          placement: p.key,
          work: { namespace: r.workNamespace, name: r.workName },
          destination: p.destination,
          stateStore: store.ref,
          action: 'drift' as const,
          version,
          at,
          message: `${p.files.length} file(s) changed outside Kratix: ${p.files.slice(0, 5).join(', ')}${p.files.length > 5 ? ', …' : ''} (${resolution})`,
        },
      ];
    }),
  );
}

/** A full sync that no longer sees a reported drift: someone put the files back. */
export async function clearResolvedDrift(
  db: KratixStore,
  store: StoredStateStore,
  destinations: StoredDestination[],
  finding: DriftFinding | undefined,
): Promise<void> {
  const still = new Set([
    ...(finding?.destinations.keys() ?? []),
    ...[...(finding?.placements.values() ?? [])].map(p => p.destination),
  ]);
  for (const d of destinations) {
    if (d.drift?.resolution === 'reported' && !still.has(d.name))
      await db.destinations.setDrift(d.name, null, store.ref);
  }
}
