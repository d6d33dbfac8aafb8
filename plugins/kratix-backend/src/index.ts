/**
 * The kratix backend plugin.
 *
 * @packageDocumentation
 */
export { kratixPlugin as default } from './plugin';
