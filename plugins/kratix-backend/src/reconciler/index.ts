export * from './refs';
export * from './CatalogSync';
export * from './WorkScheduler';
export * from './StoreReconciler';
export * from './Reconciler';
