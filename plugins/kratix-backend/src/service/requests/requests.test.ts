import { invalidUtf8Offset, charsetOf } from './body';
import { queryErrors } from './pages';
import { parseWorkRequest } from './workRequest';

const limits = { maxFileBytes: 1 << 20, maxWorkBytes: 10 << 20, maxFiles: 100 };
const body = (extra: string) =>
  JSON.parse(
    `{"promise":"app","resource":"r","pipeline":"p","files":[{"path":"a.yaml","content":"a"}]${extra}}`,
  );
const refusal = (b: unknown) => {
  try {
    parseWorkRequest(b, limits);
  } catch (e: any) {
    return e.message;
  }
  return undefined;
};

describe('parseWorkRequest: selectors on the raw body', () => {
  it.each([
    [
      ',"destinationSelectors":{"__proto__":{"target":"x"}}',
      'destinationSelectors: key "__proto__" is reserved',
    ],
    [',"destinationSelectors":{"constructor":"x"}', 'destinationSelectors: key "constructor"'],
    [',"promiseSelectors":[{"a":"b"},{"__proto__":"x"}]', 'promiseSelectors[1]: key "__proto__"'],
    [',"promiseWorkflowSelectors":[{"prototype":"x"}]', 'promiseWorkflowSelectors[0]: key'],
    [
      ',"workloadGroups":[{"directory":"g","destinationSelectors":{"__proto__":{}}}]',
      'workloadGroups[0].destinationSelectors: key "__proto__"',
    ],
    [',"destinationSelectors":{"a b":"x"}', 'destinationSelectors: key "a b" is not a valid'],
    [
      ',"destinationSelectors":{"env":"a\\nb"}',
      'destinationSelectors.env: value "a\nb" is not a valid label value',
    ],
  ])('refuses %s', (extra, message) => {
    expect(refusal(body(extra))).toContain(message);
  });

  it('the JSON parser keeps __proto__ as a key, and a good selector still parses', () => {
    expect(
      Object.keys(body(',"destinationSelectors":{"__proto__":{}}').destinationSelectors),
    ).toEqual(['__proto__']);
    const work = parseWorkRequest(body(',"destinationSelectors":{"env":"dev"}'), limits);
    expect(work.groups[0].selectors).toEqual({ env: 'dev' });
  });

  it('names each mistake once', () => {
    expect(refusal(body(',"destinationSelectors":"x"'))).toBe(
      'destinationSelectors: must be a map of label keys to values, e.g. {environment: dev}',
    );
  });
});

describe('parseWorkRequest: empty names', () => {
  it('refuses an empty resource instead of making a dependency', () => {
    expect(refusal({ ...body(''), resource: '' })).toBe(
      'resource: must not be empty; leave it out for a dependency work',
    );
  });
  it('refuses an empty namespace', () => {
    expect(refusal({ ...body(''), namespace: '' })).toContain('namespace: must not be empty');
  });
  it('still takes a dependency without resource', () => {
    const { resource: _r, ...dependency } = body('');
    expect(parseWorkRequest(dependency, limits)).toMatchObject({
      namespace: 'kratix-platform-system',
      name: 'app-p',
    });
  });
});

describe('invalidUtf8Offset', () => {
  it.each([
    [[0x61, 0x62], -1],
    [[0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x61, 0xff], 1],
    [[0x80], 0],
    [[0x61, 0xc0, 0xaf], 1],
    [[0xc2], 0],
    [[0xe0, 0x80, 0x80], 0],
    [[0xed, 0xa0, 0x80], 0],
    [[0xf4, 0x90, 0x80, 0x80], 0],
    [[0xf5, 0x80, 0x80, 0x80], 0],
    [[0x61, 0x62, 0xe2, 0x82, 0x22], 2],
  ])('%j -> %d', (bytes, offset) => {
    expect(invalidUtf8Offset(Buffer.from(bytes))).toBe(offset);
  });
});

describe('charsetOf and queryErrors', () => {
  it('reads the charset', () => {
    expect(charsetOf('application/json; charset="UTF-16LE"')).toBe('utf-16le');
    expect(charsetOf('application/json;charset=utf-8; x=y')).toBe('utf-8');
    expect(charsetOf('application/json')).toBeUndefined();
    expect(charsetOf(undefined)).toBeUndefined();
  });
  it('names each query parameter with a control character', () => {
    expect(
      queryErrors({ search: 'a\u0000', ok: 'x', list: ['a', 'b\n'], 'k\u0007': 'v' } as any),
    ).toEqual([
      'search: "a\\u0000" contains the control character U+0000 (NUL); remove it',
      'list[1]: "b\\n" contains the control character U+000A (newline); remove it',
      'query parameter name: "k\\u0007" contains the control character U+0007; remove it',
    ]);
  });
});

describe('parseWorkRequest: annotations', () => {
  it('keeps annotations as sent', () => {
    expect(
      parseWorkRequest(
        body(',"annotations":{"ticket":"OPS-1","example.com/why":"audit: yes"}'),
        limits,
      ).annotations,
    ).toEqual({ ticket: 'OPS-1', 'example.com/why': 'audit: yes' });
  });

  it.each([
    [',"annotations":{"__proto__":"x"}', 'annotations: key "__proto__" is reserved'],
    [',"annotations":{"a b":"x"}', 'annotations: key "a b" is not a valid annotation key'],
    [
      ',"annotations":{"ticket":"OPS-1\\nSigned-off-by: x"}',
      'annotations.ticket: must be one line',
    ],
    [',"annotations":{"ticket":7}', 'annotations.ticket: must be text, not 7'],
    [',"annotations":["OPS-1"]', 'annotations: must be a map of keys to text'],
    [`,"annotations":{"ticket":"${'x'.repeat(1025)}"}`, 'at most 1024 characters'],
  ])('refuses %s', (extra, message) => {
    expect(refusal(body(extra))).toContain(message);
  });
});
