import { execFileSync } from 'node:child_process';
import {
  CommitAudit,
  TASK_ANNOTATION,
  TEMPLATE_ANNOTATION,
  unknownVariables,
  WriteFacts,
} from './commitAudit';

const alice: WriteFacts = {
  placement: 'default/app-db-p.dev-5058f',
  work: 'default/app-db-p',
  promise: 'app',
  resource: 'db',
  destination: 'dev',
  user: 'user:default/alice',
  annotations: {
    ticket: 'OPS-42',
    [TASK_ANNOTATION]: 'task-1',
    [TEMPLATE_ANNOTATION]: 'template:default/db',
  },
};
const bob: WriteFacts = {
  placement: 'team-b/web-p.prod-5058f',
  work: 'team-b/web-p',
  promise: 'web',
  destination: 'prod',
  user: 'user:default/bob',
  annotations: { ticket: 'OPS-7' },
};
const facts = new Map([
  ['app-db-p.dev-5058f', [alice]],
  ['web-p.prod-5058f', [bob]],
]);

/** What `git interpret-trailers --parse` reads from a message. */
function parsedTrailers(message: string): string {
  return execFileSync('git', ['interpret-trailers', '--parse'], { input: message }).toString();
}

describe('CommitAudit', () => {
  it("keeps Kratix's messages without a template, and adds no metadata for the canaries", () => {
    const audit = new CommitAudit(undefined, facts);
    expect(audit.message(['app-db-p.dev-5058f'], true)).toBe('Update from: app-db-p.dev-5058f');
    expect(audit.message(['web-p.prod-5058f'], false)).toBe('Delete from: web-p.prod-5058f');
    expect(audit.metadata(['kratix-canary'])).toBeUndefined();
  });

  it('fills a template for one placement, with its trailer block', () => {
    const audit = new CommitAudit(
      '{{ annotations.ticket }}: {{action}} {{ placement }} for {{user}}',
      facts,
    );
    const message = audit.message(['app-db-p.dev-5058f'], true);
    expect(message).toBe(
      [
        'OPS-42: Update default/app-db-p.dev-5058f for user:default/alice',
        '',
        'Kratix-Placement: default/app-db-p.dev-5058f',
        'Kratix-Work: default/app-db-p',
        'Kratix-Destination: dev',
        'Backstage-User: user:default/alice',
        'Scaffolder-Task: task-1',
        'Scaffolder-Template: template:default/db',
        '',
      ].join('\n'),
    );
    expect(parsedTrailers(message)).toContain('Backstage-User: user:default/alice\n');
  });

  it('joins the distinct values of a batched commit and gives each placement its trailers', () => {
    const audit = new CommitAudit('[{{ annotations.ticket }}] {{action}} {{works}}', facts);
    const message = audit.message(
      ['web-p.prod-5058f', 'app-db-p.dev-5058f', 'kratix-canary'],
      true,
    );
    expect(message.split('\n').slice(0, 6)).toEqual([
      '[OPS-42, OPS-7] Update default/app-db-p, team-b/web-p',
      '',
      '- app-db-p.dev-5058f',
      '- kratix-canary',
      '- web-p.prod-5058f',
      '',
    ]);
    const trailers = parsedTrailers(message);
    expect(trailers.match(/^Kratix-Placement: .*$/gm)).toEqual([
      'Kratix-Placement: default/app-db-p.dev-5058f',
      'Kratix-Placement: team-b/web-p.prod-5058f',
    ]);
    expect(trailers.match(/^Backstage-User: .*$/gm)).toEqual([
      'Backstage-User: user:default/alice',
      'Backstage-User: user:default/bob',
    ]);
  });

  it('fills in a fallback where a variable has no value, as on a canary commit', () => {
    const audit = new CommitAudit(
      '{{ annotations.ticket | PLAT-0 }} {{ action }} {{ works|none }}',
      facts,
    );
    expect(audit.message(['kratix-canary'], true)).toBe('PLAT-0 Update none\n');
    expect(audit.message(['web-p.prod-5058f'], true).split('\n')[0]).toBe(
      'OPS-7 Update team-b/web-p',
    );
  });

  it('never lets a value add a line', () => {
    const odd = new Map([
      ['x', [{ ...bob, annotations: { ticket: 'OPS-1\nSigned-off-by: mallory' } }]],
    ]);
    const message = new CommitAudit('{{annotations.ticket}}', odd).message(['x'], true);
    expect(message.split('\n')[0]).toBe('OPS-1 Signed-off-by: mallory');
    expect(parsedTrailers(message)).not.toContain('mallory');
  });

  it('gives S3 the same facts as US-ASCII metadata', () => {
    const audit = new CommitAudit(undefined, facts);
    expect(audit.metadata(['app-db-p.dev-5058f'])).toEqual({
      'kratix-placement': 'default/app-db-p.dev-5058f',
      'kratix-work': 'default/app-db-p',
      'backstage-user': 'user:default/alice',
      'scaffolder-task': 'task-1',
      'scaffolder-template': 'template:default/db',
    });
    const accented = new Map([['x', [{ ...bob, user: 'user:default/zoë' }]]]);
    expect(new CommitAudit(undefined, accented).metadata(['x'])!['backstage-user']).toBe(
      'user:default/zo%C3%AB',
    );
  });

  it('names the variables a template may not use', () => {
    expect(
      unknownVariables('{{ ticket }} {{action}} {{ annotations.ticket }} {{ users }}'),
    ).toEqual(['ticket']);
  });
});
