export * from './types';
export * from './identity';
export * from './canaries';
export * from './stateFile';
export * from './modes';
export * from './destinationLayout';
