import { parse } from 'yaml';
import { goJoin } from '@internal/plugin-kratix-common';

/** Where a `none`-mode placement lists its files: `<dest>/.kratix/<ns>-<placement>.yaml`. */
export function stateFilePath(destPath: string, namespace: string, placement: string): string {
  return goJoin(`${destPath}/`, '.kratix', `${namespace}-${placement}.yaml`);
}

// Scalars that YAML 1.1 (and so gopkg.in/yaml.v2) would read as something
// other than a string; yaml.v2 double-quotes these.
const NON_STRING_SCALAR =
  /^(?:~|null|Null|NULL|y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|[-+]?(?:0|[1-9][0-9_]*)|0b[01_]+|0x[0-9a-fA-F_]+|0[0-7_]+|[-+]?(?:[0-9][0-9_]*)?\.[0-9.]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|<<)$/;

function plainAllowed(s: string): boolean {
  if (s === '' || /^\s|\s$/.test(s)) return false;
  if (/^[#,[\]{}&*!|>'"%@`]/.test(s)) return false;
  if (/^[-?:](\s|$)/.test(s) || /^(---|\.\.\.)/.test(s)) return false;
  if (/: |:$| #/.test(s)) return false;
  return true;
}

/** One sequence item as gopkg.in/yaml.v2 prints a string. */
function yamlV2String(s: string): string {
  if (NON_STRING_SCALAR.test(s)) return JSON.stringify(s);
  if (plainAllowed(s)) return s;
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * The state file's bytes, as yaml.v2 marshals `struct{Files []string}`:
 * items not indented under the key, `files: []` when empty.
 */
export function renderStateFile(entries: string[]): string {
  if (entries.length === 0) return 'files: []\n';
  return `files:\n${entries.map(e => `- ${yamlV2String(e)}\n`).join('')}`;
}

/** Reads a state file's entries; `what` names the file in errors. */
export function parseStateFile(content: string, what: string): string[] {
  let doc: unknown;
  try {
    doc = parse(content, { version: '1.1' });
  } catch (e) {
    throw new Error(
      `${what}: not valid YAML (${(e as Error).message}); delete it to let it be rewritten`,
    );
  }
  if (doc === null || doc === undefined) return [];
  const files = (doc as any)?.files;
  if (files === undefined || files === null) return [];
  if (!Array.isArray(files)) {
    throw new Error(`${what}: "files" must be a list of paths`);
  }
  return files.map(f => String(f));
}
