import { HumanDuration } from '@backstage/types';

export interface Config {
  kratix?: {
    /**
     * Credentials named by State Stores' `spec.secretRef.name`. Use `${ENV_VAR}`
     * substitutions; never put them in entities. A secret is only ever sent to
     * the hosts in its `allowedHosts`, and, when it has `allowedRepositories` or
     * `allowedBuckets`, used only for those: a store pointing anywhere else is
     * refused before any request is made.
     */
    secrets?: {
      [name: string]: {
        /**
         * Hosts these credentials may be sent to: `host`, `host:port` or
         * `*.example.com`; a host without a port allows any port, and an SSH URL
         * without a port is port 22. Required: a secret without it is used
         * nowhere. A GitHub App secret also needs the host of the API that mints
         * its tokens: `api.github.com` for github.com, else the host of
         * `integrations.github[].apiBaseUrl` (default `<host>/api/v3`).
         */
        allowedHosts?: string[];
        /**
         * Optional: the Git repositories (on allowedHosts) this secret may be used
         * for. A pattern is `host[:port]/path`; a scheme, a user, the scp form's
         * `:` (`git@host:org/repo`), a trailing `.git` and trailing slashes are
         * ignored, so a store's `spec.url` lists exactly its repository. The host
         * is exact and case-insensitive; without a port any port matches, with
         * one only that port (URLs without a port have 443, 80 or 22). The path
         * is case-sensitive, segment by segment: `*` matches any characters
         * within one segment, never `/` (`github.com/org/*`, `github.com/org/team-*`);
         * `**` as the last segment matches one or more segments (`gitlab.com/group/**`).
         * A repository path with an empty, `.` or `..` segment matches nothing.
         * Unset: any repository on allowedHosts, unless allowedBuckets is set
         * (then the secret is for buckets only). Does not apply to the GitHub
         * App token API.
         */
        allowedRepositories?: string[];
        /**
         * Optional: the buckets (on allowedHosts) this secret may be used for;
         * `*` matches any characters (`fleet-*`). Unset: any bucket on
         * allowedHosts, unless allowedRepositories is set (then the secret is
         * for Git only).
         */
        allowedBuckets?: string[];
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
        /**
         * CA certificates (PEM, one or more) that the HTTPS servers of the
         * stores using this secret are trusted with, for Git and S3 alike; added
         * to Node's default roots and to `kratix.tls.caBundle`, never replacing
         * them. Not a secret, but long: kept to the backend.
         * @visibility backend
         */
        caBundle?: string;
      };
    };
    /**
     * How the certificates of State Stores over HTTPS (Git and S3) are checked.
     * They are always verified, against Node's default roots plus the CA
     * bundles below; Kratix's `GitStateStore.spec.insecure` is honoured only on
     * the hosts listed in `allowInsecure`.
     */
    tls?: {
      /**
       * CA certificates (PEM, one or more) trusted for every store over HTTPS,
       * in addition to Node's default roots, e.g. a company's private CA.
       * @visibility backend
       */
      caBundle?: string;
      /**
       * Hosts a GitStateStore with `spec.insecure: true` may reach without
       * verifying their TLS certificate: `host`, `host:port` or `*.example.com`
       * (a host without a port allows any port). A store with `insecure: true`
       * on a host not listed is not ready, naming this key; one on a listed
       * host is written, with a warning in the log. Default: none.
       */
      allowInsecure?: string[];
    };
    /**
     * Backstage's own credentials (`integrations`, `aws`) serve every plugin, so
     * Kratix uses them only for the repositories and buckets listed here. A
     * store without `spec.secretRef` on a host whose integration holds
     * credentials, and not listed, is refused (not ready) and nothing is sent;
     * on a host with no integration, or one without credentials, it stays
     * anonymous.
     */
    integrations?: {
      /**
       * Repositories a GitStateStore without secretRef may use the integration
       * credentials of its host for (GitHub tokens or Apps, GitLab, Bitbucket,
       * Azure DevOps, Gitea, Gerrit). Patterns as
       * `kratix.secrets.<name>.allowedRepositories`; `host/**` is every
       * repository on the host. Default: none.
       */
      allowedRepositories?: string[];
      /**
       * Buckets a BucketStateStore with `authMethod: IAM` may use the keys or
       * profile of `aws.mainAccount` for; `*` matches any characters. Without
       * keys or a profile there, IAM is the AWS default credential chain (the
       * process's own identity, as Kratix) and this list does not apply.
       * Default: none.
       */
      allowedBuckets?: string[];
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
      /** How long one run may take: its store's lease is renewed for this long at most. Default 5 minutes. */
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
    /**
     * Commit messages as an audit log. Without a template, commits carry Kratix's
     * messages (`Update from: <placement>`). With one, the message's first lines are
     * the template with `{{ variable }}` filled in: `action` (Update or Delete),
     * `placement(s)`, `work(s)`, `promise(s)`, `resource(s)`, `destination(s)`,
     * `user(s)` (the Backstage user who submitted the work), `task(s)` and
     * `template(s)` (the scaffolder task and template that ran `kratix:schedule`),
     * and `annotations.<key>` (a work's annotations, e.g. a ticket id the template
     * passes); `{{ variable | text }}` gives `text` where the variable has no value
     * (a canary commit); then the placements, then one trailer block per placement
     * (`Kratix-Placement:`, `Kratix-Work:`, `Kratix-Destination:`, `Backstage-User:`,
     * `Scaffolder-Task:`, `Scaffolder-Template:`).
     */
    commitMessages?: {
      /** For every State Store without its own. */
      template?: string;
      /** Per State Store. */
      stores?: Array<{
        kind: 'GitStateStore' | 'BucketStateStore';
        /** Default `default`. */
        namespace?: string;
        name: string;
        template: string;
      }>;
    };
    signals?: {
      /**
       * Entity refs (users or groups, e.g. `group:default/platform-team`) whose open
       * pages reload on every store run. The owners of a store's Destinations and of
       * the works a run touched always get that store's signals; nobody else does,
       * and a connection without a token never does.
       */
      recipients?: string[];
    };
    examplePolicy?: {
      enabled?: boolean;
      /** Default `group:default/platform-team`. */
      platformGroup?: string;
      /** The Destination label naming a team. Default `team`. */
      teamLabel?: string;
      /**
       * Work namespaces every user may create works in. Otherwise a user creates
       * works only in namespaces named after their groups. Default
       * `[default, kratix-platform-system]`.
       */
      sharedNamespaces?: string[];
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
