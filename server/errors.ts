/**
 * Errors meant for a person: the message is one sentence saying what is wrong and how to fix it.
 * CLIs and the server print such a message alone, without a stack trace.
 */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
}

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
