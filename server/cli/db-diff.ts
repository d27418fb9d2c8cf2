/**
 * `npm run db:diff -- --name <name>`: writes the migration that takes the database from
 * prisma/migrations/* to schema.prisma. `--check` only reports whether one is needed (for CI).
 */
import { Command } from 'commander';
import { z } from 'zod';
import { pendingSchemaChanges, writeMigration } from '../db/diff';
import { runCli, UserFacingError } from '../errors';

const Args = z.object({ name: z.string().optional(), check: z.boolean().default(false) });

async function main(): Promise<void> {
  const program = new Command('db:diff')
    .description('Write prisma/migrations/<timestamp>_<name>/migration.sql from the changes in prisma/schema.prisma.')
    .option('--name <name>', 'what the migration does, e.g. add_votes')
    .option('--check', 'exit 1 if schema.prisma has changes without a migration; write nothing')
    .parse();
  const args = Args.parse(program.opts());
  if (args.check) {
    const sql = await pendingSchemaChanges();
    if (sql.trim()) {
      process.stdout.write(sql);
      throw new UserFacingError(
        'prisma/schema.prisma has changes that no migration contains (SQL above): run npm run db:diff -- --name <what_changed>.',
      );
    }
    process.stdout.write('Migrations match prisma/schema.prisma.\n');
    return;
  }
  if (!args.name) {
    throw new UserFacingError('Say what the migration does: npm run db:diff -- --name <what_changed>.');
  }
  const written = await writeMigration(args.name);
  if (!written) {
    process.stdout.write('No changes: the migrations already match prisma/schema.prisma.\n');
    return;
  }
  process.stdout.write(`${written.sql}\nWrote ${written.file}\n`);
}

// The engine and pg pools can keep the event loop alive; the work is done, so leave.
await runCli(main);
process.exit(0);
