import { HumanDuration } from '@backstage/types';

export interface Config {
  kratix?: {
    /**
     * Credentials named by State Stores' `spec.secretRef.name`. Git stores use
     * `username` and `password` (a token); bucket stores `accessKeyID` and
     * `secretAccessKey`. Use `${ENV_VAR}` substitutions; never put them in entities.
     * @visibility secret
     */
    secrets?: {
      [name: string]: {
        /** @visibility secret */
        username?: string;
        /** @visibility secret */
        password?: string;
        /** @visibility secret */
        accessKeyID?: string;
        /** @visibility secret */
        secretAccessKey?: string;
      };
    };
    reconcile?: {
      /** How often each State Store is checked for work. Default 5 seconds. New works are written at once, not on this timer. */
      frequency?: HumanDuration | string;
      /** How often Destinations and State Stores are read from the catalog. Default: the same as frequency. */
      catalogFrequency?: HumanDuration | string;
      /** How long one run may take. Default 5 minutes. */
      timeout?: HumanDuration | string;
      /** How often every file is rewritten and drift in the stores repaired. Default 10 minutes. */
      fullSyncInterval?: HumanDuration | string;
    };
    destinations?: {
      /**
       * How long a Destination entity may stay orphaned (its location no longer
       * lists it) before it counts as deleted and its cleanup policy runs. Default 1 hour.
       */
      orphanGrace?: HumanDuration | string;
    };
    works?: {
      /** Largest file of a work, in bytes. Default 1 MiB. */
      maxFileBytes?: number;
      /** Largest work (all files), in bytes. Default 10 MiB. */
      maxWorkBytes?: number;
      /** Most files in one work. Default 5000. */
      maxFiles?: number;
    };
    bucket?: {
      /** Requests in flight per bucket store. Default 16. */
      concurrency?: number;
      /** Batch deletes with DeleteObjects; false for servers without it (GCS). Default true. */
      batchDelete?: boolean;
    };
    /** Where Git stores keep their local copies. Default: the OS temp directory. */
    workDir?: string;
  };
}
