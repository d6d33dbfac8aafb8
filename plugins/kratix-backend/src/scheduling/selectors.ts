import { Labels, matchesSelector } from '@kratix-destinations/plugin-kratix-common';

export type { Labels };
export { matchesSelector };

/**
 * Kratix's SquashPromiseScheduling: several matchLabels maps merged into one;
 * on a key conflict the first map wins.
 */
export function squashSelectors(selectors: Labels[]): Labels {
  const out: Labels = {};
  for (const s of selectors) {
    for (const [k, v] of Object.entries(s)) if (!(k in out)) out[k] = v;
  }
  return out;
}

/**
 * Kratix's resolution of selector sources: resource-workflow, then
 * promise-workflow, then promise, later ones overwriting earlier keys.
 */
export function resolveSelectors(sources: {
  resourceWorkflow?: Labels;
  promiseWorkflow?: Labels;
  promise?: Labels;
}): Labels {
  return { ...sources.resourceWorkflow, ...sources.promiseWorkflow, ...sources.promise };
}

export const DRY_RUN_LABEL = 'kratix.io/dry-run';
