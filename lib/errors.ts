/**
 * Errors meant for a person: the message is one sentence saying what is wrong and how to fix it.
 * CLIs and the server print such a message alone, without a stack trace; browser-safe, so the
 * shared modules in lib/ can throw it too.
 */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
}
