import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { pruneNulls } from './kinds/common';
import { validateKratixEntity } from './validation';

const examples = path.resolve(
  require.resolve('@kratix-destinations/plugin-kratix-common/package.json'),
  '../../../examples',
);

function entitiesIn(dir: string) {
  return fs
    .readdirSync(dir)
    .filter(f => f.endsWith('.yaml'))
    .flatMap(f =>
      parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map(
        d => [f, d.toJS()] as const,
      ),
    )
    .filter(([, e]) => e?.apiVersion === 'platform.kratix.io/v1alpha1');
}

describe('the shipped examples', () => {
  it.each(['entities', 'credentials', 'kratix-docs'])(
    'every Kratix entity in examples/%s is valid',
    dir => {
      const found = entitiesIn(path.join(examples, dir));
      expect(found.length).toBeGreaterThan(0);
      const invalid = found
        .map(([f, e]) => [f, e.metadata.name, validateKratixEntity(e)] as const)
        .filter(([, , r]) => !r.ok)
        .map(([f, name, r]) => `${f} ${name}: ${(r as any).errors.join('; ')}`);
      expect(invalid).toEqual([]);
    },
  );

  it('every Kratix docs example loads unchanged, including one with insecure set', () => {
    const found = entitiesIn(path.join(examples, 'kratix-docs'));
    const loaded = found.map(([, e]) => [e, validateKratixEntity(e)] as const);
    for (const [given, result] of loaded) {
      // Every field given keeps its value (null ones count as absent, then defaulted).
      expect(result).toMatchObject({ ok: true, entity: { spec: pruneNulls(given.spec) } });
    }
    const insecure = loaded
      .filter(([given]) => given.kind === 'GitStateStore' && 'insecure' in given.spec)
      .map(([given, r]) => [given.spec.insecure, r.ok && (r.entity.spec as any).insecure]);
    expect(insecure).toEqual([
      [true, true],
      [false, false],
      [null, undefined],
    ]);
  });

  it('the credential examples name the four ways to authenticate', () => {
    const specs = entitiesIn(path.join(examples, 'credentials')).map(([, e]) => e.spec);
    expect(specs.map(s => s.authMethod ?? 'integration').sort()).toEqual([
      'IAM',
      'githubApp',
      'integration',
      'ssh',
    ]);
  });
});
