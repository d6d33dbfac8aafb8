import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { decisionAllows, ownerRef } from './caller';

describe('ownerRef', () => {
  it.each([
    ['team-a', 'default', 'group:default/team-a'],
    ['team-a', 'platform', 'group:platform/team-a'],
    ['User:ops/alice', 'default', 'user:ops/alice'],
    ['group:team_b.x', 'default', 'group:default/team_b.x'],
  ])('reads %j in namespace %s as %s', (owner, namespace, ref) => {
    expect(ownerRef(owner, namespace)).toBe(ref);
  });

  it.each([
    'team-a\n',
    'group:team-a\nX-Injected: 1',
    'a/b/c',
    'group:',
    ':x',
    'UPPER/name',
    '',
    'x'.repeat(64),
  ])('gives no owner for %j, which is no entity ref', owner => {
    expect(ownerRef(owner, 'default')).toBeUndefined();
  });

  it('gives no owner for a value that is not text', () => {
    expect(ownerRef({ name: 'team-a' }, 'default')).toBeUndefined();
  });
});

describe('decisionAllows', () => {
  const conditional = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'kratix',
    resourceType: 'kratix-destination',
    conditions: { rule: 'X', resourceType: 'kratix-destination', params: {} },
  } as const;

  it('follows allow and deny without asking the rules', () => {
    const rules = jest.fn(() => true);
    expect(decisionAllows(rules, { result: AuthorizeResult.ALLOW }, () => 1)).toBe(true);
    expect(decisionAllows(rules, { result: AuthorizeResult.DENY }, () => 1)).toBe(false);
    expect(rules).not.toHaveBeenCalled();
  });

  it('applies conditions to the resource', () => {
    expect(
      decisionAllows(
        (_d, r: number) => r > 1,
        conditional,
        () => 2,
      ),
    ).toBe(true);
    expect(
      decisionAllows(
        (_d, r: number) => r > 1,
        conditional,
        () => 1,
      ),
    ).toBe(false);
  });

  it('refuses only the resource a rule cannot evaluate', () => {
    const throwing = () => {
      throw new TypeError("Cannot read properties of null (reading '1')");
    };
    expect(decisionAllows(throwing, conditional, () => 1)).toBe(false);
    expect(
      decisionAllows(
        () => true,
        conditional,
        () => 1,
      ),
    ).toBe(true);
  });
});
