import { nameErrors, workName } from '@kratix-destinations/plugin-kratix-common';

/** The pipeline name when none is given: the running template's name. */
export function templateName(entityRef: string | undefined): string | undefined {
  const name = entityRef?.split('/').pop();
  return name ? name.toLowerCase() : undefined;
}

/**
 * Which work the inputs of kratix:schedule and kratix:unschedule name, with
 * their defaults applied (the task runner does not apply schema defaults):
 * a resource's namespace is `default`, a dependency's `kratix-platform-system`,
 * as in Kratix; and a message for each bad name.
 */
export function workIdentity(
  input: { promise: string; resource?: string; namespace?: string; pipeline?: string },
  templateRef: string | undefined,
) {
  const namespace = input.namespace || (input.resource ? 'default' : 'kratix-platform-system');
  const pipeline = input.pipeline || templateName(templateRef) || 'scaffolder';
  const errors = [
    ...nameErrors('promise', input.promise),
    // An empty resource is a mistake (an empty parameter), not a dependency: as the API says.
    ...(input.resource === ''
      ? ['resource: must not be empty; leave it out for a dependency work']
      : nameErrors('resource', input.resource, false)),
    ...nameErrors('namespace', namespace),
    ...nameErrors('pipeline', pipeline),
  ];
  return { namespace, pipeline, name: workName(input.promise, input.resource, pipeline), errors };
}
