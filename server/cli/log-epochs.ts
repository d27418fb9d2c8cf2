/**
 * npm run -s log:epochs -- <training-log.json | state.json | model folder | checkpoint folder>
 * Prints a training log's epochs as the Markdown table the model cards show (server/ml/training/
 * epochTable.ts), then the run's validation choice and training time, so a card's per-epoch figures
 * are reproducible by a command. A checkpoint prints the run so far; a fine-tune or a weight average
 * prints every run behind it, each under a heading that says where its log sits and its command.
 */
import { Command } from 'commander';
import { runCli } from '../errors';
import { epochTable, readLoggedRuns, selectionLine } from '../ml/training/epochTable';

const program = new Command('log:epochs')
  .description("Print a training log's epochs as a Markdown table (the model cards' epoch tables).")
  .argument('<log>', 'a training-log.json or a checkpoint state.json, or a model or checkpoint folder');

await runCli(async () => {
  program.parse();
  const runs = await readLoggedRuns(program.args[0]!);
  const parts = runs.map(({ at, log }) => {
    const lines =
      runs.length > 1 || at ? [`### ${at || 'this run'}: \`${log.command ?? 'command not logged'}\``, ''] : [];
    lines.push(epochTable(log));
    const choice = selectionLine(log);
    const time =
      typeof log.trainSeconds === 'number'
        ? `training time: ${(log.trainSeconds / 60).toFixed(1)} min (evaluation excluded)`
        : undefined;
    if (choice || time) lines.push('', ...[choice, time].filter((l): l is string => l !== undefined));
    return lines.join('\n');
  });
  process.stdout.write(`${parts.join('\n\n')}\n`);
});
