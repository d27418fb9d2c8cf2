/**
 * npm run worker -- [--slots 1] [--lock-seconds 30] [--training auto|in-process|threads]
 * A trainer process for several machines (README, "Several machines"): takes live training
 * sessions from the queue in Redis and trains them with the project's training loop; web nodes
 * (`npm start` with the same REDIS_URL, DATABASE_URL and DATA_DIR) show them to viewers. Needs
 * REDIS_URL; stops cleanly on SIGINT/SIGTERM (its jobs go back to the queue for another trainer).
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { closeOnSignals } from '../signals';
import { numberOption } from './options';

const program = new Command('worker')
  .description('Train the live sessions queued by the web nodes (several machines: needs REDIS_URL).')
  .option('--slots <n>', 'sessions trained at once (one per accelerator or per free core)', numberOption, 1)
  .option(
    '--lock-seconds <s>',
    'a trainer silent this long is taken for dead and its job goes to another',
    numberOption,
    30,
  )
  .option('--no-assess', 'do not assess finished models (the quick assessment)')
  .addOption(
    new Option(
      '--training <where>',
      'where runs train: in this process (one session at a time; what a native backend needs) or in worker threads; auto: in-process with tfjs-node(-gpu), threads otherwise',
    )
      .choices(['auto', 'in-process', 'threads'])
      .default('auto'),
  );

await runCli(async () => {
  program.parse();
  const o = program.opts();
  if (!Number.isInteger(o.slots) || o.slots < 1 || o.slots > 64)
    throw new UserFacingError(`--slots must be a whole number from 1 to 64 (got ${o.slots}).`);
  if (!(o.lockSeconds >= 2 && o.lockSeconds <= 600))
    throw new UserFacingError(`--lock-seconds must be from 2 to 600 (got ${o.lockSeconds}).`);
  const { env, dataDir } = await import('../env');
  if (!env.REDIS_URL)
    throw new UserFacingError(
      'A trainer needs REDIS_URL (the Redis the web nodes use) and DATABASE_URL; see README, "Several machines".',
    );
  const { initBackend } = await import('../ml/backend');
  const backend = await initBackend();
  const { startTrainer, trainsInProcess } = await import('../cluster/trainer');
  const inProcess = o.training === 'auto' ? trainsInProcess(backend.name) : o.training === 'in-process';
  const { getDb } = await import('../db');
  const trainer = await startTrainer({
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    slots: o.slots,
    outRoot: path.join(dataDir(), 'sessions'),
    getDb,
    assess: o.assess,
    lockMs: o.lockSeconds * 1000,
    backend,
    inProcess,
  });
  console.log(
    `trainer on ${os.hostname()} (pid ${process.pid}): ${o.slots} slot(s), backend ${backend.name}${backend.simd ? ' (simd)' : ''}, ` +
      `training ${inProcess ? 'in this process' : 'in worker threads'}; ` +
      `waiting for sessions in ${env.REDIS_URL.replace(/\/\/[^@/]*@/, '//***@')}`,
  );
  closeOnSignals('handing the running sessions back to the queue', () => trainer.close(), 15_000);
  await new Promise(() => undefined); // runs until a signal
});
