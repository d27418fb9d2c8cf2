/**
 * One web node of `npm run bench:realtime -- --nodes N`: starts the server from the environment as
 * `node server/main.ts` does (same options), and measures its own event-loop lag when the benchmark
 * asks over the IPC channel it was spawned with: `{ type: 'lag:start' }`, then `{ type: 'lag:stop' }`
 * answered by `{ type: 'lag', lag: LagFigures }`. Only the benchmarks start it; it ends with them.
 * `--relaxed-message-budget` lifts the per-address message budget (bench:realtime: every viewer is
 * on 127.0.0.1); bench:abuse runs it with the real one.
 */
import { runCli, UserFacingError } from '../errors';
import { type LagFigures, lagMonitor } from './bench-realtime-lag';

export type NodeRequest = { type: 'lag:start' } | { type: 'lag:stop' };
export type NodeReply = { type: 'lag'; lag: LagFigures };

process.env.NEXT_TELEMETRY_DISABLED = '1';

await runCli(async () => {
  if (!process.send)
    throw new UserFacingError('bench-realtime-node is started by `npm run bench:realtime -- --nodes N`.');
  const { env } = await import('../env');
  const { startServer } = await import('../main');
  const { RELAXED_MESSAGE_BUDGET } = await import('../limits');
  const server = await startServer({
    // bench:realtime's thousands of viewers all come from 127.0.0.1; bench:abuse keeps the real budget.
    ...(process.argv.includes('--relaxed-message-budget') && { messageBudget: RELAXED_MESSAGE_BUDGET }),
    port: env.PORT,
    host: env.HOST,
    dev: env.NODE_ENV !== 'production',
    requireDatabase: true,
    pages: env.PAGES,
    redisPrefix: env.REDIS_PREFIX,
    quiet: true,
  });
  const lag = lagMonitor();
  process.on('message', (m: NodeRequest) => {
    if (m.type === 'lag:start') lag.start();
    else if (m.type === 'lag:stop') process.send!({ type: 'lag', lag: lag.stop() } satisfies NodeReply);
  });
  const stop = () => {
    setTimeout(() => process.exit(1), 10_000).unref();
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop); // the benchmark is gone
  const { backend } = server.status.current();
  console.log(
    `Fashion-MNIST playground: ${server.url} (bench node, pid ${process.pid}, backend ${backend.name ?? 'none'})`,
  );
});
