export * from './types';
export * from './KratixDatabase';
