import { describe, expect, it } from 'vitest';
import { checkAdmin, isAdminToken } from '../../server/admin';

describe('the operator credential', () => {
  const token = 'operator-token-0123456789';
  it('accepts exactly the configured token', () => {
    expect(isAdminToken(token, token)).toBe(true);
    expect(isAdminToken(token + 'x', token)).toBe(false);
    expect(isAdminToken('', token)).toBe(false);
    expect(isAdminToken(undefined, token)).toBe(false);
  });
  it('makes nobody an operator when ADMIN_TOKEN is unset, with a sentence saying so', () => {
    expect(isAdminToken(token, undefined)).toBe(false);
    expect(() => checkAdmin(token, undefined)).toThrow(/started without ADMIN_TOKEN/);
    expect(() => checkAdmin('wrong-token-0123456789', token)).toThrow(/not right/);
    expect(() => checkAdmin(token, token)).not.toThrow();
  });
});
