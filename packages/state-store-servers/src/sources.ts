import path from 'node:path';

/** This package's src folder, where the server scripts (`*.cjs`) live. */
export const SOURCES = path.join(
  path.dirname(require.resolve('@internal/state-store-servers/package.json')),
  'src',
);
