import type { z as zod } from 'zod/v3';

type Z = typeof zod;

/** The inputs of `kratix:schedule`, each with the description the template editor shows. */
export const scheduleInput = {
  promise: (z: Z) => z.string().describe('The Promise the documents belong to'),
  resource: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'The resource name; leave out for a dependency (Promise-level work for every matching Destination)',
      ),
  namespace: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'The work namespace (default: default for a resource, kratix-platform-system for a dependency)',
      ),
  pipeline: (z: Z) =>
    z.string().optional().describe("The pipeline name in paths (default: the template's name)"),
  sourcePath: (z: Z) =>
    z
      .string()
      .optional()
      .describe(
        'Workspace directory whose files, recursively, are the documents (default: the workspace root)',
      ),
  destinationSelectors: (z: Z) =>
    z
      .record(z.string(), z.string())
      .optional()
      .describe('Labels a Destination must carry (resource-workflow selectors)'),
  promiseSelectors: (z: Z) =>
    z
      .array(z.record(z.string(), z.string()))
      .optional()
      .describe("The Promise's destinationSelectors; they win over the others"),
  promiseWorkflowSelectors: (z: Z) =>
    z
      .array(z.record(z.string(), z.string()))
      .optional()
      .describe('Promise-workflow selectors; they win over destinationSelectors'),
  annotations: (z: Z) =>
    z
      .record(z.string(), z.string())
      .optional()
      .describe(
        "Why the work is asked for, e.g. {ticket: OPS-123}: kept with the work, they fill the State Store's commit message template and go into S3 object metadata (the task's id and the template's ref are added)",
      ),
  workloadGroups: (z: Z) =>
    z
      .array(
        z.object({
          directory: z.string().describe('A directory under sourcePath'),
          destinationSelectors: z.record(z.string(), z.string()).optional(),
        }),
      )
      .optional()
      .describe(
        "Files under each directory are scheduled on their own with only these selectors (Kratix's destination-selectors.yaml)",
      ),
};

/** What `kratix:schedule` outputs. */
export const scheduleOutput = {
  work: (z: Z) => z.string().describe('<namespace>/<name> of the work'),
  destinations: (z: Z) => z.array(z.string()).describe('Destinations chosen; empty while pending'),
  locations: (z: Z) =>
    z
      .array(
        z.object({
          destination: z.string(),
          stateStore: z.string().optional(),
          url: z.string().optional(),
          bucket: z.string().optional(),
          path: z.string(),
        }),
      )
      .describe('Where the files are in each State Store'),
  preview: (z: Z) =>
    z.string().optional().describe('Dry run: the unified diff of what each store would change'),
};
