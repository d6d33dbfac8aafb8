import { TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { KratixEntitiesProcessor } from '../KratixEntitiesProcessor';
import { DestinationClaims } from '../DestinationClaims';

export type DatabaseId = 'SQLITE_3' | 'POSTGRES_15';

/** The databases the claims are tested on; each test file creates its own. */
export function claimDatabases() {
  return TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
}

/** Processors of `count` catalog replicas sharing one database, with a claim lifetime of `ttl`. */
export async function replicas(
  databases: TestDatabases,
  count: number,
  now: () => number,
  ttl = 900,
  id: DatabaseId = 'SQLITE_3',
) {
  const knex = await databases.init(id);
  const db = { getClient: async () => knex } as any;
  const claims: DestinationClaims[] = [];
  for (let i = 0; i < count; i++)
    claims.push(await DestinationClaims.create(db, { staleAfterMs: ttl, now }));
  return { knex, claims, processors: claims.map(c => new KratixEntitiesProcessor(c)) };
}

export const destination = (name: string, spec: any, namespace = 'default'): Entity => ({
  apiVersion: 'platform.kratix.io/v1alpha1',
  kind: 'Destination',
  metadata: { name, namespace },
  spec,
});
