import { commitMessage } from './commitMessage';

import {
  SCAFFOLDER_TASK_ANNOTATION as TASK_ANNOTATION,
  SCAFFOLDER_TEMPLATE_ANNOTATION as TEMPLATE_ANNOTATION,
} from '@kratix-destinations/plugin-kratix-common';

export { TASK_ANNOTATION, TEMPLATE_ANNOTATION };

/** Who asked for one placement's files, and why: what a commit and an object carry. */
export interface WriteFacts {
  /** `<namespace>/<placement name>` */
  placement: string;
  /** `<namespace>/<work name>` */
  work: string;
  promise: string;
  resource?: string;
  destination: string;
  /** The Backstage user (or service) who submitted the work. */
  user?: string;
  annotations: Record<string, string>;
}

/** The variables a commit message template may use, besides `annotations.<key>`. */
const VARIABLES: Record<string, (f: WriteFacts) => string | undefined> = {
  placement: f => f.placement,
  work: f => f.work,
  promise: f => f.promise,
  resource: f => f.resource,
  destination: f => f.destination,
  user: f => f.user,
  task: f => f.annotations[TASK_ANNOTATION],
  template: f => f.annotations[TEMPLATE_ANNOTATION],
};
const PLURALS: Record<string, string> = {
  placements: 'placement',
  works: 'work',
  promises: 'promise',
  resources: 'resource',
  destinations: 'destination',
  users: 'user',
  tasks: 'task',
  templates: 'template',
};
/** `{{ variable }}`, or `{{ variable | text }}`: the text when the variable has no value (e.g. a canary commit). */
const REFERENCE = /\{\{\s*([A-Za-z0-9_./-]+)\s*(?:\|\s*([^}]*?)\s*)?\}\}/g;

/** The variables a template names that do not exist, for a config error at start. */
export function unknownVariables(template: string): string[] {
  return [...template.matchAll(REFERENCE)]
    .map(m => m[1])
    .filter(
      v => v !== 'action' && !(v in VARIABLES) && !(v in PLURALS) && !v.startsWith('annotations.'),
    );
}

/** A value on one line: a template variable never adds lines or control characters. */
// eslint-disable-next-line no-control-regex -- control characters are what it removes
const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

function valuesOf(variable: string, facts: WriteFacts[]): string[] {
  const name = PLURALS[variable] ?? variable;
  const pick = name.startsWith('annotations.')
    ? (f: WriteFacts) => f.annotations[name.slice('annotations.'.length)]
    : VARIABLES[name];
  return [...new Set(facts.map(f => pick?.(f)).filter((v): v is string => Boolean(v)))].map(
    oneLine,
  );
}

/** One trailer block per placement, so `git interpret-trailers` answers who asked for each. */
function trailers(facts: WriteFacts[]): string {
  return facts
    .flatMap(f => [
      `Kratix-Placement: ${f.placement}`,
      `Kratix-Work: ${f.work}`,
      `Kratix-Destination: ${f.destination}`,
      ...(f.user ? [`Backstage-User: ${oneLine(f.user)}`] : []),
      ...(f.annotations[TASK_ANNOTATION]
        ? [`Scaffolder-Task: ${oneLine(f.annotations[TASK_ANNOTATION])}`]
        : []),
      ...(f.annotations[TEMPLATE_ANNOTATION]
        ? [`Scaffolder-Template: ${oneLine(f.annotations[TEMPLATE_ANNOTATION])}`]
        : []),
    ])
    .join('\n');
}

/**
 * Commit messages and object metadata for what a run writes. Without a
 * template the message is Kratix's own; with one (per store in app-config),
 * its first lines are the template with every `{{ variable }}` filled in
 * (several placements: their distinct values joined by ", "), then the list
 * of placements, then one trailer block per placement.
 */
export class CommitAudit {
  constructor(
    private readonly template: string | undefined,
    /** By placement name (the names commit messages carry; two namespaces may share one). */
    private readonly facts: Map<string, WriteFacts[]>,
  ) {}

  private factsOf(names: string[]): WriteFacts[] {
    return [...new Set(names)].sort().flatMap(n => this.facts.get(n) ?? []);
  }

  message(names: string[], anyWrite: boolean): string {
    if (!this.template) return commitMessage(names, anyWrite);
    const facts = this.factsOf(names);
    const action = anyWrite ? 'Update' : 'Delete';
    const subject = this.template
      .replace(REFERENCE, (_m, v: string, fallback?: string) =>
        v === 'action' ? action : valuesOf(v, facts).join(', ') || (fallback ?? ''),
      )
      .trim();
    const unique = [...new Set(names)].sort();
    const list = unique.length > 1 ? `\n\n${unique.map(n => `- ${n}`).join('\n')}` : '';
    const block = facts.length > 0 ? `\n\n${trailers(facts)}` : '';
    return `${subject}${list}${block}\n`;
  }

  /** S3 object metadata (x-amz-meta-*) for a file some placements write: the same facts. */
  metadata(names: string[]): Record<string, string> | undefined {
    const facts = this.factsOf(names);
    if (facts.length === 0) return undefined;
    // S3 metadata is US-ASCII: anything else is percent-encoded (refs keep their ':' and '/').
    const ascii = (v: string) =>
      encodeURIComponent(oneLine(v)).replace(/%2F/g, '/').replace(/%3A/g, ':');
    const meta: Record<string, string> = {
      'kratix-placement': ascii(valuesOf('placement', facts).join(',')),
      'kratix-work': ascii(valuesOf('work', facts).join(',')),
    };
    const optional: [string, string][] = [
      ['backstage-user', 'user'],
      ['scaffolder-task', 'task'],
      ['scaffolder-template', 'template'],
    ];
    for (const [key, variable] of optional) {
      const values = valuesOf(variable, facts);
      if (values.length > 0) meta[key] = ascii(values.join(','));
    }
    return meta;
  }
}
