/**
 * Errors meant for a person (UserFacingError, defined in lib/errors so browser-safe modules share
 * it) and runCli, which prints them alone, without a stack trace.
 */
import path from 'node:path';
import { UserFacingError } from '../lib/errors';

export { UserFacingError };

/** Runs a CLI's main function: a UserFacingError becomes `error: <message>` and exit code 1. */
export async function runCli(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (err instanceof UserFacingError) {
      process.stderr.write(`error: ${err.message}\n`);
    } else {
      process.stderr.write(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
    process.exit(1);
  }
}

/**
 * The database could not be opened (down, unreachable, locked, failed to migrate). Its message is
 * for the operator (a CLI prints it: host, folder, what to do); visitors get `publicMessage`, and
 * HTTP answers 503, since the fault is not theirs.
 */
export class DatabaseUnavailableError extends UserFacingError {
  readonly publicMessage = 'The database is not answering right now; try again in a moment.';
}

/**
 * A message for every visitor's eyes: no file path of the server (an absolute path tells how the
 * machine is laid out). Paths in messages become their last part.
 */
export function withoutPaths(text: string): string {
  return text.replace(/(?:[A-Za-z]:)?(?:[\\/][^\s'"`:,;()\\/]+){2,}[\\/]?/g, (p) => `…/${path.basename(p)}`);
}
