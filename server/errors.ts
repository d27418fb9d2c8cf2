/**
 * Errors meant for a person (UserFacingError, defined in lib/errors so browser-safe modules share
 * it) and runCli, which prints them alone, without a stack trace.
 */
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
