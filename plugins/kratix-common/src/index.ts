/**
 * Kratix entity kinds for Backstage: types, JSON Schemas, validators, path
 * and store rules, and the kratix HTTP API's types, shared by frontend and backend.
 *
 * @packageDocumentation
 */
export * from './kinds/common';
export * from './kinds/Destination';
export * from './kinds/GitStateStore';
export * from './kinds/BucketStateStore';
export * from './validation';
export * from './paths';
export * from './api';
export * from './labels';
export * from './names';
export * from './permissions';
export * from './workloadGroups';
export * from './refs';
export * from './storeRules';
export * from './s3Endpoint';
