import { AuditorService, AuditorServiceEventSeverityLevel } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';
import type { Request } from 'express';

/** Runs `fn` as one audit event: initiated, then succeeded (with its meta) or failed (with the error). */
export async function audited<T>(
  auditor: AuditorService,
  options: {
    eventId: string;
    request?: Request;
    meta: JsonObject;
    severityLevel?: AuditorServiceEventSeverityLevel;
  },
  fn: () => Promise<T>,
  outcome?: (result: T) => JsonObject,
): Promise<T> {
  const event = await auditor.createEvent({ severityLevel: 'medium', ...options });
  try {
    const result = await fn();
    await event.success({ meta: outcome ? outcome(result) : {} });
    return result;
  } catch (e: any) {
    await event.fail({ error: e instanceof Error ? e : new Error(String(e)) });
    throw e;
  }
}
