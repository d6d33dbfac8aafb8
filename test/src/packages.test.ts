import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// The six publishable packages, built once as `npm run pack:plugins` builds
// them, and what `npm pack` would put in each tarball (prepack/postpack run,
// as on publish). No backend starts.
const ROOT = path.resolve(__dirname, '../..');

const PACKAGES: Array<{
  dir: string;
  name: string;
  js: 'cjs' | 'esm' | 'both';
  configSchema?: boolean;
  migrations?: boolean;
}> = [
  { dir: 'plugins/kratix-common', name: '@kratix-destinations/plugin-kratix-common', js: 'both' },
  { dir: 'plugins/kratix-node', name: '@kratix-destinations/plugin-kratix-node', js: 'cjs' },
  {
    dir: 'plugins/kratix-backend',
    name: '@kratix-destinations/plugin-kratix-backend',
    js: 'cjs',
    configSchema: true,
    migrations: true,
  },
  {
    dir: 'plugins/catalog-backend-module-kratix',
    name: '@kratix-destinations/plugin-catalog-backend-module-kratix',
    js: 'cjs',
    migrations: true,
  },
  {
    dir: 'plugins/scaffolder-backend-module-kratix',
    name: '@kratix-destinations/plugin-scaffolder-backend-module-kratix',
    js: 'cjs',
  },
  { dir: 'plugins/kratix', name: '@kratix-destinations/plugin-kratix', js: 'esm' },
];

type PackResult = { name: string; files: Array<{ path: string }> };

/**
 * Packs a copy of the package (its package.json, README, config schema,
 * migrations and build) under .test-results: prepack rewrites package.json,
 * and the real one must not point at dist while other tests start backends.
 * The copy sits inside the repository, so prepack finds backstage-cli.
 */
function packDryRun(dir: string): PackResult {
  const copy = path.join(ROOT, '.test-results', 'pack', path.basename(dir));
  fs.rmSync(copy, { recursive: true, force: true });
  fs.mkdirSync(copy, { recursive: true });
  for (const entry of ['package.json', 'README.md', 'config.d.ts', 'migrations', 'dist']) {
    const from = path.join(ROOT, dir, entry);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(copy, entry), { recursive: true });
  }
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], {
    cwd: copy,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // prepack/postpack print their banners before npm's JSON.
  return JSON.parse(out.slice(out.indexOf('[')))[0];
}

describe('publishable packages', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/pack.mjs'), '--build-only'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }, 600_000);

  it.each(PACKAGES)(
    '$name packs its build, and no tests',
    ({ dir, name, js, configSchema, migrations }) => {
      const packed = packDryRun(dir);
      const files = packed.files.map(f => f.path);
      expect(packed.name).toBe(name);
      expect(files).toContain('package.json');
      expect(files).toContain('README.md');
      const entryPoints = [
        'dist/index.d.ts',
        ...(js === 'esm' ? [] : ['dist/index.cjs.js']),
        ...(js === 'cjs' ? [] : ['dist/index.esm.js']),
      ];
      expect(files).toEqual(expect.arrayContaining(entryPoints));
      expect(files.some(f => /^migrations\/[^/]+\.js$/.test(f))).toBe(Boolean(migrations));
      // CHANGELOG.md joins them once `changeset version` has written it.
      expect(files.filter(f => !/^(dist|migrations)\/|^CHANGELOG\.md$/.test(f)).sort()).toEqual(
        ['README.md', 'package.json', ...(configSchema ? ['config.schema.json'] : [])].sort(),
      );
      expect(
        files.filter(f => /(^|\/)(__testUtils__|__fixtures__|src)\/|\.test\.|fixtures?\b/.test(f)),
      ).toEqual([]);
    },
    120_000,
  );
});
