import fs from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { validateKratixEntity } from './validation';

const examples = path.resolve(
  require.resolve('@internal/plugin-kratix-common/package.json'),
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
  it.each(['entities', 'credentials'])('every Kratix entity in examples/%s is valid', dir => {
    const found = entitiesIn(path.join(examples, dir));
    expect(found.length).toBeGreaterThan(0);
    const invalid = found
      .map(([f, e]) => [f, e.metadata.name, validateKratixEntity(e)] as const)
      .filter(([, , r]) => !r.ok)
      .map(([f, name, r]) => `${f} ${name}: ${(r as any).errors.join('; ')}`);
    expect(invalid).toEqual([]);
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
