import { goClean, goJoin, hasDotDotSegment, joinWithin } from './paths';

describe('Go path semantics', () => {
  it.each([
    ['', '.'],
    ['.', '.'],
    ['/', '/'],
    ['a//b/', 'a/b'],
    ['./a/./b', 'a/b'],
    ['a/../b', 'b'],
    ['../a', '../a'],
    ['/../a', '/a'],
    ['/clusters/', '/clusters'],
    ['a/b/..', 'a'],
  ])('Clean(%j) = %j', (input, expected) => {
    expect(goClean(input)).toBe(expected);
  });
  it.each([
    [[], ''],
    [['', ''], ''],
    [['a', ''], 'a'],
    [['state-store-path', 'dst-path/'], 'state-store-path/dst-path'],
    [['/', 'x'], '/x'],
    [['.', 'x'], 'x'],
    [['dev/', 'a.yaml'], 'dev/a.yaml'],
    [['a', '../..', 'b'], '../b'],
  ] as [string[], string][])('Join(%j) = %j', (parts, expected) => {
    expect(goJoin(...parts)).toBe(expected);
  });
  it('finds .. segments only as whole segments', () => {
    expect(hasDotDotSegment('a/../b')).toBe(true);
    expect(hasDotDotSegment('..')).toBe(true);
    expect(hasDotDotSegment('a..b/c')).toBe(false);
  });
  it('joins within a base and refuses to leave it', () => {
    expect(joinWithin('dest', 'a/../b.yaml', 'f')).toBe('dest/b.yaml');
    expect(joinWithin('.', 'b.yaml', 'f')).toBe('b.yaml');
    expect(joinWithin('/', 'b.yaml', 'f')).toBe('/b.yaml');
    expect(() => joinWithin('dest', '../b.yaml', 'file')).toThrow(
      'file: "../b.yaml" resolves to "b.yaml", outside "dest"; remove the ".." segments',
    );
    expect(() => joinWithin('.', '../b.yaml', 'file')).toThrow('outside "."');
    expect(() => joinWithin('dest', '/etc/passwd', 'file')).not.toThrow(); // Join, as Go: "dest/etc/passwd"
  });
});
