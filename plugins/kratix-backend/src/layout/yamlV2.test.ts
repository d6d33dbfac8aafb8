import { parseStateFile, renderStateFile } from './yamlV2';

const item = (e: string) => renderStateFile([e]);
const roundTrip = (list: string[]) => parseStateFile(renderStateFile(list), 'state');

describe('renderStateFile', () => {
  // Strings whose plain form yaml.v2 would resolve to a non-string are double-quoted.
  const quoted = [
    '2024-01-01T00:00:00Z',
    '2001-12-14',
    '1e3',
    '1E3',
    '1e+3',
    '-1e-3',
    '08',
    '09',
    '0o17',
    '0X1F',
    '1:20',
    '1:20:30',
  ];
  for (const e of quoted) {
    it(`double-quotes ${e}`, () => {
      expect(item(e)).toBe(`files:\n- "${e}"\n`);
      expect(roundTrip([e])).toEqual([e]);
    });
  }

  it('writes 1.2.3 plain', () => {
    expect(item('1.2.3')).toBe('files:\n- 1.2.3\n');
  });

  it('writes << plain (its first byte gives no resolve hint)', () => {
    expect(item('<<')).toBe('files:\n- <<\n');
  });

  it('single-quotes ...', () => {
    expect(item('...')).toBe("files:\n- '...'\n");
  });

  it('folds a long plain scalar at 80 columns, counting the "- "', () => {
    const e =
      'dir/file name with spaces that goes on and on and on and on and on and on and on and on.yaml';
    expect(item(e)).toBe(
      'files:\n- dir/file name with spaces that goes on and on and on and on and on and on and on\n  and on.yaml\n',
    );
  });

  it('escapes a non-BMP character as \\U', () => {
    expect(item('emoji😀.yaml')).toBe('files:\n- "emoji\\U0001F600.yaml"\n');
  });

  it('escapes a tab', () => {
    expect(item('a\tb')).toBe('files:\n- "a\\tb"\n');
  });

  it('writes a multi-line string as a literal block', () => {
    expect(item('a\nb')).toBe('files:\n- |-\n  a\n  b\n');
  });

  it('double-quotes the empty string', () => {
    expect(item('')).toBe('files:\n- ""\n');
  });

  it('quotes booleans, numbers and null like yaml.v2', () => {
    expect(renderStateFile(['true', '123', 'null', 'on', 'fine.yaml', '1.5'])).toBe(
      'files:\n- "true"\n- "123"\n- "null"\n- "on"\n- fine.yaml\n- "1.5"\n',
    );
  });

  it('single-quotes indicators', () => {
    expect(renderStateFile(['a: b.yaml', '#x.yaml', 'x #y'])).toBe(
      "files:\n- 'a: b.yaml'\n- '#x.yaml'\n- 'x #y'\n",
    );
  });

  it('writes an empty list in flow style', () => {
    expect(renderStateFile([])).toBe('files: []\n');
  });

  it("matches Kratix's own state file", () => {
    expect(renderStateFile(['test-path/fruit.yaml', 'test-path/file2.yaml'])).toBe(
      'files:\n- test-path/fruit.yaml\n- test-path/file2.yaml\n',
    );
  });

  // From go-yaml v2.4.0 encode_test.go (marshalTests), as sequence items.
  it.each([
    ['-', "- '-'"],
    ['<foo>', '- <foo>'],
    ['1:1', '- "1:1"'],
    ['\x00', '- "\\0"'],
    ['你好', '- 你好'],
    ['b: c', "- 'b: c'"],
    ['Hello #comment', "- 'Hello #comment'"],
    ['你好 #comment', "- '你好 #comment'"],
    ['2015-02-24T18:19:39Z', '- "2015-02-24T18:19:39Z"'],
    ['10', '- "10"'],
    ['false', '- "false"'],
    ['hi', '- hi'],
  ])('writes %j as in go-yaml’s marshal tests', (e, line) => {
    expect(item(e)).toBe(`files:\n${line}\n`);
  });

  it('writes B\\nC as in go-yaml’s marshal tests', () => {
    expect(renderStateFile(['A', 'B\nC'])).toBe('files:\n- A\n- |-\n  B\n  C\n');
  });

  it('wraps a single-quoted scalar as go-yaml’s TestLineWrapping does', () => {
    // There the value follows "a: " (column 3 before the quote); here "- " (column 2).
    // Both pass column 80 first at the space after the second alphabet.
    const e =
      'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 ';
    expect(item(e)).toBe(
      "files:\n- 'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 abcdefghijklmnopqrstuvwxyz\n  ABCDEFGHIJKLMNOPQRSTUVWXYZ 1234567890 '\n",
    );
  });

  it('chooses the literal chomping indicator from the trailing line breaks', () => {
    expect(renderStateFile(['a\n', 'b\n\n', '\nc'])).toBe(
      'files:\n- |\n  a\n- |+\n  b\n\n- |2-\n\n  c\n',
    );
  });

  it('double-quotes a multi-line string that a literal block cannot hold', () => {
    expect(item('a \nb')).toBe('files:\n- "a \\nb"\n');
    expect(item('a\r\nb')).toBe('files:\n- "a\\r\\nb"\n');
  });

  it('escapes with yaml.v2’s short forms', () => {
    // U+00A0 is printable, so it is written as is; U+FEFF at the start escapes everything.
    expect(item('\x1b\u0085\u00a0\u2028x\x7f\ufffe')).toBe(
      'files:\n- "\\e\\N\u00a0\\Lx\\x7F\\uFFFE"\n',
    );
    expect(item('\ufeffa\u00a0')).toBe('files:\n- "\\uFEFF\\x61\\_"\n');
  });

  it('folds a long double-quoted scalar, escaping a leading space on the new line', () => {
    const e = `${'x'.repeat(79)}\t  y`;
    expect(item(e)).toBe(`files:\n- "${'x'.repeat(79)}\\t\n  \\ y"\n`);
    expect(roundTrip([e])).toEqual([e]);
  });

  it('keeps the lines of a single-quoted LS-separated string', () => {
    expect(item('a\u2028b')).toBe("files:\n- 'a\u2028  b'\n");
    expect(roundTrip(['a\u2028b'])).toEqual(['a\u2028b']);
  });

  it('writes every vector so that it reads back', () => {
    const all = [
      ...quoted,
      '1.2.3',
      '<<',
      '...',
      'dir/file name with spaces that goes on and on and on and on and on and on and on and on.yaml',
      'emoji😀.yaml',
      'a\tb',
      'a\nb',
      '',
      'true',
      '123',
      'null',
      'on',
      'fine.yaml',
      '1.5',
      'a: b.yaml',
      '#x.yaml',
      'x #y',
      'test-path/fruit.yaml',
      'test-path/file2.yaml',
    ];
    expect(roundTrip(all)).toEqual(all);
    expect(roundTrip([])).toEqual([]);
  });
});

describe('parseStateFile', () => {
  const parse = (content: string) => parseStateFile(content, 'state');

  it('keeps every plain scalar as its text', () => {
    expect(
      parse('files:\n- 1e3\n- 09\n- 1:20\n- 2001-12-14\n- true\n- 0x1F\n- .inf\n- 1_000\n'),
    ).toEqual(['1e3', '09', '1:20', '2001-12-14', 'true', '0x1F', '.inf', '1_000']);
  });

  it('reads null items as empty strings', () => {
    expect(parse('files:\n- ~\n- null\n-\n- "null"\n')).toEqual(['', '', '', 'null']);
  });

  it('unescapes and unfolds quoted scalars', () => {
    expect(
      parse(
        [
          'files:',
          '- "a\\tb\\x41\\u00e9\\U0001F600\\N\\_\\L\\P\\\\"',
          "- 'it''s'",
          "- 'folded\n  line'",
          '- "esc\\\n  aped"',
          '- "two\n\n  lines"',
          '',
        ].join('\n'),
      ),
    ).toEqual([
      'a\tbAé😀\u0085\u00a0\u2028\u2029\\',
      "it's",
      'folded line',
      'escaped',
      'two\nlines',
    ]);
  });

  it('reads literal and folded block scalars', () => {
    expect(
      parse('files:\n- |\n  a\n   b\n- |-\n  c\n\n- |+\n  d\n\n- >\n  e\n  f\n\n  g\n- |2\n   h\n'),
    ).toEqual(['a\n b\n', 'c', 'd\n\n', 'e f\ng\n', ' h\n']);
  });

  it('lets the last files key win', () => {
    expect(parse('files:\n- a\nfiles:\n- b\n')).toEqual(['b']);
    expect(parse('files:\n- a\nfiles:\n')).toEqual([]);
  });

  it('reads empty, missing and null files as no entries', () => {
    expect(parse('')).toEqual([]);
    expect(parse('# nothing\n')).toEqual([]);
    expect(parse('other: 1\n')).toEqual([]);
    expect(parse('files:\n')).toEqual([]);
    expect(parse('files: ~\n')).toEqual([]);
    expect(parse('~\n')).toEqual([]);
    expect(parse('---\n')).toEqual([]);
  });

  it('reads hand edits: flow style, comments, indentation, quoting', () => {
    expect(parse('files: [a.yaml, b.yaml]\n')).toEqual(['a.yaml', 'b.yaml']);
    expect(parse('# state\nfiles:   # the list\n  - a.yaml  # one\n  - "b.yaml"\n')).toEqual([
      'a.yaml',
      'b.yaml',
    ]);
    expect(parse('---\n"files":\n    - a\n    -   b\n...\n')).toEqual(['a', 'b']);
    expect(parse('\ufefffiles:\r\n- a\r\n- b\r\n')).toEqual(['a', 'b']);
  });

  it('follows tags, anchors, aliases and merge keys as yaml.v2 does', () => {
    expect(parse('files: [!!str 123, !!binary aGk=, !custom x, !!int 07]\n')).toEqual([
      '123',
      'hi',
      'x',
      '07',
    ]);
    expect(parse('base: &b [x, &y z]\nfiles: *b\n')).toEqual(['x', 'z']);
    expect(parse('base: &m {files: [m]}\n<<: *m\n')).toEqual(['m']);
    expect(parse('<<: [{files: [first]}, {files: [second]}]\n')).toEqual(['first']);
  });

  it('rejects a files value that is not a list', () => {
    expect(() => parse('files: {a: 1}\n')).toThrow('state: "files" must be a list of paths');
    expect(() => parse('files: a.yaml\n')).toThrow('state: "files" must be a list of paths');
    expect(() => parse('files: [a, [b]]\n')).toThrow('state: "files" must be a list of paths');
  });

  it('rejects a document that is not a mapping', () => {
    expect(() => parse('- a\n')).toThrow('state: not a mapping with a "files" list of paths');
    expect(() => parse('just text\n')).toThrow('state: not a mapping with a "files" list of paths');
  });

  it('rejects content that is not YAML', () => {
    const notYaml = (content: string, reason: string) =>
      expect(() => parse(content)).toThrow(
        `state: not valid YAML (${reason}); delete it to let it be rewritten`,
      );
    // Parser errors give yaml.v2's 0-based line, scanner errors a 1-based one.
    notYaml('files: [a\n', "yaml: line 1: did not find expected ',' or ']'");
    notYaml('files:\n- a\n b: c\n', 'yaml: line 3: mapping values are not allowed in this context');
    notYaml("files:\n- 'a\n", 'yaml: line 3: found unexpected end of stream');
    notYaml('files:\n- "\\q"\n', 'yaml: line 2: found unknown escape character');
    notYaml('files: *nope\n', "yaml: unknown anchor 'nope' referenced");
    notYaml('files:\n- a\x01\n', 'yaml: control characters are not allowed');
    notYaml('files: [!!int x]\n', 'yaml: cannot decode !!str `x` as a !!int');
    notYaml('%YAML 1.2\n---\nfiles: []\n', 'yaml: found incompatible YAML document');
  });
});

/** mulberry32: a small deterministic generator, so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('round trip', () => {
  const random = prng(0x5eed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const alphabet = [
    ...'abcxyzABCXYZ0123456789',
    ...' :#-?\'"\\/.,[]{}&*!|>%@`',
    ...'\t\n\r',
    'é',
    '中',
    '😀',
    '\u2028',
    '\u2029',
    '\u0085',
    '\u00a0',
    '\ufeff',
    '\0',
    '\x7f',
    '\x1b',
  ];
  const tricky = [
    'null',
    '~',
    'true',
    'no',
    '1e3',
    '0x1F',
    '0b101',
    '-0b101',
    '0b-1',
    '1_000',
    '.5',
    '._5',
    '2001-12-14',
    '2001-12-14 21:59:43.10',
    '2024-02-30',
    '1:20',
    '...',
    '---',
    '- a',
    '? a',
    ': a',
    '<<',
    '',
  ];
  const word = () =>
    Array.from({ length: 1 + Math.floor(random() * 9) }, () => pick([...'abcdefgh./-_é中'])).join(
      '',
    );

  function randomString(): string {
    const r = random();
    if (r < 0.1) return pick(tricky);
    let s: string;
    if (r < 0.3) {
      // Long, with spaces, to exercise folding of every style.
      s = Array.from({ length: 10 + Math.floor(random() * 30) }, () =>
        random() < 0.9 ? word() : pick(alphabet),
      ).join(random() < 0.8 ? ' ' : pick([' ', '  ', ' \n', '\n', ' - ', ': ']));
    } else {
      s = Array.from({ length: Math.floor(random() * 14) }, () => pick(alphabet)).join('');
    }
    if (random() < 0.1) s = ` ${s}`;
    if (random() < 0.1) s = `${s} `;
    if (random() < 0.05) s = `\n${s}`;
    if (random() < 0.1) s = `${s}\n`;
    return s;
  }

  it('reads back what it writes, for 2,000 pseudo-random strings', () => {
    const strings = Array.from({ length: 2000 }, randomString);
    for (const s of strings) {
      const written = renderStateFile([s]);
      expect({ s, back: parseStateFile(written, 'state') }).toEqual({ s, back: [s] });
    }
    for (let i = 0; i < strings.length; i += 8) {
      const list = strings.slice(i, i + 8);
      expect(roundTrip(list)).toEqual(list);
    }
  });
});
