/**
 * Catalog module for the Kratix kinds: Destination, GitStateStore and BucketStateStore.
 *
 * @packageDocumentation
 */
export { catalogModuleKratixEntityModel as default } from './module';
export { KratixEntitiesProcessor } from './KratixEntitiesProcessor';
export { DestinationClaims } from './DestinationClaims';
