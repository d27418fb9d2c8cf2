/**
 * `npm run db:migrate`: applies prisma/migrations/* to the configured database (DATABASE_URL, or
 * the embedded PGlite database in DATA_DIR/pglite). `--rolled-back <name>` clears a failed
 * migration so the next run retries it (the offline stand-in for `prisma migrate resolve`).
 */
import { Command } from 'commander';
import { z } from 'zod';
import { applyMigrations, markRolledBack } from '../db/migrate';
import { describeTarget, targetFromEnv } from '../db/target';
import { runCli } from '../errors';

const Args = z.object({ rolledBack: z.string().min(1).optional() });

async function main(): Promise<void> {
  const program = new Command('db:migrate')
    .description('Apply prisma/migrations/* to DATABASE_URL, or to the embedded database when it is unset.')
    .option('--rolled-back <migration>', 'mark a failed migration as rolled back, so the next run applies it again')
    .parse();
  const args = Args.parse(program.opts());
  const target = targetFromEnv();
  const where = describeTarget(target);
  if (args.rolledBack) {
    await markRolledBack(target, args.rolledBack);
    process.stdout.write(`Marked ${args.rolledBack} as rolled back on ${where}.\n`);
    return;
  }
  const { applied, ms } = await applyMigrations(target);
  const summary = applied.length ? `Applied ${applied.length} migration(s)` : 'Already up to date';
  const list = applied.length ? `: ${applied.join(', ')}` : '';
  process.stdout.write(`${summary} on ${where} in ${Math.round(ms)} ms${list}\n`);
}

// pg pools keep the event loop alive; the work is done, so leave.
await runCli(main);
process.exit(0);
