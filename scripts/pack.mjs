#!/usr/bin/env node
// `npm run pack:plugins [-- <dir>]`: builds the six publishable plugin
// packages as npm would publish them and packs each into <dir> (default
// dist/packs). Type declarations come from the root `tsc` (into dist-types),
// which `backstage-cli package build` bundles into each package's dist.
// `--build-only` stops after the builds (the packages test packs with
// --dry-run itself).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const PUBLISHABLE = [
  'plugins/kratix-common',
  'plugins/kratix-node',
  'plugins/kratix-backend',
  'plugins/catalog-backend-module-kratix',
  'plugins/scaffolder-backend-module-kratix',
  'plugins/kratix',
];

const bin = name => path.join(root, 'node_modules', '.bin', name);

function run(cmd, args, cwd) {
  const started = Date.now();
  const result = spawnSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error(`failed (${result.status ?? result.signal}): ${cmd} ${args.join(' ')} in ${cwd}`);
    process.exit(1);
  }
  return Date.now() - started;
}

const args = process.argv.slice(2);
const buildOnly = args.includes('--build-only');
const out = path.resolve(root, args.find(a => !a.startsWith('--')) ?? 'dist/packs');
const started = Date.now();

console.log(`tsc (declarations into dist-types): ${run(bin('tsc'), [], root)} ms`);
for (const dir of PUBLISHABLE) {
  const cwd = path.join(root, dir);
  fs.rmSync(path.join(cwd, 'dist'), { recursive: true, force: true });
  console.log(`build ${dir}: ${run(bin('backstage-cli'), ['package', 'build'], cwd)} ms`);
}
if (!buildOnly) {
  fs.mkdirSync(out, { recursive: true });
  for (const dir of PUBLISHABLE) {
    // npm runs the package's prepack (entry points and exports to dist,
    // config.d.ts to config.schema.json) and postpack (restores package.json).
    run('npm', ['pack', '--pack-destination', out], path.join(root, dir));
  }
  for (const file of fs.readdirSync(out).filter(f => f.endsWith('.tgz'))) {
    console.log(`${file}: ${fs.statSync(path.join(out, file)).size} bytes`);
  }
}
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
