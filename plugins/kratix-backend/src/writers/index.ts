export * from './types';
export * from './GitWriter';
export * from './BucketWriter';
export * from './WriterFactory';
