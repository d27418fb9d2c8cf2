/**
 * The operator's credential (ADMIN_TOKEN): what only an operator may do (change the model the
 * server serves by default, hide abusive content) asks `checkAdmin(token)` first. Without the
 * variable nobody is an operator. Compared in constant time, so response timing tells nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { UserFacingError } from './errors';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether `token` is the operator's credential `expected` (false when either is missing). */
export function isAdminToken(token: string | undefined, expected: string | undefined): boolean {
  if (!expected || !token) return false;
  return timingSafeEqual(digest(token), digest(expected));
}

/** Throws the sentence an operator-only request gets when `token` is not the credential. */
export function checkAdmin(token: string | undefined, expected: string | undefined): void {
  if (!expected)
    throw new UserFacingError('Operator actions are off on this server: it was started without ADMIN_TOKEN.');
  if (!isAdminToken(token, expected)) throw new UserFacingError('That operator token is not right.');
}
