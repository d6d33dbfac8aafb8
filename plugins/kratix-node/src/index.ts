/**
 * Node library for backend modules that schedule works through the kratix backend.
 *
 * @packageDocumentation
 */
export * from './KratixService';
export * from './permissions/rules';
