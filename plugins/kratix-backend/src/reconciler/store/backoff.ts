import { durationToMilliseconds, HumanDuration } from '@backstage/types';

/** When a store that failed `failures` times in a row is tried again: doubling, jittered, capped. */
export function backoffUntil(
  failures: number,
  reconcile: { frequency: HumanDuration; maxBackoffMs: number },
  now = Date.now(),
): Date {
  const base = durationToMilliseconds(reconcile.frequency);
  const wait = Math.min(base * 2 ** Math.min(failures, 20), reconcile.maxBackoffMs);
  const jitter = wait * (0.8 + Math.random() * 0.4);
  return new Date(now + Math.min(jitter, reconcile.maxBackoffMs));
}
