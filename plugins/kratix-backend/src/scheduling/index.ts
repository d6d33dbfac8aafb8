export * from './selectors';
export * from './schedule';
