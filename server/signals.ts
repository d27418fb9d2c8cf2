/**
 * How a long-running process of the playground (a web node, a trainer) stops: on SIGINT or
 * SIGTERM it says what it is doing and closes cleanly; a second signal, or a close that takes
 * longer than `graceMs`, ends it at once.
 */
export function closeOnSignals(doing: string, close: () => Promise<void>, graceMs: number): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1); // a second Ctrl-C means now
    stopping = true;
    console.log(`${signal}: ${doing}...`);
    setTimeout(() => process.exit(1), graceMs).unref();
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('error while closing:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
