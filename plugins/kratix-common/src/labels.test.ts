import { labelErrors, nameErrors } from './labels';

describe('labels', () => {
  it('accepts Kubernetes labels', () => {
    expect(
      labelErrors('s', { environment: 'dev', 'kratix.io/team': 'a_b.c-d', empty: '' }),
    ).toEqual([]);
  });
  it.each([
    [
      { 'bad key': 'x' },
      's: key "bad key" is not a valid label key; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { 'Bad_/x': 'x' },
      's: key "Bad_/x" has an invalid prefix; use a DNS subdomain such as example.com/',
    ],
    [
      { env: 'dev!' },
      's.env: value "dev!" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [{ env: true }, 's.env: value must be a string, not true; quote it in YAML'],
    [
      { env: 'x'.repeat(64) },
      `s.env: value "${'x'.repeat(64)}" is not a valid label value; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`,
    ],
    [['a'], 's: must be a map of label keys to values, e.g. {environment: dev}'],
  ])('rejects %j', (labels, message) => {
    expect(labelErrors('s', labels)).toEqual([message]);
  });
  it('checks names', () => {
    expect(nameErrors('promise', 'redis')).toEqual([]);
    expect(nameErrors('promise', '')).toEqual(['promise: is required']);
    expect(nameErrors('resource', undefined, false)).toEqual([]);
    expect(nameErrors('promise', 'Redis_1')).toEqual([
      'promise: "Redis_1" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    ]);
  });
});
