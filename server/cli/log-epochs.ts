/**
 * npm run -s log:epochs -- <training-log.json | state.json | model folder | checkpoint folder>
 * Prints a training log's epochs as the Markdown table the model cards show (server/ml/training/
 * epochTable.ts), then the run's validation choice, so a card's per-epoch figures are reproducible by a
 * command. A checkpoint prints the run so far.
 */
import { Command } from 'commander';
import { runCli } from '../errors';
import { epochTable, readEpochLog } from '../ml/training/epochTable';

const program = new Command('log:epochs')
  .description("Print a training log's epochs as a Markdown table (the model cards' epoch tables).")
  .argument('<log>', 'a training-log.json or a checkpoint state.json, or a model or checkpoint folder');

await runCli(async () => {
  program.parse();
  const log = await readEpochLog(program.args[0]!);
  process.stdout.write(`${epochTable(log)}\n`);
  const best = (log.selection as { best?: { weights?: string; epoch?: number }; chosenOn?: string } | undefined)?.best;
  const chosenOn = (log.selection as { chosenOn?: string } | undefined)?.chosenOn;
  if (best && typeof best.epoch === 'number')
    process.stdout.write(`\nchosen on ${chosenOn}: the ${best.weights} weights after epoch ${best.epoch + 1}\n`);
  if (typeof log.trainSeconds === 'number')
    process.stdout.write(`training time: ${(log.trainSeconds / 60).toFixed(1)} min (evaluation excluded)\n`);
});
