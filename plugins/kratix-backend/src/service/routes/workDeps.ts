import type { KratixConfig } from '../../config';
import type { KratixStore } from '../../database';
import type { Reconciler } from '../../reconciler';
import type { Access } from '../access';
import type { ReadAccess } from '../ReadAccess';
import type { ViewLoader } from '../viewLoader';

/** What the work routes need. */
export interface WorkRouteDeps {
  db: KratixStore;
  reconciler: Reconciler;
  access: Access;
  reads: ReadAccess;
  views: ViewLoader;
  config: KratixConfig;
}
