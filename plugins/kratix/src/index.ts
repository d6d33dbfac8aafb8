/**
 * Frontend plugin: Destinations, State Stores and their works.
 *
 * @packageDocumentation
 */
export { kratixPlugin as default, worksRouteRef } from './plugin';
export { kratixApiRef } from './api/KratixApi';
export type { KratixApi, WorkKey, WorkListQuery } from './api/KratixApi';
export { KratixClient } from './api/KratixClient';
export { kratixCatalogColumns } from './catalogColumns';
