export * from './types';
export * from './errors';
export * from './GitWriter';
export * from './BucketWriter';
export * from './WriterFactory';
