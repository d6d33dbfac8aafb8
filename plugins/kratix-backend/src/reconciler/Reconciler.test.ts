import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { readKratixConfig } from '../config';
import { DatabaseKratixStore } from '../database';
import { Reconciler } from './Reconciler';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

describe('Reconciler', () => {
  it('runs one catalog sync at a time; a call during one runs it once more afterwards', async () => {
    const db = await DatabaseKratixStore.create({
      database: { getClient: () => databases.init('SQLITE_3') },
    });
    let inFlight = 0;
    let most = 0;
    let runs = 0;
    const catalog = catalogServiceMock.mock({
      getEntityFacets: jest.fn(async () => {
        runs++;
        most = Math.max(most, ++inFlight);
        await new Promise(r => setTimeout(r, 20));
        inFlight--;
        return { facets: { kind: [] } };
      }) as any,
      getEntities: jest.fn(async () => ({ items: [] })) as any,
    });
    const reconciler = new Reconciler({
      db,
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      scheduler: mockServices.scheduler.mock(),
      writers: {} as any,
      config: readKratixConfig(new ConfigReader({})),
    });
    // The timer's run, then two change signals' runs while it is going.
    await Promise.all([
      reconciler.syncCatalog(),
      reconciler.syncCatalog(),
      reconciler.syncCatalog(),
    ]);
    expect({ runs, most }).toEqual({ runs: 2, most: 1 });
    await reconciler.stop();
  });
});
