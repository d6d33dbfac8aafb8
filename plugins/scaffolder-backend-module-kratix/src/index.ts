/**
 * Scaffolder actions kratix:schedule and kratix:unschedule.
 *
 * @packageDocumentation
 */
export { scaffolderModuleKratix as default } from './module';
export { createKratixScheduleAction } from './actions/schedule';
export { createKratixUnscheduleAction } from './actions/unschedule';
