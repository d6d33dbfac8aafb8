/*
 * Kratix's `.kratix` state file, byte-exact with gopkg.in/yaml.v2 v2.4.0.
 *
 * Kratix writes `yaml.Marshal(struct{ Files []string `yaml:"files"` })` and
 * reads it back with `yaml.Unmarshal` into the same struct. This module ports
 * the parts of yaml.v2 those two calls go through:
 *
 *  - writing: encode.go (stringv, isBase60Float), resolve.go (resolve and the
 *    Go strconv/time parsing it relies on) and emitterc.go (scalar analysis,
 *    style selection and the plain / single / double / literal writers);
 *  - reading: readerc.go (allowed characters), scannerc.go, parserc.go and
 *    decode.go (node tree, struct/slice/string decoding), so that hand-edited
 *    files are accepted or rejected exactly where Kratix would.
 *
 * The source works on UTF-8 bytes; here a string is handled as an array of
 * code points, which is equivalent because every byte-level test in yaml.v2 is
 * made at the start of a character.
 */

// ---------------------------------------------------------------------------
// Characters (yamlprivateh.go).

const NUL = '\0';

/** Code points of `s`; lone surrogates (not encodable as UTF-8) become U+FFFD, as they would on disk. */
function chars(s: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(s.slice(i, i + 2));
        i++;
        continue;
      }
    }
    out.push(c >= 0xd800 && c <= 0xdfff ? '\ufffd' : s[i]);
  }
  return out;
}

const cp = (c: string): number => c.codePointAt(0) ?? 0;
const isBlank = (c: string): boolean => c === ' ' || c === '\t';
const isBreak = (c: string): boolean =>
  c === '\r' || c === '\n' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const isBreakZ = (c: string): boolean => isBreak(c) || c === NUL;
const isBlankZ = (c: string): boolean => isBlank(c) || isBreakZ(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9' && c.length === 1;
const isAlpha = (c: string): boolean => c.length === 1 && /[0-9A-Za-z_-]/.test(c);
const isHex = (c: string): boolean => c.length === 1 && /[0-9A-Fa-f]/.test(c);
const asHex = (c: string): number => parseInt(c, 16);

/** is_printable: what the emitter may write unescaped. */
function isPrintable(c: string): boolean {
  const v = cp(c);
  return (
    v === 0x0a ||
    (v >= 0x20 && v <= 0x7e) ||
    (v >= 0xa0 && v <= 0xd7ff) ||
    (v >= 0xe000 && v <= 0xfffd && v !== 0xfeff)
  );
}

/** readerc.go's allowed input range; anything else is "control characters are not allowed". */
function isAllowedInput(c: string): boolean {
  const v = cp(c);
  return (
    v === 0x09 ||
    v === 0x0a ||
    v === 0x0d ||
    (v >= 0x20 && v <= 0x7e) ||
    v === 0x85 ||
    (v >= 0xa0 && v <= 0xd7ff) ||
    (v >= 0xe000 && v <= 0xfffd) ||
    (v >= 0x10000 && v <= 0x10ffff)
  );
}

// ---------------------------------------------------------------------------
// Errors. yaml.v2 reports everything as `yaml: ...`; type errors are collected separately.

class YamlFailure extends Error {}

const failf = (message: string): never => {
  throw new YamlFailure(`yaml: ${message}`);
};

interface Mark {
  index: number;
  line: number;
  column: number;
}

/** decode.go parser.fail(): scanner lines are 1-based, parser lines as stored (0-based). */
function syntaxFailure(
  scanner: boolean,
  problem: string,
  problemMark: Mark | undefined,
  contextMark: Mark | undefined,
): never {
  let line = 0;
  if (problemMark && problemMark.line !== 0) {
    line = problemMark.line + (scanner ? 1 : 0);
  } else if (contextMark && contextMark.line !== 0) {
    line = contextMark.line;
  }
  return failf(`${line !== 0 ? `line ${line}: ` : ''}${problem}`);
}

// ---------------------------------------------------------------------------
// Tags and implicit resolution (resolve.go).

const LONG_TAG_PREFIX = 'tag:yaml.org,2002:';
const NULL_TAG = `${LONG_TAG_PREFIX}null`;
const BOOL_TAG = `${LONG_TAG_PREFIX}bool`;
const STR_TAG = `${LONG_TAG_PREFIX}str`;
const INT_TAG = `${LONG_TAG_PREFIX}int`;
const FLOAT_TAG = `${LONG_TAG_PREFIX}float`;
const TIMESTAMP_TAG = `${LONG_TAG_PREFIX}timestamp`;
const BINARY_TAG = `${LONG_TAG_PREFIX}binary`;
const MERGE_TAG = `${LONG_TAG_PREFIX}merge`;

const shortTag = (tag: string): string =>
  tag.startsWith(LONG_TAG_PREFIX) ? `!!${tag.slice(LONG_TAG_PREFIX.length)}` : tag;

const RESOLVE_MAP = new Map<string, string>();
for (const [tag, words] of [
  [BOOL_TAG, 'y Y yes Yes YES true True TRUE on On ON n N no No NO false False FALSE off Off OFF'],
  [NULL_TAG, '~ null Null NULL'],
  [FLOAT_TAG, '.nan .NaN .NAN .inf .Inf .INF +.inf +.Inf +.INF -.inf -.Inf -.INF'],
  [MERGE_TAG, '<<'],
] as const) {
  for (const w of words.split(' ')) RESOLVE_MAP.set(w, tag);
}
RESOLVE_MAP.set('', NULL_TAG);

/** resolveTable: the hint for a first byte (0 for anything else, including non-ASCII). */
function resolveHint(s: string): string {
  if (s === '') return 'N';
  const c = s[0];
  if (c === '+' || c === '-') return 'S';
  if (isDigit(c)) return 'D';
  if ('yYnNtTfFoO~'.includes(c)) return 'M';
  if (c === '.') return '.';
  return '';
}

const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/** strconv's underscoreOK: underscores only between digits (or after a base prefix). */
function underscoreOK(s0: string): boolean {
  let s = s0;
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    if (isDigit(s[i]) || (hex && /[a-fA-F]/.test(s[i]))) {
      saw = '0';
      continue;
    }
    if (s[i] === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

const MAX_UINT64 = (1n << 64n) - 1n;

/** strconv.ParseUint(s, base, 64): the value, or undefined on a syntax or range error. */
function parseUint(s0: string, base0: number): bigint | undefined {
  if (s0 === '') return undefined;
  let s = s0;
  let base = base0;
  if (base0 === 0) {
    base = 10;
    if (s[0] === '0') {
      const p = s.length >= 3 ? s[1].toLowerCase() : '';
      if (p === 'b') [base, s] = [2, s.slice(2)];
      else if (p === 'o') [base, s] = [8, s.slice(2)];
      else if (p === 'x') [base, s] = [16, s.slice(2)];
      else [base, s] = [8, s.slice(1)];
    }
  }
  let n = 0n;
  let underscores = false;
  for (const c of s) {
    if (c === '_' && base0 === 0) {
      underscores = true;
      continue;
    }
    let d: number;
    if (isDigit(c)) d = c.charCodeAt(0) - 48;
    else if (/^[a-zA-Z]$/.test(c)) d = c.toLowerCase().charCodeAt(0) - 87;
    else return undefined;
    if (d >= base) return undefined;
    n = n * BigInt(base) + BigInt(d);
    if (n > MAX_UINT64) return undefined;
  }
  if (underscores && !underscoreOK(s0)) return undefined;
  return n;
}

/** strconv.ParseInt(s, base, 64) succeeds. */
function parseIntOk(s: string, base: number): boolean {
  if (s === '') return false;
  const neg = s[0] === '-';
  const un = parseUint(s[0] === '+' || s[0] === '-' ? s.slice(1) : s, base);
  if (un === undefined) return false;
  return neg ? un <= 1n << 63n : un < 1n << 63n;
}

/**
 * strconv.ParseFloat(s, 64) succeeds, for the inputs resolve gives it: text
 * starting with '.', or text already matching YAML_STYLE_FLOAT. Neither can
 * be Go's inf/nan spellings or a hex float, so only decimal syntax (with Go's
 * digit-separating underscores) and overflow to ±Inf (ErrRange) matter.
 */
function parseFloatOk(s: string): boolean {
  let i = 0;
  let underscores = false;
  if (s[i] === '+' || s[i] === '-') i++;
  let sawdot = false;
  let sawdigits = false;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '_') underscores = true;
    else if (c === '.') {
      if (sawdot) break;
      sawdot = true;
    } else if (isDigit(c)) sawdigits = true;
    else break;
  }
  if (!sawdigits) return false;
  if (i < s.length && (s[i] === 'e' || s[i] === 'E')) {
    i++;
    if (i >= s.length) return false;
    if (s[i] === '+' || s[i] === '-') i++;
    if (i >= s.length || !isDigit(s[i])) return false;
    for (; i < s.length && (isDigit(s[i]) || s[i] === '_'); i++) {
      if (s[i] === '_') underscores = true;
    }
  }
  if (i !== s.length) return false;
  if (underscores && !underscoreOK(s)) return false;
  // Go rounds correctly and reports ErrRange exactly when the result is ±Inf; so does Number().
  return Number.isFinite(Number(s.replace(/_/g, '')));
}

const TS_DATE = /^(\d{4})-(\d\d?)-(\d\d?)$/;
const TS_ISO =
  /^(\d{4})-(\d\d?)-(\d\d?)[Tt](\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?(?:Z|[+-](\d\d):(\d\d))$/;
const TS_SPACED = /^(\d{4})-(\d\d?)-(\d\d?) +(\d\d?):(\d\d?):(\d\d?)(?:[.,]\d+)?$/;

/**
 * parseTimestamp: time.Parse with yaml.v2's four layouts ("2006-1-2T15:4:5.999999999Z07:00",
 * the same with "t", "2006-1-2 15:4:5.999999999" and "2006-1-2"), including Go's range checks.
 * A layout space matches one or more spaces; fractions may use '.' or ','.
 */
function isGoTimestamp(s: string): boolean {
  const m = TS_ISO.exec(s) ?? TS_SPACED.exec(s) ?? TS_DATE.exec(s);
  if (!m) return false;
  const [year, month, day, hour = 0, min = 0, sec = 0] = m.slice(1, 7).map(x => Number(x ?? 0));
  if (month < 1 || month > 12 || hour >= 24 || min >= 60 || sec >= 60) return false;
  if (m[7] !== undefined && (Number(m[7]) > 24 || Number(m[8]) > 60)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return day >= 1 && day <= days;
}

/** The tag resolve(tag, in) arrives at, before its tag-compatibility check. */
function resolveTag(tag: string, s: string): string {
  const hint = resolveHint(s);
  if (hint !== '' && tag !== STR_TAG && tag !== BINARY_TAG) {
    const known = RESOLVE_MAP.get(s);
    if (known !== undefined) return known;
    if (hint === '.') {
      if (parseFloatOk(s)) return FLOAT_TAG;
    } else if (hint === 'D' || hint === 'S') {
      if ((tag === '' || tag === TIMESTAMP_TAG) && isGoTimestamp(s)) return TIMESTAMP_TAG;
      const plain = s.replace(/_/g, '');
      if (parseIntOk(plain, 0) || parseUint(plain, 0) !== undefined) return INT_TAG;
      if (YAML_STYLE_FLOAT.test(plain) && parseFloatOk(plain)) return FLOAT_TAG;
      if (plain.startsWith('0b')) {
        const digits = plain.slice(2);
        if (parseIntOk(digits, 2) || parseUint(digits, 2) !== undefined) return INT_TAG;
      } else if (plain.startsWith('-0b')) {
        if (parseIntOk(`-${plain.slice(3)}`, 2)) return INT_TAG;
      }
    }
  }
  return STR_TAG;
}

const RESOLVABLE_TAGS = new Set([
  '',
  STR_TAG,
  BOOL_TAG,
  INT_TAG,
  FLOAT_TAG,
  NULL_TAG,
  TIMESTAMP_TAG,
]);

/** resolve(tag, in)'s resulting tag, failing where yaml.v2 does ("cannot decode ..."). */
function resolve(tag: string, s: string): string {
  if (!RESOLVABLE_TAGS.has(tag)) return tag;
  const rtag = resolveTag(tag, s);
  if (tag === '' || tag === rtag || tag === STR_TAG) return rtag;
  if (tag === FLOAT_TAG && rtag === INT_TAG) return FLOAT_TAG;
  return failf(`cannot decode ${shortTag(rtag)} \`${s}\` as a ${shortTag(tag)}`);
}

// ---------------------------------------------------------------------------
// Writing (encode.go stringv + emitterc.go).

const BEST_WIDTH = 80;
const BEST_INDENT = 2;
/**
 * The emitter's indent while writing an item's scalar: the sequence sits,
 * indentless, at the mapping's indent 0, and a scalar adds best_indent.
 */
const ITEM_INDENT = BEST_INDENT;

class Emitter {
  out = '';
  column = 0;
  whitespace = true;
  indention = true;

  /** put / write: one character, one column (yaml.v2 counts characters, not bytes). */
  write(c: string): void {
    this.out += c;
    this.column++;
  }

  putBreak(): void {
    this.out += '\n';
    this.column = 0;
  }

  writeBreak(c: string): void {
    if (c === '\n') {
      this.putBreak();
    } else {
      this.write(c);
      this.column = 0;
    }
  }

  writeIndent(indent: number): void {
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.putBreak();
    }
    while (this.column < indent) this.write(' ');
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.write(' ');
    for (const c of indicator) this.write(c);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }
}

interface ScalarAnalysis {
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

const LEADING_INDICATORS = new Set([...'#,[]{}&*!|>\'"%@`']);

interface ScalarFlags {
  blockIndicators: boolean;
  lineBreaks: boolean;
  specialCharacters: boolean;
  leadingSpace: boolean;
  leadingBreak: boolean;
  trailingSpace: boolean;
  trailingBreak: boolean;
  breakSpace: boolean;
  spaceBreak: boolean;
}

/** The indicator half of yaml_emitter_analyze_scalar's loop. */
function hasBlockIndicators(v: string[]): boolean {
  const head = v.slice(0, 3).join('');
  if (head === '---' || head === '...') return true;
  let precededByWhitespace = true;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    const followedByWhitespace = i + 1 >= v.length || isBlank(v[i + 1]);
    if (i === 0) {
      if (LEADING_INDICATORS.has(c)) return true;
      if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) return true;
    } else if (c === ':' && followedByWhitespace) {
      return true;
    } else if (c === '#' && precededByWhitespace) {
      return true;
    }
    precededByWhitespace = isBlankZ(c);
  }
  return false;
}

/** The space and break half of yaml_emitter_analyze_scalar's loop. */
function scanScalarFlags(v: string[]): ScalarFlags {
  const f: ScalarFlags = {
    blockIndicators: hasBlockIndicators(v),
    lineBreaks: false,
    specialCharacters: false,
    leadingSpace: false,
    leadingBreak: false,
    trailingSpace: false,
    trailingBreak: false,
    breakSpace: false,
    spaceBreak: false,
  };
  let previousSpace = false;
  let previousBreak = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    const last = i === v.length - 1;
    if (!isPrintable(c)) f.specialCharacters = true;
    if (c === ' ') {
      if (i === 0) f.leadingSpace = true;
      if (last) f.trailingSpace = true;
      if (previousBreak) f.breakSpace = true;
    } else if (isBreak(c)) {
      f.lineBreaks = true;
      if (i === 0) f.leadingBreak = true;
      if (last) f.trailingBreak = true;
      if (previousSpace) f.spaceBreak = true;
    }
    previousSpace = c === ' ';
    previousBreak = isBreak(c);
  }
  return f;
}

/** yaml_emitter_analyze_scalar, for the block context (flow_plain_allowed is never consulted). */
function analyzeScalar(v: string[]): ScalarAnalysis {
  if (v.length === 0) {
    return { blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  const f = scanScalarFlags(v);
  const a = { blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: true };
  if (f.leadingSpace || f.leadingBreak || f.trailingSpace || f.trailingBreak)
    a.blockPlainAllowed = false;
  if (f.trailingSpace) a.blockAllowed = false;
  if (f.breakSpace) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
  }
  if (f.spaceBreak || f.specialCharacters) {
    a.blockPlainAllowed = false;
    a.singleQuotedAllowed = false;
    a.blockAllowed = false;
  }
  if (f.lineBreaks || f.blockIndicators) a.blockPlainAllowed = false;
  return a;
}

function writePlain(e: Emitter, v: string[]): void {
  if (!e.whitespace) e.write(' ');
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === ' ') {
      if (!spaces && e.column > BEST_WIDTH && v[i + 1] !== ' ') e.writeIndent(ITEM_INDENT);
      else e.write(c);
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === '\n') e.putBreak();
      e.writeBreak(c);
      e.indention = true;
      breaks = true;
    } else {
      if (breaks) e.writeIndent(ITEM_INDENT);
      e.write(c);
      e.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  e.whitespace = false;
  e.indention = false;
}

function writeSingleQuoted(e: Emitter, v: string[]): void {
  e.writeIndicator("'", true, false, false);
  let spaces = false;
  let breaks = false;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === ' ') {
      if (!spaces && e.column > BEST_WIDTH && i > 0 && i < v.length - 1 && v[i + 1] !== ' ') {
        e.writeIndent(ITEM_INDENT);
      } else {
        e.write(c);
      }
      spaces = true;
    } else if (isBreak(c)) {
      if (!breaks && c === '\n') e.putBreak();
      e.writeBreak(c);
      e.indention = true;
      breaks = true;
    } else {
      if (breaks) e.writeIndent(ITEM_INDENT);
      if (c === "'") e.write("'");
      e.write(c);
      e.indention = false;
      spaces = false;
      breaks = false;
    }
  }
  e.writeIndicator("'", false, false, false);
  e.whitespace = false;
  e.indention = false;
}

const SHORT_ESCAPES: Record<number, string> = {
  0x00: '0',
  0x07: 'a',
  0x08: 'b',
  0x09: 't',
  0x0a: 'n',
  0x0b: 'v',
  0x0c: 'f',
  0x0d: 'r',
  0x1b: 'e',
  0x22: '"',
  0x5c: '\\',
  0x85: 'N',
  0xa0: '_',
  0x2028: 'L',
  0x2029: 'P',
};

function writeDoubleQuoted(e: Emitter, v: string[]): void {
  // is_bom(value, i) ignores i: a value starting with a BOM has every character escaped.
  const startsWithBom = v[0] === '\ufeff';
  let spaces = false;
  e.writeIndicator('"', true, false, false);
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (!isPrintable(c) || startsWithBom || isBreak(c) || c === '"' || c === '\\') {
      const code = cp(c);
      let escape = SHORT_ESCAPES[code];
      if (escape === undefined) {
        let [letter, width] = ['U', 8];
        if (code <= 0xff) [letter, width] = ['x', 2];
        else if (code <= 0xffff) [letter, width] = ['u', 4];
        escape = letter + code.toString(16).toUpperCase().padStart(width, '0');
      }
      for (const x of `\\${escape}`) e.write(x);
      spaces = false;
    } else if (c === ' ') {
      if (!spaces && e.column > BEST_WIDTH && i > 0 && i < v.length - 1) {
        e.writeIndent(ITEM_INDENT);
        // A folded line's leading space would be eaten on reading; escape it.
        if (v[i + 1] === ' ') e.write('\\');
      } else {
        e.write(c);
      }
      spaces = true;
    } else {
      e.write(c);
      spaces = false;
    }
  }
  e.writeIndicator('"', false, false, false);
  e.whitespace = false;
  e.indention = false;
}

function writeLiteral(e: Emitter, v: string[]): void {
  e.writeIndicator('|', true, false, false);
  // yaml_emitter_write_block_scalar_hints (the value is never empty here: it holds a '\n').
  if (v[0] === ' ' || isBreak(v[0])) e.writeIndicator(String(BEST_INDENT), false, false, false);
  const n = v.length;
  let chomp = '';
  if (!isBreak(v[n - 1])) chomp = '-';
  else if (n === 1 || isBreak(v[n - 2])) chomp = '+';
  if (chomp) e.writeIndicator(chomp, false, false, false);
  e.putBreak();
  e.indention = true;
  e.whitespace = true;
  let breaks = true;
  for (const c of v) {
    if (isBreak(c)) {
      e.writeBreak(c);
      e.indention = true;
      breaks = true;
    } else {
      if (breaks) e.writeIndent(ITEM_INDENT);
      e.write(c);
      e.indention = false;
      breaks = false;
    }
  }
}

/** One sequence item: the style stringv asks for, as yaml_emitter_select_scalar_style settles it. */
function writeItem(e: Emitter, entry: string): void {
  const v = chars(entry);
  const s = v.join('');
  const canUsePlain = resolve('', s) === STR_TAG && !(/^[-+0-9]/.test(s) && BASE60_FLOAT.test(s));
  let style: 'plain' | 'single' | 'double' | 'literal';
  if (s.includes('\n')) style = 'literal';
  else if (canUsePlain) style = 'plain';
  else style = 'double';

  const a = analyzeScalar(v);
  if (style === 'plain' && !a.blockPlainAllowed) style = 'single';
  if (style === 'single' && !a.singleQuotedAllowed) style = 'double';
  if (style === 'literal' && !a.blockAllowed) style = 'double';

  if (style === 'plain') writePlain(e, v);
  else if (style === 'single') writeSingleQuoted(e, v);
  else if (style === 'double') writeDoubleQuoted(e, v);
  else writeLiteral(e, v);
}

/** yaml.v2's Marshal of struct{Files []string `yaml:"files"`}. */
export function renderStateFile(entries: string[]): string {
  const e = new Emitter();
  // The key: a plain "files" at indent 0, then the ':' value indicator.
  e.writeIndent(0);
  for (const c of 'files') e.write(c);
  e.whitespace = false;
  e.indention = false;
  e.writeIndicator(':', false, false, false);
  if (entries.length === 0) {
    // An empty sequence is always emitted in flow style.
    e.writeIndicator('[', true, true, false);
    e.writeIndicator(']', false, false, false);
  } else {
    for (const entry of entries) {
      e.writeIndent(0);
      e.writeIndicator('-', true, false, true);
      writeItem(e, entry);
    }
  }
  // Document end.
  e.writeIndent(0);
  return e.out;
}

// ---------------------------------------------------------------------------
// Reading: scanner (scannerc.go).

type TokenType =
  | 'STREAM-START'
  | 'STREAM-END'
  | 'VERSION-DIRECTIVE'
  | 'TAG-DIRECTIVE'
  | 'DOCUMENT-START'
  | 'DOCUMENT-END'
  | 'BLOCK-SEQUENCE-START'
  | 'BLOCK-MAPPING-START'
  | 'BLOCK-END'
  | 'FLOW-SEQUENCE-START'
  | 'FLOW-SEQUENCE-END'
  | 'FLOW-MAPPING-START'
  | 'FLOW-MAPPING-END'
  | 'BLOCK-ENTRY'
  | 'FLOW-ENTRY'
  | 'KEY'
  | 'VALUE'
  | 'ALIAS'
  | 'ANCHOR'
  | 'TAG'
  | 'SCALAR';

interface Token {
  type: TokenType;
  start: Mark;
  end: Mark;
  /** Scalar text, anchor/alias name, tag handle, or %TAG handle. */
  value: string;
  /** Tag suffix, or %TAG prefix. */
  suffix: string;
  plain: boolean;
  major: number;
  minor: number;
}

interface SimpleKey {
  possible: boolean;
  required: boolean;
  tokenNumber: number;
  mark: Mark;
}

const MAX_FLOW_LEVEL = 10000;
const MAX_INDENTS = 10000;

function utf8Width(octet: number): number {
  if ((octet & 0x80) === 0) return 1;
  if ((octet & 0xe0) === 0xc0) return 2;
  if ((octet & 0xf0) === 0xe0) return 3;
  if ((octet & 0xf8) === 0xf0) return 4;
  return 0;
}

class Scanner {
  private readonly b: string[];
  private p = 0;
  private mark: Mark = { index: 0, line: 0, column: 0 };

  private readonly tokens: Token[] = [];
  private head = 0;
  private tokensParsed = 0;
  private tokenAvailable = false;
  private streamStartProduced = false;

  private indent = -1;
  private readonly indents: number[] = [];
  private simpleKeyAllowed = false;
  private readonly simpleKeys: SimpleKey[] = [];
  private readonly simpleKeysByTok = new Map<number, number>();
  private flowLevel = 0;

  constructor(content: string) {
    // newParser: an empty document is read as a single line break.
    let b = chars(content === '' ? '\n' : content);
    // The reader drops a leading UTF-8 BOM.
    if (b[0] === '\ufeff') b = b.slice(1);
    // The reader rejects these as it fills its buffer; checked up front here.
    if (!b.every(isAllowedInput)) failf('control characters are not allowed');
    this.b = b;
  }

  // --- buffer

  private ch(k = 0): string {
    return this.b[this.p + k] ?? NUL;
  }

  private copyMark(): Mark {
    return { ...this.mark };
  }

  private skip(): void {
    this.mark.index++;
    this.mark.column++;
    this.p++;
  }

  private skipLine(): void {
    if (this.ch() === '\r' && this.ch(1) === '\n') {
      this.mark.index += 2;
      this.mark.column = 0;
      this.mark.line++;
      this.p += 2;
    } else if (isBreak(this.ch())) {
      this.mark.index++;
      this.mark.column = 0;
      this.mark.line++;
      this.p++;
    }
  }

  private read(s: string): string {
    const c = this.ch();
    this.skip();
    return s + c;
  }

  /** read_line: CR LF, CR, LF and NEL become '\n'; LS and PS are kept. */
  private readLine(s: string): string {
    const c = this.ch();
    let out: string;
    if (c === '\r' && this.ch(1) === '\n') {
      out = `${s}\n`;
      this.p += 2;
      this.mark.index++;
    } else if (c === '\r' || c === '\n' || c === '\u0085') {
      out = `${s}\n`;
      this.p++;
    } else if (c === '\u2028' || c === '\u2029') {
      out = s + c;
      this.p++;
    } else {
      return s;
    }
    this.mark.index++;
    this.mark.column = 0;
    this.mark.line++;
    return out;
  }

  /** `context` mirrors the source for reading alongside it; yaml.v2's message omits it. */
  private error(context: string, contextMark: Mark, problem: string): never {
    void context;
    return syntaxFailure(true, problem, this.mark, contextMark);
  }

  private tagError(directive: boolean, contextMark: Mark, problem: string): never {
    return this.error(
      directive ? 'while parsing a %TAG directive' : 'while parsing a tag',
      contextMark,
      problem,
    );
  }

  // --- token queue

  peekToken(): Token {
    if (!this.tokenAvailable) this.fetchMoreTokens();
    return this.tokens[this.head];
  }

  skipToken(): void {
    this.tokenAvailable = false;
    this.tokensParsed++;
    this.head++;
  }

  private token(type: TokenType, start: Mark, end: Mark, extra: Partial<Token> = {}): Token {
    return { type, start, end, value: '', suffix: '', plain: false, major: 0, minor: 0, ...extra };
  }

  /** yaml_insert_token: a negative position appends. */
  private insertToken(pos: number, token: Token): void {
    if (pos < 0) this.tokens.push(token);
    else this.tokens.splice(this.head + pos, 0, token);
  }

  private fetchMoreTokens(): void {
    for (;;) {
      if (this.head !== this.tokens.length) {
        const idx = this.simpleKeysByTok.get(this.tokensParsed);
        if (idx === undefined || !this.simpleKeyIsValid(this.simpleKeys[idx])) break;
      }
      this.fetchNextToken();
    }
    this.tokenAvailable = true;
  }

  private fetchNextToken(): void {
    if (!this.streamStartProduced) {
      this.fetchStreamStart();
      return;
    }
    this.scanToNextToken();
    this.unrollIndent(this.mark.column);
    this.fetcher()();
  }

  /** yaml_parser_fetch_next_token's dispatch on the character at hand. */
  private fetcher(): () => void {
    const c = this.ch();
    const next = this.ch(1);
    const col0 = this.mark.column === 0;
    const three = c + next + this.ch(2);
    const block = this.flowLevel === 0;
    if (c === NUL) return () => this.fetchStreamEnd();
    if (col0 && c === '%') return () => this.fetchDirective();
    if (col0 && three === '---' && isBlankZ(this.ch(3))) {
      return () => this.fetchDocumentIndicator('DOCUMENT-START');
    }
    if (col0 && three === '...' && isBlankZ(this.ch(3))) {
      return () => this.fetchDocumentIndicator('DOCUMENT-END');
    }
    if (c === '[') return () => this.fetchFlowCollectionStart('FLOW-SEQUENCE-START');
    if (c === '{') return () => this.fetchFlowCollectionStart('FLOW-MAPPING-START');
    if (c === ']') return () => this.fetchFlowCollectionEnd('FLOW-SEQUENCE-END');
    if (c === '}') return () => this.fetchFlowCollectionEnd('FLOW-MAPPING-END');
    if (c === ',') return () => this.fetchFlowEntry();
    if (c === '-' && isBlankZ(next)) return () => this.fetchBlockEntry();
    if (c === '?' && (!block || isBlankZ(next))) return () => this.fetchKey();
    if (c === ':' && (!block || isBlankZ(next))) return () => this.fetchValue();
    if (c === '*') return () => this.fetchAnchor('ALIAS');
    if (c === '&') return () => this.fetchAnchor('ANCHOR');
    if (c === '!') return () => this.fetchTag();
    if (c === '|' && block) return () => this.fetchBlockScalar(true);
    if (c === '>' && block) return () => this.fetchBlockScalar(false);
    if (c === "'") return () => this.fetchFlowScalar(true);
    if (c === '"') return () => this.fetchFlowScalar(false);
    if (
      !(isBlankZ(c) || '-?:,[]{}#&*!|>\'"%@`'.includes(c)) ||
      (c === '-' && !isBlank(next)) ||
      (block && (c === '?' || c === ':') && !isBlankZ(next))
    ) {
      return () => this.fetchPlainScalar();
    }
    return this.error(
      'while scanning for the next token',
      this.copyMark(),
      'found character that cannot start any token',
    );
  }

  // --- simple keys, flow levels, indentation

  private simpleKeyIsValid(key: SimpleKey): boolean {
    if (!key.possible) return false;
    if (key.mark.line < this.mark.line || key.mark.index + 1024 < this.mark.index) {
      if (key.required) {
        this.error('while scanning a simple key', key.mark, "could not find expected ':'");
      }
      key.possible = false;
      return false;
    }
    return true;
  }

  private saveSimpleKey(): void {
    const required = this.flowLevel === 0 && this.indent === this.mark.column;
    if (this.simpleKeyAllowed) {
      const key: SimpleKey = {
        possible: true,
        required,
        tokenNumber: this.tokensParsed + (this.tokens.length - this.head),
        mark: this.copyMark(),
      };
      this.removeSimpleKey();
      this.simpleKeys[this.simpleKeys.length - 1] = key;
      this.simpleKeysByTok.set(key.tokenNumber, this.simpleKeys.length - 1);
    }
  }

  private removeSimpleKey(): void {
    const key = this.simpleKeys[this.simpleKeys.length - 1];
    if (key.possible) {
      if (key.required) {
        this.error('while scanning a simple key', key.mark, "could not find expected ':'");
      }
      key.possible = false;
      this.simpleKeysByTok.delete(key.tokenNumber);
    }
  }

  private increaseFlowLevel(): void {
    this.simpleKeys.push({
      possible: false,
      required: false,
      tokenNumber: this.tokensParsed + (this.tokens.length - this.head),
      mark: this.copyMark(),
    });
    this.flowLevel++;
    if (this.flowLevel > MAX_FLOW_LEVEL) {
      this.error(
        'while increasing flow level',
        this.simpleKeys[this.simpleKeys.length - 1].mark,
        `exceeded max depth of ${MAX_FLOW_LEVEL}`,
      );
    }
  }

  private decreaseFlowLevel(): void {
    if (this.flowLevel > 0) {
      this.flowLevel--;
      const key = this.simpleKeys.pop()!;
      this.simpleKeysByTok.delete(key.tokenNumber);
    }
  }

  private rollIndent(column: number, number: number, type: TokenType, mark: Mark): void {
    if (this.flowLevel > 0) return;
    if (this.indent < column) {
      this.indents.push(this.indent);
      this.indent = column;
      if (this.indents.length > MAX_INDENTS) {
        this.error(
          'while increasing indent level',
          this.simpleKeys[this.simpleKeys.length - 1].mark,
          `exceeded max depth of ${MAX_INDENTS}`,
        );
      }
      const pos = number > -1 ? number - this.tokensParsed : number;
      this.insertToken(pos, this.token(type, mark, mark));
    }
  }

  private unrollIndent(column: number): void {
    if (this.flowLevel > 0) return;
    while (this.indent > column) {
      this.insertToken(-1, this.token('BLOCK-END', this.copyMark(), this.copyMark()));
      this.indent = this.indents.pop()!;
    }
  }

  // --- fetchers

  private fetchStreamStart(): void {
    this.indent = -1;
    this.simpleKeys.push({
      possible: false,
      required: false,
      tokenNumber: 0,
      mark: this.copyMark(),
    });
    this.simpleKeyAllowed = true;
    this.streamStartProduced = true;
    this.insertToken(-1, this.token('STREAM-START', this.copyMark(), this.copyMark()));
  }

  private fetchStreamEnd(): void {
    if (this.mark.column !== 0) {
      this.mark.column = 0;
      this.mark.line++;
    }
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.token('STREAM-END', this.copyMark(), this.copyMark()));
  }

  private fetchDirective(): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.scanDirective());
  }

  private fetchDocumentIndicator(type: TokenType): void {
    this.unrollIndent(-1);
    this.removeSimpleKey();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    this.skip();
    this.skip();
    this.insertToken(-1, this.token(type, start, this.copyMark()));
  }

  private fetchFlowCollectionStart(type: TokenType): void {
    this.saveSimpleKey();
    this.increaseFlowLevel();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token(type, start, this.copyMark()));
  }

  private fetchFlowCollectionEnd(type: TokenType): void {
    this.removeSimpleKey();
    this.decreaseFlowLevel();
    this.simpleKeyAllowed = false;
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token(type, start, this.copyMark()));
  }

  private fetchFlowEntry(): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token('FLOW-ENTRY', start, this.copyMark()));
  }

  private fetchBlockEntry(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) {
        this.error('', this.copyMark(), 'block sequence entries are not allowed in this context');
      }
      this.rollIndent(this.mark.column, -1, 'BLOCK-SEQUENCE-START', this.copyMark());
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token('BLOCK-ENTRY', start, this.copyMark()));
  }

  private fetchKey(): void {
    if (this.flowLevel === 0) {
      if (!this.simpleKeyAllowed) {
        this.error('', this.copyMark(), 'mapping keys are not allowed in this context');
      }
      this.rollIndent(this.mark.column, -1, 'BLOCK-MAPPING-START', this.copyMark());
    }
    this.removeSimpleKey();
    this.simpleKeyAllowed = this.flowLevel === 0;
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token('KEY', start, this.copyMark()));
  }

  private fetchValue(): void {
    const key = this.simpleKeys[this.simpleKeys.length - 1];
    if (this.simpleKeyIsValid(key)) {
      this.insertToken(key.tokenNumber - this.tokensParsed, this.token('KEY', key.mark, key.mark));
      this.rollIndent(key.mark.column, key.tokenNumber, 'BLOCK-MAPPING-START', key.mark);
      key.possible = false;
      this.simpleKeysByTok.delete(key.tokenNumber);
      this.simpleKeyAllowed = false;
    } else {
      if (this.flowLevel === 0) {
        if (!this.simpleKeyAllowed) {
          this.error('', this.copyMark(), 'mapping values are not allowed in this context');
        }
        this.rollIndent(this.mark.column, -1, 'BLOCK-MAPPING-START', this.copyMark());
      }
      this.simpleKeyAllowed = this.flowLevel === 0;
    }
    const start = this.copyMark();
    this.skip();
    this.insertToken(-1, this.token('VALUE', start, this.copyMark()));
  }

  private fetchAnchor(type: TokenType): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.scanAnchor(type));
  }

  private fetchTag(): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.scanTag());
  }

  private fetchBlockScalar(literal: boolean): void {
    this.removeSimpleKey();
    this.simpleKeyAllowed = true;
    this.insertToken(-1, this.scanBlockScalar(literal));
  }

  private fetchFlowScalar(single: boolean): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.scanFlowScalar(single));
  }

  private fetchPlainScalar(): void {
    this.saveSimpleKey();
    this.simpleKeyAllowed = false;
    this.insertToken(-1, this.scanPlainScalar());
  }

  // --- scanners

  private scanToNextToken(): void {
    for (;;) {
      // go-yaml's is_bom() looks at the start of its buffer rather than the
      // position; this checks the position, as libyaml intends.
      if (this.mark.column === 0 && this.ch() === '\ufeff') this.skip();
      while (
        this.ch() === ' ' ||
        ((this.flowLevel > 0 || !this.simpleKeyAllowed) && this.ch() === '\t')
      ) {
        this.skip();
      }
      if (this.ch() === '#') {
        while (!isBreakZ(this.ch())) this.skip();
      }
      if (!isBreak(this.ch())) break;
      this.skipLine();
      if (this.flowLevel === 0) this.simpleKeyAllowed = true;
    }
  }

  private scanDirective(): Token {
    const start = this.copyMark();
    this.skip();
    let name = '';
    while (isAlpha(this.ch())) name = this.read(name);
    if (name === '') {
      this.error('while scanning a directive', start, 'could not find expected directive name');
    }
    if (!isBlankZ(this.ch())) {
      this.error(
        'while scanning a directive',
        start,
        'found unexpected non-alphabetical character',
      );
    }

    let token: Token;
    if (name === 'YAML') token = this.scanVersionDirective(start);
    else if (name === 'TAG') token = this.scanTagDirective(start);
    else return this.error('while scanning a directive', start, 'found unknown directive name');

    while (isBlank(this.ch())) this.skip();
    if (this.ch() === '#') {
      while (!isBreakZ(this.ch())) this.skip();
    }
    if (!isBreakZ(this.ch())) {
      this.error(
        'while scanning a directive',
        start,
        'did not find expected comment or line break',
      );
    }
    if (isBreak(this.ch())) this.skipLine();
    return token;
  }

  private scanVersionDirective(start: Mark): Token {
    while (isBlank(this.ch())) this.skip();
    const major = this.scanVersionNumber(start);
    if (this.ch() !== '.') {
      this.error(
        'while scanning a %YAML directive',
        start,
        "did not find expected digit or '.' character",
      );
    }
    this.skip();
    const minor = this.scanVersionNumber(start);
    return this.token('VERSION-DIRECTIVE', start, this.copyMark(), { major, minor });
  }

  private scanTagDirective(start: Mark): Token {
    while (isBlank(this.ch())) this.skip();
    const handle = this.scanTagHandle(true, start);
    if (!isBlank(this.ch())) {
      this.error('while scanning a %TAG directive', start, 'did not find expected whitespace');
    }
    while (isBlank(this.ch())) this.skip();
    const prefix = this.scanTagUri(true, '', start);
    if (!isBlankZ(this.ch())) {
      this.error(
        'while scanning a %TAG directive',
        start,
        'did not find expected whitespace or line break',
      );
    }
    return this.token('TAG-DIRECTIVE', start, this.copyMark(), { value: handle, suffix: prefix });
  }

  private scanVersionNumber(start: Mark): number {
    let value = 0;
    let length = 0;
    while (isDigit(this.ch())) {
      length++;
      if (length > 2) {
        this.error(
          'while scanning a %YAML directive',
          start,
          'found extremely long version number',
        );
      }
      value = value * 10 + Number(this.ch());
      this.skip();
    }
    if (length === 0) {
      this.error('while scanning a %YAML directive', start, 'did not find expected version number');
    }
    return value;
  }

  private scanAnchor(type: TokenType): Token {
    const start = this.copyMark();
    this.skip();
    let s = '';
    while (isAlpha(this.ch())) s = this.read(s);
    const end = this.copyMark();
    const c = this.ch();
    if (s === '' || !(isBlankZ(c) || '?:,]}%@`'.includes(c))) {
      this.error(
        type === 'ANCHOR' ? 'while scanning an anchor' : 'while scanning an alias',
        start,
        'did not find expected alphabetic or numeric character',
      );
    }
    return this.token(type, start, end, { value: s });
  }

  private scanTag(): Token {
    const start = this.copyMark();
    let handle: string;
    let suffix: string;
    if (this.ch(1) === '<') {
      handle = '';
      this.skip();
      this.skip();
      suffix = this.scanTagUri(false, '', start);
      if (this.ch() !== '>') {
        this.error('while scanning a tag', start, "did not find the expected '>'");
      }
      this.skip();
    } else {
      handle = this.scanTagHandle(false, start);
      if (handle[0] === '!' && handle.length > 1 && handle.endsWith('!')) {
        suffix = this.scanTagUri(false, '', start);
      } else {
        suffix = this.scanTagUri(false, handle, start);
        handle = '!';
        // The '!' tag on its own: handle '', suffix '!'.
        if (suffix.length === 0) [handle, suffix] = [suffix, handle];
      }
    }
    if (!isBlankZ(this.ch())) {
      this.error('while scanning a tag', start, 'did not find expected whitespace or line break');
    }
    return this.token('TAG', start, this.copyMark(), { value: handle, suffix });
  }

  private scanTagHandle(directive: boolean, start: Mark): string {
    if (this.ch() !== '!') this.tagError(directive, start, "did not find expected '!'");
    let s = this.read('');
    while (isAlpha(this.ch())) s = this.read(s);
    if (this.ch() === '!') {
      s = this.read(s);
    } else if (directive && s !== '!') {
      this.tagError(directive, start, "did not find expected '!'");
    }
    return s;
  }

  private scanTagUri(directive: boolean, head: string, start: Mark): string {
    const bytes: number[] = [];
    let hasTag = head.length > 0;
    for (const c of head.slice(1)) bytes.push(c.charCodeAt(0));
    while (isAlpha(this.ch()) || ";/?:@&=+$,.!~*'()[]%".includes(this.ch())) {
      if (this.ch() === '%') {
        this.scanUriEscapes(directive, start, bytes);
      } else {
        bytes.push(this.ch().charCodeAt(0));
        this.skip();
      }
      hasTag = true;
    }
    if (!hasTag) this.tagError(directive, start, 'did not find expected tag URI');
    return Buffer.from(bytes).toString('utf8');
  }

  private scanUriEscapes(directive: boolean, start: Mark, bytes: number[]): void {
    let w = 1024;
    while (w > 0) {
      if (!(this.ch() === '%' && isHex(this.ch(1)) && isHex(this.ch(2)))) {
        this.tagError(directive, start, 'did not find URI escaped octet');
      }
      const octet = (asHex(this.ch(1)) << 4) + asHex(this.ch(2));
      if (w === 1024) {
        w = utf8Width(octet);
        if (w === 0) this.tagError(directive, start, 'found an incorrect leading UTF-8 octet');
      } else if ((octet & 0xc0) !== 0x80) {
        this.tagError(directive, start, 'found an incorrect trailing UTF-8 octet');
      }
      bytes.push(octet);
      this.skip();
      this.skip();
      this.skip();
      w--;
    }
  }

  private scanBlockScalar(literal: boolean): Token {
    const start = this.copyMark();
    this.skip();
    const { chomping, increment } = this.scanBlockScalarHeader(start);

    const st = { indent: 0, breaks: '', end: this.copyMark() };
    if (increment > 0) st.indent = this.indent >= 0 ? this.indent + increment : increment;

    let s = '';
    let leadingBreak = '';
    this.scanBlockScalarBreaks(st, start);

    let leadingBlank = false;
    while (this.mark.column === st.indent && this.ch() !== NUL) {
      const trailingBlank = isBlank(this.ch());
      if (!literal && !leadingBlank && !trailingBlank && leadingBreak[0] === '\n') {
        if (st.breaks.length === 0) s += ' ';
      } else {
        s += leadingBreak;
      }
      leadingBreak = '';
      s += st.breaks;
      st.breaks = '';
      leadingBlank = isBlank(this.ch());
      while (!isBreakZ(this.ch())) s = this.read(s);
      leadingBreak = this.readLine(leadingBreak);
      this.scanBlockScalarBreaks(st, start);
    }

    if (chomping !== -1) s += leadingBreak;
    if (chomping === 1) s += st.breaks;
    return this.token('SCALAR', start, st.end, { value: s });
  }

  /** The chomping and indentation indicators, then the rest of the header line. */
  private scanBlockScalarHeader(start: Mark): { chomping: number; increment: number } {
    let chomping = 0;
    let increment = 0;
    const zeroIndicator = (): never =>
      this.error(
        'while scanning a block scalar',
        start,
        'found an indentation indicator equal to 0',
      );
    if (this.ch() === '+' || this.ch() === '-') {
      chomping = this.ch() === '+' ? 1 : -1;
      this.skip();
      if (isDigit(this.ch())) {
        if (this.ch() === '0') zeroIndicator();
        increment = Number(this.ch());
        this.skip();
      }
    } else if (isDigit(this.ch())) {
      if (this.ch() === '0') zeroIndicator();
      increment = Number(this.ch());
      this.skip();
      if (this.ch() === '+' || this.ch() === '-') {
        chomping = this.ch() === '+' ? 1 : -1;
        this.skip();
      }
    }

    while (isBlank(this.ch())) this.skip();
    if (this.ch() === '#') {
      while (!isBreakZ(this.ch())) this.skip();
    }
    if (!isBreakZ(this.ch())) {
      this.error(
        'while scanning a block scalar',
        start,
        'did not find expected comment or line break',
      );
    }
    if (isBreak(this.ch())) this.skipLine();

    return { chomping, increment };
  }

  private scanBlockScalarBreaks(st: { indent: number; breaks: string; end: Mark }, start: Mark) {
    st.end = this.copyMark();
    let maxIndent = 0;
    for (;;) {
      while ((st.indent === 0 || this.mark.column < st.indent) && this.ch() === ' ') this.skip();
      if (this.mark.column > maxIndent) maxIndent = this.mark.column;
      if ((st.indent === 0 || this.mark.column < st.indent) && this.ch() === '\t') {
        this.error(
          'while scanning a block scalar',
          start,
          'found a tab character where an indentation space is expected',
        );
      }
      if (!isBreak(this.ch())) break;
      st.breaks = this.readLine(st.breaks);
      st.end = this.copyMark();
    }
    if (st.indent === 0) {
      st.indent = Math.max(maxIndent, this.indent + 1, 1);
    }
  }

  private atDocumentIndicator(): boolean {
    const three = this.ch() + this.ch(1) + this.ch(2);
    return this.mark.column === 0 && (three === '---' || three === '...') && isBlankZ(this.ch(3));
  }

  private scanFlowScalar(single: boolean): Token {
    const start = this.copyMark();
    this.skip();
    const quote = single ? "'" : '"';
    let s = '';
    let leadingBreak = '';
    let trailingBreaks = '';
    let whitespaces = '';
    for (;;) {
      if (this.atDocumentIndicator()) {
        this.error('while scanning a quoted scalar', start, 'found unexpected document indicator');
      }
      if (this.ch() === NUL) {
        this.error('while scanning a quoted scalar', start, 'found unexpected end of stream');
      }

      const run = this.scanQuotedRun(single, start);
      s += run.text;
      let leadingBlanks = run.escapedBreak;

      if (this.ch() === quote) break;

      while (isBlank(this.ch()) || isBreak(this.ch())) {
        if (isBlank(this.ch())) {
          if (!leadingBlanks) whitespaces = this.read(whitespaces);
          else this.skip();
        } else if (!leadingBlanks) {
          whitespaces = '';
          leadingBreak = this.readLine(leadingBreak);
          leadingBlanks = true;
        } else {
          trailingBreaks = this.readLine(trailingBreaks);
        }
      }

      if (leadingBlanks) {
        s += foldBreaks(leadingBreak, trailingBreaks);
        leadingBreak = '';
        trailingBreaks = '';
      } else {
        s += whitespaces;
        whitespaces = '';
      }
    }
    this.skip();
    return this.token('SCALAR', start, this.copyMark(), { value: s });
  }

  /** Non-blank characters up to the closing quote, a blank or an escaped line break. */
  private scanQuotedRun(single: boolean, start: Mark): { text: string; escapedBreak: boolean } {
    const quote = single ? "'" : '"';
    let text = '';
    while (!isBlankZ(this.ch())) {
      const c = this.ch();
      if (single && c === "'" && this.ch(1) === "'") {
        text += "'";
        this.skip();
        this.skip();
      } else if (c === quote) {
        break;
      } else if (!single && c === '\\' && isBreak(this.ch(1))) {
        // An escaped line break: nothing is kept of it.
        this.skip();
        this.skipLine();
        return { text, escapedBreak: true };
      } else if (!single && c === '\\') {
        text += this.scanEscape(start);
      } else {
        text = this.read(text);
      }
    }
    return { text, escapedBreak: false };
  }

  private scanEscape(start: Mark): string {
    const simple: Record<string, string> = {
      '0': '\0',
      a: '\x07',
      b: '\b',
      t: '\t',
      '\t': '\t',
      n: '\n',
      v: '\v',
      f: '\f',
      r: '\r',
      e: '\x1b',
      ' ': ' ',
      '"': '"',
      "'": "'",
      '\\': '\\',
      N: '\u0085',
      _: '\u00a0',
      L: '\u2028',
      P: '\u2029',
    };
    const e = this.ch(1);
    const codeLength = ({ x: 2, u: 4, U: 8 } as Record<string, number>)[e] ?? 0;
    if (codeLength === 0 && !Object.prototype.hasOwnProperty.call(simple, e)) {
      this.error('while parsing a quoted scalar', start, 'found unknown escape character');
    }
    this.skip();
    this.skip();
    if (codeLength === 0) return simple[e];
    let value = 0;
    for (let k = 0; k < codeLength; k++) {
      if (!isHex(this.ch(k))) {
        this.error(
          'while parsing a quoted scalar',
          start,
          'did not find expected hexdecimal number',
        );
      }
      value = value * 16 + asHex(this.ch(k));
    }
    if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) {
      this.error(
        'while parsing a quoted scalar',
        start,
        'found invalid Unicode character escape code',
      );
    }
    for (let k = 0; k < codeLength; k++) this.skip();
    return String.fromCodePoint(value);
  }

  private scanPlainScalar(): Token {
    let s = '';
    const ws: Blanks = {
      leadingBreak: '',
      trailingBreaks: '',
      whitespaces: '',
      leadingBlanks: false,
    };
    const indent = this.indent + 1;
    const start = this.copyMark();
    let end = this.copyMark();

    for (;;) {
      if (this.atDocumentIndicator()) break;
      if (this.ch() === '#') break;

      while (!isBlankZ(this.ch())) {
        const c = this.ch();
        if ((c === ':' && isBlankZ(this.ch(1))) || (this.flowLevel > 0 && ',?[]{}'.includes(c))) {
          break;
        }
        if (ws.leadingBlanks) {
          s += foldBreaks(ws.leadingBreak, ws.trailingBreaks);
          ws.trailingBreaks = '';
          ws.leadingBreak = '';
          ws.leadingBlanks = false;
        } else if (ws.whitespaces.length > 0) {
          s += ws.whitespaces;
          ws.whitespaces = '';
        }
        s = this.read(s);
        end = this.copyMark();
      }

      if (!(isBlank(this.ch()) || isBreak(this.ch()))) break;
      this.scanPlainBlanks(ws, indent, start);
      if (this.flowLevel === 0 && this.mark.column < indent) break;
    }

    if (ws.leadingBlanks) this.simpleKeyAllowed = true;
    return this.token('SCALAR', start, end, { value: s, plain: true });
  }

  private scanPlainBlanks(ws: Blanks, indent: number, start: Mark): void {
    while (isBlank(this.ch()) || isBreak(this.ch())) {
      if (isBlank(this.ch())) {
        if (ws.leadingBlanks && this.mark.column < indent && this.ch() === '\t') {
          this.error(
            'while scanning a plain scalar',
            start,
            'found a tab character that violates indentation',
          );
        }
        if (!ws.leadingBlanks) ws.whitespaces = this.read(ws.whitespaces);
        else this.skip();
      } else if (!ws.leadingBlanks) {
        ws.whitespaces = '';
        ws.leadingBreak = this.readLine(ws.leadingBreak);
        ws.leadingBlanks = true;
      } else {
        ws.trailingBreaks = this.readLine(ws.trailingBreaks);
      }
    }
  }
}

/** The blanks and breaks between two runs of a plain scalar, as the scanner collects them. */
interface Blanks {
  leadingBreak: string;
  trailingBreaks: string;
  whitespaces: string;
  leadingBlanks: boolean;
}

/** Line folding: a single break becomes a space, more breaks are kept (all but the first). */
function foldBreaks(leadingBreak: string, trailingBreaks: string): string {
  if (leadingBreak[0] !== '\n') return leadingBreak + trailingBreaks;
  return trailingBreaks.length === 0 ? ' ' : trailingBreaks;
}

// ---------------------------------------------------------------------------
// Reading: parser (parserc.go). Events carry only what decode.go uses.

type EventType =
  | 'STREAM-START'
  | 'STREAM-END'
  | 'DOCUMENT-START'
  | 'DOCUMENT-END'
  | 'ALIAS'
  | 'SCALAR'
  | 'SEQUENCE-START'
  | 'SEQUENCE-END'
  | 'MAPPING-START'
  | 'MAPPING-END';

interface YamlEvent {
  type: EventType;
  anchor: string;
  tag: string;
  value: string;
  /** plain_implicit: an untagged plain scalar (or one tagged just '!'). */
  implicit: boolean;
}

type ParserState =
  | 'STREAM_START'
  | 'IMPLICIT_DOCUMENT_START'
  | 'DOCUMENT_START'
  | 'DOCUMENT_CONTENT'
  | 'DOCUMENT_END'
  | 'BLOCK_NODE'
  | 'BLOCK_SEQUENCE_FIRST_ENTRY'
  | 'BLOCK_SEQUENCE_ENTRY'
  | 'INDENTLESS_SEQUENCE_ENTRY'
  | 'BLOCK_MAPPING_FIRST_KEY'
  | 'BLOCK_MAPPING_KEY'
  | 'BLOCK_MAPPING_VALUE'
  | 'FLOW_SEQUENCE_FIRST_ENTRY'
  | 'FLOW_SEQUENCE_ENTRY'
  | 'FLOW_SEQUENCE_ENTRY_MAPPING_KEY'
  | 'FLOW_SEQUENCE_ENTRY_MAPPING_VALUE'
  | 'FLOW_SEQUENCE_ENTRY_MAPPING_END'
  | 'FLOW_MAPPING_FIRST_KEY'
  | 'FLOW_MAPPING_KEY'
  | 'FLOW_MAPPING_VALUE'
  | 'FLOW_MAPPING_EMPTY_VALUE'
  | 'END';

const DEFAULT_TAG_DIRECTIVES: Array<[string, string]> = [
  ['!', '!'],
  ['!!', LONG_TAG_PREFIX],
];

function event(type: EventType, extra: Partial<YamlEvent> = {}): YamlEvent {
  return { type, anchor: '', tag: '', value: '', implicit: false, ...extra };
}

const emptyScalar = (): YamlEvent => event('SCALAR', { implicit: true });

class Parser {
  private state: ParserState = 'STREAM_START';
  private readonly states: ParserState[] = [];
  private readonly marks: Mark[] = [];
  private tagDirectives: Array<[string, string]> = [];

  constructor(private readonly scanner: Scanner) {}

  private peek(): Token {
    return this.scanner.peekToken();
  }

  private skip(): void {
    this.scanner.skipToken();
  }

  private popState(): void {
    this.state = this.states.pop()!;
  }

  private error(problem: string, problemMark: Mark, contextMark?: Mark): never {
    return syntaxFailure(false, problem, problemMark, contextMark);
  }

  next(): YamlEvent {
    switch (this.state) {
      case 'STREAM_START':
        return this.parseStreamStart();
      case 'IMPLICIT_DOCUMENT_START':
        return this.parseDocumentStart(true);
      case 'DOCUMENT_START':
        return this.parseDocumentStart(false);
      case 'DOCUMENT_CONTENT':
        return this.parseDocumentContent();
      case 'DOCUMENT_END':
        return this.parseDocumentEnd();
      case 'BLOCK_NODE':
        return this.parseNode(true, false);
      case 'BLOCK_SEQUENCE_FIRST_ENTRY':
        return this.parseBlockSequenceEntry(true);
      case 'BLOCK_SEQUENCE_ENTRY':
        return this.parseBlockSequenceEntry(false);
      case 'INDENTLESS_SEQUENCE_ENTRY':
        return this.parseIndentlessSequenceEntry();
      case 'BLOCK_MAPPING_FIRST_KEY':
        return this.parseBlockMappingKey(true);
      case 'BLOCK_MAPPING_KEY':
        return this.parseBlockMappingKey(false);
      case 'BLOCK_MAPPING_VALUE':
        return this.parseBlockMappingValue();
      case 'FLOW_SEQUENCE_FIRST_ENTRY':
        return this.parseFlowSequenceEntry(true);
      case 'FLOW_SEQUENCE_ENTRY':
        return this.parseFlowSequenceEntry(false);
      case 'FLOW_SEQUENCE_ENTRY_MAPPING_KEY':
        return this.parseFlowSequenceEntryMappingKey();
      case 'FLOW_SEQUENCE_ENTRY_MAPPING_VALUE':
        return this.parseFlowSequenceEntryMappingValue();
      case 'FLOW_SEQUENCE_ENTRY_MAPPING_END':
        this.peek();
        this.state = 'FLOW_SEQUENCE_ENTRY';
        return event('MAPPING-END');
      case 'FLOW_MAPPING_FIRST_KEY':
        return this.parseFlowMappingKey(true);
      case 'FLOW_MAPPING_KEY':
        return this.parseFlowMappingKey(false);
      case 'FLOW_MAPPING_VALUE':
        return this.parseFlowMappingValue(false);
      case 'FLOW_MAPPING_EMPTY_VALUE':
        return this.parseFlowMappingValue(true);
      default:
        throw new Error('yaml: no events after the end of the stream');
    }
  }

  private parseStreamStart(): YamlEvent {
    const token = this.peek();
    if (token.type !== 'STREAM-START') {
      this.error('did not find expected <stream-start>', token.start);
    }
    this.state = 'IMPLICIT_DOCUMENT_START';
    this.skip();
    return event('STREAM-START');
  }

  private parseDocumentStart(implicit: boolean): YamlEvent {
    let token = this.peek();
    if (!implicit) {
      while (token.type === 'DOCUMENT-END') {
        this.skip();
        token = this.peek();
      }
    }
    const explicitStart = ['VERSION-DIRECTIVE', 'TAG-DIRECTIVE', 'DOCUMENT-START', 'STREAM-END'];
    if (implicit && !explicitStart.includes(token.type)) {
      this.processDirectives();
      this.states.push('DOCUMENT_END');
      this.state = 'BLOCK_NODE';
      return event('DOCUMENT-START');
    }
    if (token.type !== 'STREAM-END') {
      this.processDirectives();
      token = this.peek();
      if (token.type !== 'DOCUMENT-START') {
        this.error('did not find expected <document start>', token.start);
      }
      this.states.push('DOCUMENT_END');
      this.state = 'DOCUMENT_CONTENT';
      this.skip();
      return event('DOCUMENT-START');
    }
    this.state = 'END';
    this.skip();
    return event('STREAM-END');
  }

  private parseDocumentContent(): YamlEvent {
    const token = this.peek();
    if (
      [
        'VERSION-DIRECTIVE',
        'TAG-DIRECTIVE',
        'DOCUMENT-START',
        'DOCUMENT-END',
        'STREAM-END',
      ].includes(token.type)
    ) {
      this.popState();
      return emptyScalar();
    }
    return this.parseNode(true, false);
  }

  private parseDocumentEnd(): YamlEvent {
    const token = this.peek();
    if (token.type === 'DOCUMENT-END') this.skip();
    this.tagDirectives = [];
    this.state = 'DOCUMENT_START';
    return event('DOCUMENT-END');
  }

  private parseNode(block: boolean, indentlessSequence: boolean): YamlEvent {
    const first = this.peek();
    if (first.type === 'ALIAS') {
      this.popState();
      this.skip();
      return event('ALIAS', { anchor: first.value });
    }
    const { token, start, anchor, tag } = this.parseNodeProperties(first);
    const implicit = tag === '';
    if (indentlessSequence && token.type === 'BLOCK-ENTRY') {
      this.state = 'INDENTLESS_SEQUENCE_ENTRY';
      return event('SEQUENCE-START', { anchor, tag });
    }
    if (token.type === 'SCALAR') {
      this.popState();
      this.skip();
      return event('SCALAR', {
        anchor,
        tag,
        value: token.value,
        implicit: (implicit && token.plain) || tag === '!',
      });
    }
    if (token.type === 'FLOW-SEQUENCE-START') {
      this.state = 'FLOW_SEQUENCE_FIRST_ENTRY';
      return event('SEQUENCE-START', { anchor, tag });
    }
    if (token.type === 'FLOW-MAPPING-START') {
      this.state = 'FLOW_MAPPING_FIRST_KEY';
      return event('MAPPING-START', { anchor, tag });
    }
    if (block && token.type === 'BLOCK-SEQUENCE-START') {
      this.state = 'BLOCK_SEQUENCE_FIRST_ENTRY';
      return event('SEQUENCE-START', { anchor, tag });
    }
    if (block && token.type === 'BLOCK-MAPPING-START') {
      this.state = 'BLOCK_MAPPING_FIRST_KEY';
      return event('MAPPING-START', { anchor, tag });
    }
    if (anchor !== '' || tag !== '') {
      this.popState();
      return event('SCALAR', { anchor, tag, implicit });
    }
    return this.error('did not find expected node content', token.start, start);
  }

  /** The anchor and tag in front of a node (either order), the tag resolved. */
  private parseNodeProperties(first: Token): {
    token: Token;
    start: Mark;
    anchor: string;
    tag: string;
  } {
    let token = first;
    let start = token.start;
    let anchor = '';
    let tagToken = false;
    let tagHandle = '';
    let tagSuffix = '';
    let tagMark = start;
    if (token.type === 'ANCHOR') {
      anchor = token.value;
      start = token.start;
      this.skip();
      token = this.peek();
      if (token.type === 'TAG') {
        tagToken = true;
        [tagHandle, tagSuffix, tagMark] = [token.value, token.suffix, token.start];
        this.skip();
        token = this.peek();
      }
    } else if (token.type === 'TAG') {
      tagToken = true;
      [tagHandle, tagSuffix, tagMark] = [token.value, token.suffix, token.start];
      start = token.start;
      this.skip();
      token = this.peek();
      if (token.type === 'ANCHOR') {
        anchor = token.value;
        this.skip();
        token = this.peek();
      }
    }

    let tag = '';
    if (tagToken) {
      if (tagHandle === '') {
        tag = tagSuffix;
      } else {
        const directive = this.tagDirectives.find(([handle]) => handle === tagHandle);
        if (directive) tag = directive[1] + tagSuffix;
        if (tag === '') this.error('found undefined tag handle', tagMark, start);
      }
    }

    return { token, start, anchor, tag };
  }

  private parseBlockSequenceEntry(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peek().start);
      this.skip();
    }
    let token = this.peek();
    if (token.type === 'BLOCK-ENTRY') {
      this.skip();
      token = this.peek();
      if (token.type !== 'BLOCK-ENTRY' && token.type !== 'BLOCK-END') {
        this.states.push('BLOCK_SEQUENCE_ENTRY');
        return this.parseNode(true, false);
      }
      this.state = 'BLOCK_SEQUENCE_ENTRY';
      return emptyScalar();
    }
    if (token.type === 'BLOCK-END') {
      this.popState();
      this.marks.pop();
      this.skip();
      return event('SEQUENCE-END');
    }
    return this.error("did not find expected '-' indicator", token.start, this.marks.pop());
  }

  private parseIndentlessSequenceEntry(): YamlEvent {
    let token = this.peek();
    if (token.type === 'BLOCK-ENTRY') {
      this.skip();
      token = this.peek();
      if (!['BLOCK-ENTRY', 'KEY', 'VALUE', 'BLOCK-END'].includes(token.type)) {
        this.states.push('INDENTLESS_SEQUENCE_ENTRY');
        return this.parseNode(true, false);
      }
      this.state = 'INDENTLESS_SEQUENCE_ENTRY';
      return emptyScalar();
    }
    this.popState();
    return event('SEQUENCE-END');
  }

  private parseBlockMappingKey(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peek().start);
      this.skip();
    }
    let token = this.peek();
    if (token.type === 'KEY') {
      this.skip();
      token = this.peek();
      if (!['KEY', 'VALUE', 'BLOCK-END'].includes(token.type)) {
        this.states.push('BLOCK_MAPPING_VALUE');
        return this.parseNode(true, true);
      }
      this.state = 'BLOCK_MAPPING_VALUE';
      return emptyScalar();
    }
    if (token.type === 'BLOCK-END') {
      this.popState();
      this.marks.pop();
      this.skip();
      return event('MAPPING-END');
    }
    return this.error('did not find expected key', token.start, this.marks.pop());
  }

  private parseBlockMappingValue(): YamlEvent {
    let token = this.peek();
    if (token.type === 'VALUE') {
      this.skip();
      token = this.peek();
      if (!['KEY', 'VALUE', 'BLOCK-END'].includes(token.type)) {
        this.states.push('BLOCK_MAPPING_KEY');
        return this.parseNode(true, true);
      }
    }
    this.state = 'BLOCK_MAPPING_KEY';
    return emptyScalar();
  }

  private parseFlowSequenceEntry(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peek().start);
      this.skip();
    }
    let token = this.peek();
    if (token.type !== 'FLOW-SEQUENCE-END') {
      if (!first) {
        if (token.type !== 'FLOW-ENTRY') {
          this.error("did not find expected ',' or ']'", token.start, this.marks.pop());
        }
        this.skip();
        token = this.peek();
      }
      if (token.type === 'KEY') {
        this.state = 'FLOW_SEQUENCE_ENTRY_MAPPING_KEY';
        this.skip();
        return event('MAPPING-START');
      }
      if (token.type !== 'FLOW-SEQUENCE-END') {
        this.states.push('FLOW_SEQUENCE_ENTRY');
        return this.parseNode(false, false);
      }
    }
    this.popState();
    this.marks.pop();
    this.skip();
    return event('SEQUENCE-END');
  }

  private parseFlowSequenceEntryMappingKey(): YamlEvent {
    const token = this.peek();
    if (!['VALUE', 'FLOW-ENTRY', 'FLOW-SEQUENCE-END'].includes(token.type)) {
      this.states.push('FLOW_SEQUENCE_ENTRY_MAPPING_VALUE');
      return this.parseNode(false, false);
    }
    // parserc.go skips this token unconditionally, as ported.
    this.skip();
    this.state = 'FLOW_SEQUENCE_ENTRY_MAPPING_VALUE';
    return emptyScalar();
  }

  private parseFlowSequenceEntryMappingValue(): YamlEvent {
    const token = this.peek();
    if (token.type === 'VALUE') {
      this.skip();
      const next = this.peek();
      if (next.type !== 'FLOW-ENTRY' && next.type !== 'FLOW-SEQUENCE-END') {
        this.states.push('FLOW_SEQUENCE_ENTRY_MAPPING_END');
        return this.parseNode(false, false);
      }
    }
    this.state = 'FLOW_SEQUENCE_ENTRY_MAPPING_END';
    return emptyScalar();
  }

  private parseFlowMappingKey(first: boolean): YamlEvent {
    if (first) {
      this.marks.push(this.peek().start);
      this.skip();
    }
    let token = this.peek();
    if (token.type !== 'FLOW-MAPPING-END') {
      if (!first) {
        if (token.type !== 'FLOW-ENTRY') {
          this.error("did not find expected ',' or '}'", token.start, this.marks.pop());
        }
        this.skip();
        token = this.peek();
      }
      if (token.type === 'KEY') {
        this.skip();
        token = this.peek();
        if (!['VALUE', 'FLOW-ENTRY', 'FLOW-MAPPING-END'].includes(token.type)) {
          this.states.push('FLOW_MAPPING_VALUE');
          return this.parseNode(false, false);
        }
        this.state = 'FLOW_MAPPING_VALUE';
        return emptyScalar();
      }
      if (token.type !== 'FLOW-MAPPING-END') {
        this.states.push('FLOW_MAPPING_EMPTY_VALUE');
        return this.parseNode(false, false);
      }
    }
    this.popState();
    this.marks.pop();
    this.skip();
    return event('MAPPING-END');
  }

  private parseFlowMappingValue(empty: boolean): YamlEvent {
    let token = this.peek();
    if (!empty && token.type === 'VALUE') {
      this.skip();
      token = this.peek();
      if (token.type !== 'FLOW-ENTRY' && token.type !== 'FLOW-MAPPING-END') {
        this.states.push('FLOW_MAPPING_KEY');
        return this.parseNode(false, false);
      }
    }
    this.state = 'FLOW_MAPPING_KEY';
    return emptyScalar();
  }

  private processDirectives(): void {
    let sawVersion = false;
    let token = this.peek();
    while (token.type === 'VERSION-DIRECTIVE' || token.type === 'TAG-DIRECTIVE') {
      if (token.type === 'VERSION-DIRECTIVE') {
        if (sawVersion) this.error('found duplicate %YAML directive', token.start);
        if (token.major !== 1 || token.minor !== 1) {
          this.error('found incompatible YAML document', token.start);
        }
        sawVersion = true;
      } else {
        const handle = token.value;
        if (this.tagDirectives.some(([h]) => h === handle)) {
          this.error('found duplicate %TAG directive', token.start);
        }
        this.tagDirectives.push([handle, token.suffix]);
      }
      this.skip();
      token = this.peek();
    }
    for (const [handle, prefix] of DEFAULT_TAG_DIRECTIVES) {
      if (!this.tagDirectives.some(([h]) => h === handle))
        this.tagDirectives.push([handle, prefix]);
    }
  }
}

// ---------------------------------------------------------------------------
// Reading: node tree and decoding (decode.go), for struct{Files []string}.

interface YamlNode {
  kind: 'document' | 'mapping' | 'sequence' | 'scalar' | 'alias';
  tag: string;
  value: string;
  implicit: boolean;
  children: YamlNode[];
  alias?: YamlNode;
}

class Composer {
  private current: YamlEvent | undefined;
  private readonly anchors = new Map<string, YamlNode>();

  constructor(private readonly parser: Parser) {
    this.expect('STREAM-START');
  }

  private peek(): EventType {
    this.current ??= this.parser.next();
    return this.current.type;
  }

  private expect(type: EventType): YamlEvent {
    const e = this.current ?? this.parser.next();
    this.current = undefined;
    if (e.type === 'STREAM-END') failf('attempted to go past the end of stream; corrupted value?');
    if (e.type !== type) failf(`expected ${type} event but got ${e.type}`);
    return e;
  }

  private node(kind: YamlNode['kind'], e?: YamlEvent): YamlNode {
    const n: YamlNode = { kind, tag: e?.tag ?? '', value: '', implicit: false, children: [] };
    if (e?.anchor) this.anchors.set(e.anchor, n);
    return n;
  }

  /** The next node, or undefined at the end of the stream (p.parse()). */
  parse(): YamlNode | undefined {
    switch (this.peek()) {
      case 'SCALAR': {
        const e = this.expect('SCALAR');
        const n = this.node('scalar', e);
        n.value = e.value;
        n.implicit = e.implicit;
        return n;
      }
      case 'ALIAS': {
        const e = this.expect('ALIAS');
        const n = this.node('alias');
        n.value = e.anchor;
        n.alias = this.anchors.get(e.anchor);
        if (!n.alias) failf(`unknown anchor '${e.anchor}' referenced`);
        return n;
      }
      case 'MAPPING-START':
      case 'SEQUENCE-START': {
        const mapping = this.peek() === 'MAPPING-START';
        const n = this.node(mapping ? 'mapping' : 'sequence', this.current);
        this.expect(mapping ? 'MAPPING-START' : 'SEQUENCE-START');
        const end = mapping ? 'MAPPING-END' : 'SEQUENCE-END';
        while (this.peek() !== end) {
          n.children.push(this.parse()!);
          if (mapping) n.children.push(this.parse()!);
        }
        this.expect(end);
        return n;
      }
      case 'DOCUMENT-START': {
        this.anchors.clear();
        const n = this.node('document');
        this.expect('DOCUMENT-START');
        n.children.push(this.parse()!);
        this.expect('DOCUMENT-END');
        return n;
      }
      case 'STREAM-END':
        return undefined;
      default:
        throw new Error(`yaml: attempted to parse unknown event: ${this.peek()}`);
    }
  }
}

/** What yaml.v2 decodes a node into: the struct, its []string field, one of its strings, or a key. */
type Target = 'struct' | 'files' | 'entry' | 'key';

const ALIAS_RATIO_RANGE_LOW = 400000;
const ALIAS_RATIO_RANGE_HIGH = 4000000;

function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= ALIAS_RATIO_RANGE_LOW) return 0.99;
  if (decodeCount >= ALIAS_RATIO_RANGE_HIGH) return 0.1;
  return (
    0.99 -
    (0.89 * (decodeCount - ALIAS_RATIO_RANGE_LOW)) /
      (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW)
  );
}

/** Go's base64.StdEncoding.DecodeString: padded, '\r' and '\n' ignored. */
function decodeBase64(s: string): string {
  const clean = s.replace(/[\r\n]/g, '');
  if (
    clean.length % 4 !== 0 ||
    !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(clean)
  ) {
    return failf('!!binary value contains invalid base64 data');
  }
  return Buffer.from(clean, 'base64').toString('utf8');
}

class Decoder {
  /** The Files field: undefined while nil. */
  files: string[] | undefined;
  /** Type errors in the files value itself, and elsewhere (root or keys). */
  filesTypeErrors = 0;
  otherTypeErrors = 0;

  private readonly aliases = new Set<YamlNode>();
  private decodeCount = 0;
  private aliasCount = 0;
  private aliasDepth = 0;

  /** d.unmarshal: the decoded string for 'entry' and 'key', otherwise true; false on a type error. */
  unmarshal(n: YamlNode, target: Target): string | boolean {
    this.decodeCount++;
    if (this.aliasDepth > 0) this.aliasCount++;
    if (
      this.aliasCount > 100 &&
      this.decodeCount > 1000 &&
      this.aliasCount / this.decodeCount > allowedAliasRatio(this.decodeCount)
    ) {
      failf('document contains excessive aliasing');
    }
    if (n.kind === 'document') return this.unmarshal(n.children[0], target);
    if (n.kind === 'alias') {
      if (this.aliases.has(n)) failf(`anchor '${n.value}' value contains itself`);
      this.aliases.add(n);
      this.aliasDepth++;
      const good = this.unmarshal(n.alias!, target);
      this.aliasDepth--;
      this.aliases.delete(n);
      return good;
    }
    if (n.kind === 'scalar') return this.scalar(n, target);
    if (n.kind === 'mapping' && target === 'struct') return this.mappingStruct(n);
    if (n.kind === 'sequence' && target === 'files') {
      const files: string[] = [];
      for (const child of n.children) {
        const value = this.unmarshal(child, 'entry');
        if (typeof value === 'string') files.push(value);
      }
      this.files = files;
      return true;
    }
    return this.typeError(target);
  }

  private typeError(target: Target): false {
    if (target === 'files' || target === 'entry') this.filesTypeErrors++;
    else this.otherTypeErrors++;
    return false;
  }

  private scalar(n: YamlNode, target: Target): string | boolean {
    let tag: string;
    let resolved: string | undefined;
    if (n.tag === '' && !n.implicit) {
      tag = STR_TAG;
      resolved = n.value;
    } else {
      tag = resolve(n.tag, n.value);
      resolved = tag === NULL_TAG ? undefined : n.value;
      if (tag === BINARY_TAG) resolved = decodeBase64(n.value);
    }
    if (resolved === undefined) {
      // A null sets the zero value: "", a nil slice, an empty struct.
      if (target === 'entry' || target === 'key') return '';
      this.files = undefined;
      return true;
    }
    if (target === 'entry' || target === 'key') return resolved;
    return this.typeError(target);
  }

  private mappingStruct(n: YamlNode): boolean {
    let name = '';
    for (let i = 0; i < n.children.length; i += 2) {
      const key = n.children[i];
      if (key.kind === 'scalar' && key.value === '<<' && (key.implicit || key.tag === MERGE_TAG)) {
        this.merge(n.children[i + 1]);
        continue;
      }
      const decoded = this.unmarshal(key, 'key');
      if (decoded === false) continue;
      name = decoded as string;
      if (name === 'files') this.unmarshal(n.children[i + 1], 'files');
    }
    return true;
  }

  private merge(n: YamlNode): void {
    const wantMap = (): never => failf('map merge requires map or sequence of maps as the value');
    if (n.kind === 'mapping') {
      this.unmarshal(n, 'struct');
    } else if (n.kind === 'alias') {
      if (n.alias && n.alias.kind !== 'mapping') wantMap();
      this.unmarshal(n, 'struct');
    } else if (n.kind === 'sequence') {
      // Earlier maps take precedence, so they are applied last.
      for (let i = n.children.length - 1; i >= 0; i--) {
        const child = n.children[i];
        if (child.kind === 'alias') {
          if (child.alias && child.alias.kind !== 'mapping') wantMap();
        } else if (child.kind !== 'mapping') {
          wantMap();
        }
        this.unmarshal(child, 'struct');
      }
    } else {
      wantMap();
    }
  }
}

/** yaml.v2's Unmarshal of the same struct: the entries exactly as they were written. `what` names the file in errors. */
export function parseStateFile(content: string, what: string): string[] {
  const decoder = new Decoder();
  try {
    const root = new Composer(new Parser(new Scanner(content))).parse();
    if (root) decoder.unmarshal(root, 'struct');
  } catch (e) {
    if (e instanceof YamlFailure) {
      throw new Error(`${what}: not valid YAML (${e.message}); delete it to let it be rewritten`);
    }
    throw e;
  }
  if (decoder.filesTypeErrors > 0) throw new Error(`${what}: "files" must be a list of paths`);
  if (decoder.otherTypeErrors > 0) {
    throw new Error(
      `${what}: not a mapping with a "files" list of paths; delete it to let it be rewritten`,
    );
  }
  return decoder.files ?? [];
}
