import os from 'node:os';
import path from 'node:path';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds, HumanDuration } from '@backstage/types';
import { stateStoreRef } from '@kratix-destinations/plugin-kratix-common';
import { unknownVariables } from './reconciler/store/commitAudit';

/** What a work may hold, checked at intake. */
export interface WorkLimits {
  maxFileBytes: number;
  maxWorkBytes: number;
  maxFiles: number;
}

export type DriftPolicy = 'repair' | 'report';

/** Everything the plugin reads from `kratix.*`, read once, with named defaults. */
export interface KratixConfig {
  reconcile: {
    /** How often each replica looks for stores with something to do. */
    frequency: HumanDuration;
    /** How often the catalog is checked for changes (a count of each kind). */
    catalogFrequency: HumanDuration;
    /** The longest time between two reads of the list of Destinations and State Stores. */
    catalogReadIntervalMs: number;
    /** How long one store run may take before its lease lapses. */
    timeoutMs: number;
    /** How often every store is compared with what it should hold. */
    fullSyncIntervalMs: number;
    /** The longest wait between tries of a failing store. */
    maxBackoffMs: number;
  };
  orphanGraceMs: number;
  drift: DriftPolicy;
  works: WorkLimits;
  bucket: { concurrency: number; batchDelete: boolean };
  workDir: string;
  /** Entity refs (users, groups) that get every store run's signal, besides the people concerned. */
  signals: { recipients: string[] };
  /** Commit message templates: for every store, or for one (by its ref); none keeps Kratix's messages. */
  commitMessages: { template?: string; stores: Map<string, string> };
}

/** The commit message template of a store: its own, else the global one, else none (Kratix's). */
export function commitTemplateOf(
  config: Partial<Pick<KratixConfig, 'commitMessages'>>,
  storeRef: string,
): string | undefined {
  return config.commitMessages?.stores.get(storeRef) ?? config.commitMessages?.template;
}

/** Reads `kratix.commitMessages`, refusing a template that names a variable no commit has. */
function readCommitMessages(config: Config): KratixConfig['commitMessages'] {
  const check = (key: string, template: string) => {
    const unknown = unknownVariables(template);
    if (unknown.length > 0) {
      throw new Error(
        `${key}: unknown variable ${unknown.map(u => `{{ ${u} }}`).join(', ')}; use action, placement(s), work(s), promise(s), resource(s), destination(s), user(s), task(s), template(s) or annotations.<key>`,
      );
    }
    return template;
  };
  const template = config.getOptionalString('kratix.commitMessages.template');
  const stores = new Map<string, string>();
  for (const [i, c] of (
    config.getOptionalConfigArray('kratix.commitMessages.stores') ?? []
  ).entries()) {
    const key = `kratix.commitMessages.stores[${i}]`;
    const ref = stateStoreRef(
      c.getString('kind'),
      c.getOptionalString('namespace'),
      c.getString('name'),
    );
    stores.set(ref, check(`${key}.template`, c.getString('template')));
  }
  return {
    template:
      template === undefined ? undefined : check('kratix.commitMessages.template', template),
    stores,
  };
}

export const DEFAULTS = {
  frequency: { seconds: 5 },
  // The catalog re-reads its locations every 100-150 s by default: polling it faster costs CPU and buys nothing.
  catalogFrequency: { seconds: 10 },
  // Changes are signalled by the catalog module and counted every cycle; this read catches the rest.
  catalogReadInterval: { minutes: 1 },
  timeout: { minutes: 5 },
  fullSyncInterval: { minutes: 10 },
  maxBackoff: { minutes: 5 },
  orphanGrace: { hours: 1 },
  drift: 'repair' as DriftPolicy,
  maxFileBytes: 1024 * 1024,
  maxWorkBytes: 10 * 1024 * 1024,
  maxFiles: 5000,
  bucketConcurrency: 16,
} as const;

function duration(config: Config, key: string, fallback: HumanDuration): HumanDuration {
  return config.has(key) ? readDurationFromConfig(config, { key }) : fallback;
}

const ms = durationToMilliseconds;

export function readKratixConfig(config: Config): KratixConfig {
  const frequency = duration(config, 'kratix.reconcile.frequency', DEFAULTS.frequency);
  const drift = config.getOptionalString('kratix.drift.policy') ?? DEFAULTS.drift;
  if (drift !== 'repair' && drift !== 'report') {
    throw new Error(`kratix.drift.policy: "${drift}" is not one of repair, report`);
  }
  return {
    reconcile: {
      frequency,
      catalogFrequency: duration(
        config,
        'kratix.reconcile.catalogFrequency',
        DEFAULTS.catalogFrequency,
      ),
      catalogReadIntervalMs: ms(
        duration(config, 'kratix.reconcile.catalogReadInterval', DEFAULTS.catalogReadInterval),
      ),
      timeoutMs: ms(duration(config, 'kratix.reconcile.timeout', DEFAULTS.timeout)),
      fullSyncIntervalMs: ms(
        duration(config, 'kratix.reconcile.fullSyncInterval', DEFAULTS.fullSyncInterval),
      ),
      maxBackoffMs: ms(duration(config, 'kratix.reconcile.maxBackoff', DEFAULTS.maxBackoff)),
    },
    orphanGraceMs: ms(duration(config, 'kratix.destinations.orphanGrace', DEFAULTS.orphanGrace)),
    drift,
    works: {
      maxFileBytes: config.getOptionalNumber('kratix.works.maxFileBytes') ?? DEFAULTS.maxFileBytes,
      maxWorkBytes: config.getOptionalNumber('kratix.works.maxWorkBytes') ?? DEFAULTS.maxWorkBytes,
      maxFiles: config.getOptionalNumber('kratix.works.maxFiles') ?? DEFAULTS.maxFiles,
    },
    bucket: {
      concurrency:
        config.getOptionalNumber('kratix.bucket.concurrency') ?? DEFAULTS.bucketConcurrency,
      batchDelete: config.getOptionalBoolean('kratix.bucket.batchDelete') ?? true,
    },
    workDir:
      config.getOptionalString('kratix.workDir') ?? path.join(os.tmpdir(), 'kratix-backstage'),
    signals: {
      recipients: config.getOptionalStringArray('kratix.signals.recipients') ?? [],
    },
    commitMessages: readCommitMessages(config),
  };
}
