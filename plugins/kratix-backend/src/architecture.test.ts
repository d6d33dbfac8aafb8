/**
 * The house rules as a test: data flows one way (catalog + works -> schedule
 * -> plan -> write -> status), pure code does no I/O, writers know nothing of
 * modes or scheduling, and the HTTP layer enters the reconciler through its
 * one door (the reconciler's index).
 */
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(
  require.resolve('@kratix-destinations/plugin-kratix-backend/package.json'),
  '../src',
);

function sources(dir: string): string[] {
  return fs
    .readdirSync(path.join(SRC, dir), { withFileTypes: true, recursive: true })
    .filter(e => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map(e => path.relative(SRC, path.join(e.parentPath, e.name)));
}

/** Every import of a file: the module it names, resolved to a src folder when relative, and whether it is type-only. */
function imports(file: string): { target: string; typeOnly: boolean }[] {
  const text = fs.readFileSync(path.join(SRC, file), 'utf8');
  return [...text.matchAll(/^import\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gms)].map(m => {
    const spec = m[2];
    const target = spec.startsWith('.')
      ? path.relative(SRC, path.resolve(path.dirname(path.join(SRC, file)), spec))
      : spec;
    return { target, typeOnly: Boolean(m[1]) };
  });
}

const folder = (target: string) => target.split('/')[0];

function violations(
  dir: string,
  rule: (i: { target: string; typeOnly: boolean }, file: string) => boolean,
): string[] {
  return sources(dir).flatMap(file =>
    imports(file)
      .filter(i => rule(i, file))
      .map(i => `${file} imports ${i.target}`),
  );
}

const IO =
  /^(node:(fs|net|http|https|child_process)|knex|isomorphic-git|simple-git|@aws-sdk\/|@smithy\/|express)/;

describe('architecture', () => {
  it('layout/ and scheduling/ are pure: no I/O, no other folder of the plugin', () => {
    for (const dir of ['layout', 'scheduling']) {
      expect(
        violations(
          dir,
          i =>
            IO.test(i.target) ||
            (!i.target.startsWith('@') &&
              !i.target.startsWith('node:') &&
              folder(i.target) !== dir &&
              !/^[a-z-]+$/.test(i.target)),
        ),
      ).toEqual([]);
    }
  });

  it('writers/ know nothing of modes, scheduling, the reconciler or the HTTP layer; stored rows only as types', () => {
    expect(
      violations(
        'writers',
        i =>
          ['layout', 'scheduling', 'reconciler', 'service'].includes(folder(i.target)) ||
          (folder(i.target) === 'database' && !i.typeOnly),
      ),
    ).toEqual([]);
  });

  it('database/ knows nothing of writers, the reconciler, the HTTP layer or policies', () => {
    expect(
      violations(
        'database',
        i =>
          ['writers', 'reconciler', 'service'].includes(folder(i.target)) ||
          /permission/.test(i.target),
      ),
    ).toEqual([]);
  });

  it('the HTTP layer enters the reconciler only through its index, and routes never schedule or lay out', () => {
    expect(
      violations('service', i => folder(i.target) === 'reconciler' && i.target !== 'reconciler'),
    ).toEqual([]);
    expect(
      violations('service/routes', i =>
        ['scheduling', 'layout', 'writers'].includes(folder(i.target)),
      ),
    ).toEqual([]);
  });

  it('nothing but the plugin wiring uses the HTTP layer', () => {
    const outside = ['layout', 'scheduling', 'writers', 'database', 'reconciler'].flatMap(dir =>
      violations(dir, i => folder(i.target) === 'service'),
    );
    expect(outside).toEqual([]);
  });
});
