import { HumanDuration } from '@backstage/types';

export interface Config {
  kratix?: {
    /**
     * Credentials named by State Stores' `spec.secretRef.name`. Use `${ENV_VAR}`
     * substitutions; never put them in entities. A secret is only ever sent to
     * the hosts in its `allowedHosts`: a store pointing anywhere else is refused
     * before any request is made.
     */
    secrets?: {
      [name: string]: {
        /**
         * Hosts these credentials may be sent to: `host`, `host:port` or
         * `*.example.com`. Required: a secret without it is used nowhere.
         */
        allowedHosts?: string[];
        /** Git over HTTPS (basicAuth): the user; default `x-access-token`, as Kratix. */
        username?: string;
        /**
         * Git over HTTPS (basicAuth): the password or token.
         * @visibility secret
         */
        password?: string;
        /**
         * Git over SSH (authMethod ssh): the private key in OpenSSH or PEM form.
         * @visibility secret
         */
        sshPrivateKey?: string;
        /** Git over SSH: the server's host keys, as in a known_hosts file. Required: unknown hosts are refused. */
        knownHosts?: string;
        /** GitHub App (authMethod githubApp): the App's id. */
        appID?: string;
        /** GitHub App: the installation id on the organisation that holds the repository. */
        installationID?: string;
        /**
         * GitHub App: the App's private key (PEM).
         * @visibility secret
         */
        privateKey?: string;
        /** Bucket stores (authMethod accessKey): the access key id. */
        accessKeyID?: string;
        /**
         * Bucket stores: the secret access key.
         * @visibility secret
         */
        secretAccessKey?: string;
      };
    };
    reconcile?: {
      /** How often each State Store is checked for work. Default 5 seconds. New works are written at once, not on this timer. */
      frequency?: HumanDuration | string;
      /**
       * How often the catalog is checked for added, deleted or orphaned Destinations and State Stores
       * (one count of each kind). Default 10 seconds. Changed entities are signalled by the catalog
       * module as they are processed and read about a second later, or at the next cycles until the
       * catalog shows the change; only changed entities are copied.
       */
      catalogFrequency?: HumanDuration | string;
      /**
       * The longest time between two reads of the whole list of Destinations and State Stores, for
       * changes no signal or count shows (a catalog in another backend that no events bus connects to
       * this one). Default 1 minute.
       */
      catalogReadInterval?: HumanDuration | string;
      /** How long one run may take. Default 5 minutes. */
      timeout?: HumanDuration | string;
      /** How often every store is compared with what it should hold, and drift handled. Default 10 minutes. */
      fullSyncInterval?: HumanDuration | string;
      /** The longest wait between tries of a failing store (the wait doubles from frequency). Default 5 minutes. */
      maxBackoff?: HumanDuration | string;
    };
    drift?: {
      /**
       * What a full sync does with a file someone changed or deleted in a store:
       * `repair` writes it back (default, as Kratix), `report` leaves it and shows
       * the drift on the Destination and in notifications.
       */
      policy?: 'repair' | 'report';
    };
    destinations?: {
      /**
       * How long a Destination entity may stay orphaned (its location no longer
       * lists it) before it counts as deleted and its cleanup policy runs. Default 1 hour.
       */
      orphanGrace?: HumanDuration | string;
      /**
       * How long the catalog keeps a Destination's claim on its name, path and
       * mode after it was last processed. Default 10 minutes.
       */
      claimTtl?: HumanDuration | string;
    };
    /**
     * The example permission policy (packages/backend): the platform group may do
     * everything, other users schedule on Destinations they own or labelled with
     * their team, and change only their own works. Off: everything is allowed.
     */
    examplePolicy?: {
      enabled?: boolean;
      /** Default `group:default/platform-team`. */
      platformGroup?: string;
      /** The Destination label naming a team. Default `team`. */
      teamLabel?: string;
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
