import { createHash } from 'node:crypto';
import { parseWorkRequest } from './workRequest';

const limits = { maxFileBytes: 100, maxWorkBytes: 150, maxFiles: 5 };
const base = { promise: 'app', pipeline: 'p', files: [{ path: 'a.yaml', content: 'a' }] };
const messages = (body: any): string => {
  try {
    parseWorkRequest(body, limits);
    return '';
  } catch (e: any) {
    expect(e.name).toBe('InputError');
    return e.message;
  }
};

describe('parseWorkRequest', () => {
  it('splits files into the default group and workload groups, with Kratix IDs and names', () => {
    const work = parseWorkRequest(
      {
        promise: 'db',
        resource: 'orders',
        pipeline: 'configure',
        destinationSelectors: { env: 'dev' },
        workloadGroups: [
          { directory: 'terraform/', destinationSelectors: { terraform: 'enabled' } },
        ],
        files: [
          { path: 'cm.yaml', content: 'x' },
          { path: './terraform/main.tf', content: 'dGY=', encoding: 'base64' },
        ],
      },
      limits,
      'user:default/jo',
    );
    expect(work).toEqual({
      namespace: 'default',
      name: 'db-orders-configure',
      promise: 'db',
      resource: 'orders',
      pipeline: 'configure',
      createdBy: 'user:default/jo',
      groups: [
        {
          id: '5058f1af8388633f609cadb75a75dc9d',
          directory: '.',
          selectors: { env: 'dev' },
          files: [{ path: 'cm.yaml', content: Buffer.from('x') }],
        },
        {
          id: createHash('md5').update('terraform').digest('hex'),
          directory: 'terraform',
          selectors: { terraform: 'enabled' },
          files: [{ path: 'terraform/main.tf', content: Buffer.from('tf') }],
        },
      ],
    });
  });

  it('has no default group when every file is in a workload group', () => {
    const work = parseWorkRequest(
      { ...base, workloadGroups: [{ directory: 'x' }], files: [{ path: 'x/a', content: '' }] },
      limits,
    );
    expect(work.groups.map(g => g.directory)).toEqual(['x']);
  });

  it.each([
    [{ ...base, promise: undefined }, 'promise: is required'],
    [
      { ...base, pipeline: 'P!' },
      'pipeline: "P!" is not a valid name; use up to 63 lowercase letters, digits and "-", starting and ending with a letter or digit',
    ],
    [{ ...base, files: [] }, 'files: at least one file is required, as [{path, content}]'],
    [
      { ...base, files: [{ path: '/etc/passwd', content: '' }] },
      'files[0].path: "/etc/passwd" must be relative to the work\'s root, not absolute',
    ],
    [
      { ...base, files: [{ path: 'a/../../b', content: '' }] },
      'files[0].path: "a/../../b" contains a ".." segment; files must stay inside the work',
    ],
    [
      { ...base, files: [{ path: 'dir/', content: '' }] },
      'files[0].path: "dir/" is a directory, not a file',
    ],
    [
      {
        ...base,
        files: [
          { path: 'a', content: '' },
          { path: './a', content: '' },
        ],
      },
      'files[1].path: "a" is listed twice',
    ],
    [{ ...base, files: [{ path: 'a', content: 1 }] }, 'files[0].content: must be a string'],
    [
      { ...base, files: [{ path: 'a', content: '', encoding: 'hex' }] },
      'files[0].encoding: "hex" is not one of utf-8, base64',
    ],
    [
      { ...base, files: [{ path: 'a', content: 'x'.repeat(101) }] },
      'files[0]: "a" is 101 bytes, more than the limit of 100 (kratix.works.maxFileBytes)',
    ],
    [
      {
        ...base,
        files: [
          { path: 'a', content: 'x'.repeat(80) },
          { path: 'b', content: 'x'.repeat(80) },
        ],
      },
      'files: 160 bytes in all, more than the limit of 150 (kratix.works.maxWorkBytes)',
    ],
    [
      { ...base, files: Array.from({ length: 6 }, (_, i) => ({ path: `f${i}`, content: '' })) },
      'files: 6 files is more than the limit of 5 (kratix.works.maxFiles)',
    ],
    [
      { ...base, destinationSelectors: { 'a b': 'c' } },
      'destinationSelectors: key "a b" is not a valid label key; use up to 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [
      { ...base, workloadGroups: [{ directory: 'x' }] },
      'workloadGroups[0].directory: "x" holds no file of the work',
    ],
    [
      { ...base, workloadGroups: [{ directory: '.' }] },
      'workloadGroups[0].directory: "." is the work\'s root; use destinationSelectors for the default group',
    ],
    [
      {
        ...base,
        workloadGroups: [{ directory: 'a' }, { directory: 'a/b' }],
        files: [{ path: 'a/b/c', content: '' }],
      },
      'workloadGroups[1].directory: "a/b" is nested with "a"; workload group directories must not contain each other',
    ],
    [
      {
        ...base,
        workloadGroups: [{ directory: 'a' }, { directory: 'a/' }],
        files: [{ path: 'a/c', content: '' }],
      },
      'workloadGroups[1].directory: "a" is listed twice',
    ],
    [
      { ...base, workloadGroups: 'a' },
      'workloadGroups: must be a list of {directory, destinationSelectors}',
    ],
  ])('rejects %j', (body, message) => {
    expect(messages(body)).toContain(message);
  });

  it('rejects a body that is not an object', () => {
    expect(messages([])).toBe('body: must be a JSON object describing a work');
  });
});
