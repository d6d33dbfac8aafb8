/**
 * No Destination inside another's path on one store: the outer one's files would be the inner
 * one's too. Only new claims (or moved ones) are held to it, and two new nesting Destinations
 * processed at the same moment cannot both pass.
 */
import { DestinationClaims } from './DestinationClaims';
import {
  claimDatabases,
  DatabaseId,
  destination,
  replicas as replicasOn,
} from './__testUtils__/claims';

const databases = claimDatabases();
const replicas = (count: number, now: () => number, ttl = 900, id: DatabaseId = 'SQLITE_3') =>
  replicasOn(databases, count, now, ttl, id);
const git = { kind: 'GitStateStore', name: 'git' };
const fix = "give it a path outside other Destinations' paths";
const inside = (path: string, holder: string, name: string, store = 'GitStateStore/default/git') =>
  `spec.path: ${JSON.stringify(path)} is inside the path ${JSON.stringify(holder)} of Destination ${name} on ${store}; ${fix}`;
const contains = (path: string, held: string, name: string, store = 'GitStateStore/default/git') =>
  `spec.path: ${JSON.stringify(path)} contains the path ${JSON.stringify(held)} of Destination ${name} on ${store}; ${fix}`;

describe('Destinations nested on one store', () => {
  it.each(databases.eachSupportedId())(
    "refuses a new Destination inside another's path, or holding one, naming it and the fix (%s)",
    async id => {
      let now = 0;
      const {
        processors: [p],
      } = await replicas(1, () => now, 900, id as DatabaseId);
      const at = (name: string, path: string, stateStoreRef = git) =>
        p.validateEntityKind(destination(name, { path, stateStoreRef }));
      expect(await at('nest-parent', 'nest')).toBe(true);
      await expect(at('nest-child', 'nest/child/')).rejects.toThrow(
        inside('nest/child/', 'nest', 'nest-parent'),
      );
      await expect(at('deep', './nest/a/b')).rejects.toThrow(
        inside('./nest/a/b', 'nest', 'nest-parent'),
      );
      await expect(at('root', '/')).rejects.toThrow(contains('/', 'nest', 'nest-parent'));
      await expect(at('dot', '.')).rejects.toThrow(contains('.', 'nest', 'nest-parent'));
      // Beside it, not inside: a longer name, another case (SQLite's LIKE ignores it), another store.
      expect(await at('nestling', 'nestling')).toBe(true);
      expect(await at('upper', 'Nest/child')).toBe(true);
      expect(await at('elsewhere', 'nest/child', { kind: 'BucketStateStore', name: 'git' })).toBe(
        true,
      );
      await expect(at('grand', 'nestling/x/y')).rejects.toThrow(
        inside('nestling/x/y', 'nestling', 'nestling'),
      );
      // The first keeps its claim; once it has gone (a whole lifetime unseen), the path is free,
      // and it comes back to find the inner one there.
      expect(await at('nest-parent', 'nest')).toBe(true);
      now = 2000;
      expect(await at('nest-child', 'nest/child')).toBe(true);
      await expect(at('nest-parent', 'nest')).rejects.toThrow(
        contains('nest', 'nest/child', 'nest-child'),
      );
    },
  );

  it("holds a Destination moved to another path or store to the rule, and names the other's store", async () => {
    const {
      processors: [p],
    } = await replicas(1, () => 0);
    const bucket = { kind: 'BucketStateStore', name: 'b' };
    expect(
      await p.validateEntityKind(destination('outer', { path: 'apps', stateStoreRef: git })),
    ).toBe(true);
    expect(
      await p.validateEntityKind(destination('mover', { path: 'web', stateStoreRef: git })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('mover', { path: 'apps/web', stateStoreRef: git })),
    ).rejects.toThrow(inside('apps/web', 'apps', 'outer'));
    expect(
      await p.validateEntityKind(destination('on-b', { path: '.', stateStoreRef: bucket })),
    ).toBe(true);
    await expect(
      p.validateEntityKind(destination('mover', { path: 'web', stateStoreRef: bucket })),
    ).rejects.toThrow(inside('web', '.', 'on-b', 'BucketStateStore/default/b'));
    // Refused, it keeps the claim it had.
    expect(
      await p.validateEntityKind(destination('mover', { path: 'web', stateStoreRef: git })),
    ).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'keeps Destinations that nested before the rule, re-checked or lapsed, and moves none of them (%s)',
    async id => {
      let now = 1000;
      const {
        knex,
        processors: [p],
      } = await replicas(1, () => now, 900, id as DatabaseId);
      const row = (name: string, cleanPath: string) => ({
        name,
        entity_ref: `destination:default/${name}`,
        store: 'GitStateStore:default/git',
        clean_path: cleanPath,
        mode: 'nestedByMetadata',
        seen_ms: 1000,
      });
      await knex('kratix_destination_claims').insert([
        row('root', '.'),
        row('outer', 'a'),
        row('inner', 'a/b'),
      ]);
      const all = [
        destination('root', { path: '/', stateStoreRef: git }),
        destination('outer', { path: 'a', stateStoreRef: git }),
        destination('inner', { path: 'a/b', stateStoreRef: git }),
      ];
      // Fresh (no check), close to lapsing (checked in a transaction), and lapsed, as after a
      // catalog outage longer than a claim's lifetime: each stays, whichever comes first.
      for (const t of [1100, 1700, 5000]) {
        now = t;
        expect(await Promise.all(all.map(d => p.validateEntityKind(d)))).toEqual([
          true,
          true,
          true,
        ]);
        expect(await Promise.all([...all].reverse().map(d => p.validateEntityKind(d)))).toEqual([
          true,
          true,
          true,
        ]);
      }
      const rows = await knex('kratix_destination_claims').orderBy('name');
      expect(rows.map(r => [r.name, r.clean_path, Number(r.seen_ms)])).toEqual([
        ['inner', 'a/b', 5000],
        ['outer', 'a', 5000],
        ['root', '.', 5000],
      ]);
    },
  );

  it.each(databases.eachSupportedId())(
    'gives the store to one of two new nesting Destinations processed at the same moment (%s)',
    async id => {
      const {
        knex,
        processors: [a, b],
      } = await replicas(2, () => 0, 900, id as DatabaseId);
      // Each write waits until every check has read, or a second: without the per-store lock
      // on PostgreSQL, all four checks read an empty store and all four write.
      const write = (DestinationClaims.prototype as any).write;
      let arrived = 0;
      let release!: () => void;
      const all = new Promise<void>(r => {
        release = r;
      });
      const spy = jest
        .spyOn(DestinationClaims.prototype as any, 'write')
        .mockImplementation(async function held(this: unknown, ...args: unknown[]) {
          if (++arrived === 4) release();
          await Promise.race([all, new Promise(r => setTimeout(r, 1000))]);
          return write.apply(this, args);
        });
      const other = { kind: 'GitStateStore', name: 'other' };
      try {
        // Two replicas on one store, and one replica's batch on another.
        const outcomes = await Promise.allSettled([
          a.validateEntityKind(destination('outer', { path: 'apps', stateStoreRef: git })),
          b.validateEntityKind(destination('inner', { path: 'apps/web', stateStoreRef: git })),
          a.validateEntityKind(destination('top', { path: '.', stateStoreRef: other })),
          a.validateEntityKind(destination('leaf', { path: 'x', stateStoreRef: other })),
        ]);
        const errors = outcomes.map(o => (o.status === 'rejected' ? String(o.reason) : 'ok'));
        expect([
          errors.slice(0, 2).filter(e => e === 'ok'),
          errors.slice(2).filter(e => e === 'ok'),
        ]).toEqual([['ok'], ['ok']]);
        expect(errors.filter(e => e !== 'ok').sort()).toEqual(
          [
            errors[0] === 'ok'
              ? inside('apps/web', 'apps', 'outer')
              : contains('apps', 'apps/web', 'inner'),
            errors[2] === 'ok'
              ? inside('x', '.', 'top', 'GitStateStore/default/other')
              : contains('.', 'x', 'leaf', 'GitStateStore/default/other'),
          ]
            .map(m => `Error: ${m}`)
            .sort(),
        );
      } finally {
        spy.mockRestore();
      }
      const rows = await knex('kratix_destination_claims').orderBy('store');
      expect(rows.map(r => r.store)).toEqual([
        'GitStateStore:default/git',
        'GitStateStore:default/other',
      ]);
      // The one refused is refused again from either replica.
      const loser = rows[0].name === 'outer' ? ['inner', 'apps/web'] : ['outer', 'apps'];
      await expect(
        b.validateEntityKind(destination(loser[0], { path: loser[1], stateStoreRef: git })),
      ).rejects.toThrow(`of Destination ${rows[0].name} on GitStateStore/default/git`);
    },
  );
});
