import type { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import type { StoreRunResult } from '../reconciler';

/**
 * Audit events for what the reconciler does on its own: every store write
 * (store, version, counts, outcome) and every finished Destination cleanup.
 * Work submits and deletes are audited where the request enters.
 */
export class RunAuditor {
  constructor(private readonly deps: { auditor: AuditorService; logger: LoggerService }) {}

  readonly onRun = (ref: string, result: StoreRunResult): void => {
    this.record(ref, result).catch(e => this.deps.logger.warn(`audit of ${ref} failed: ${e}`));
  };

  private async record(store: string, r: StoreRunResult): Promise<void> {
    const { auditor } = this.deps;
    if (r.error) {
      const event = await auditor.createEvent({
        eventId: 'store-write',
        severityLevel: 'medium',
        meta: { store },
      });
      await event.fail({ error: new Error(r.error) });
      return;
    }
    const placements = r.placements;
    if (r.written + r.deleted > 0 || (placements?.failed ?? 0) > 0) {
      const event = await auditor.createEvent({
        eventId: 'store-write',
        severityLevel: 'low',
        meta: { store },
      });
      await event.success({
        meta: {
          version: r.version ?? null,
          filesWritten: r.written,
          filesDeleted: r.deleted,
          placementsWritten: placements?.written ?? 0,
          placementsRemoved: placements?.removed ?? 0,
          placementsFailed: placements?.failed ?? 0,
        },
      });
    }
    for (const destination of placements?.cleanedDestinations ?? []) {
      const event = await auditor.createEvent({
        eventId: 'destination-cleanup',
        severityLevel: 'medium',
        meta: { store, destination },
      });
      await event.success({ meta: { version: r.version ?? null } });
    }
  }
}
