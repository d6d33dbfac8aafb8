/**
 * The kratix backend plugin.
 *
 * @packageDocumentation
 */
export { kratixPlugin as default } from './plugin';
export * from './writers';
export * from './layout';
export * from './scheduling';
export {
  kratixWorkCreatePermission,
  kratixWorkDeletePermission,
  kratixPermissions,
} from './service/permissions';
