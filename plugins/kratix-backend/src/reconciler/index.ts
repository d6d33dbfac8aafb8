export { Reconciler } from './Reconciler';
export type { ReconcilerDeps } from './Reconciler';
export { WorkIntake } from './WorkIntake';
export type { Caller, SubmitResult } from './WorkIntake';
export { DestinationCache } from './DestinationCache';
export type { PlacementPermit } from './WorkScheduler';
export type { StoreRunResult, StoreRunListener } from './store/StoreRun';
