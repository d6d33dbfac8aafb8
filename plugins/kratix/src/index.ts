/**
 * Frontend plugin: Destinations, State Stores and their works.
 *
 * @packageDocumentation
 */
export { kratixPlugin as default, worksRouteRef } from './plugin';
export { kratixApiRef } from './api/KratixApi';
export type {
  KratixApi,
  Work,
  Placement,
  DestinationStatus,
  StateStoreStatus,
} from './api/KratixApi';
export { KratixClient } from './api/KratixClient';
export { kratixCatalogColumns } from './catalogColumns';
