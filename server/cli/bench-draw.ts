/**
 * npm run bench:draw -- [--strokes 50] [--model models/cnn] [--recognition worker|inline] [--json]
 * Stroke -> bars as a person feels it: the playground server in this process (on 127.0.0.1, with a
 * throw-away embedded database and data folder, the committed CNN), /draw in headless Chromium
 * (Debian's /usr/bin/chromium through playwright-core), and a mouse drawing garment outlines at a
 * hand's pace (a point every ~10 ms), five strokes per garment, the canvas cleared between garments.
 * For each stroke it measures, in the page's own clock, the time from the pointer-up event to the
 * last change of the probability bars after it (the answer for the finished drawing), and prints
 * p50/p95 against the target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from '@commander-js/extra-typings';
import { runCli, UserFacingError } from '../errors';
import { mulberry32 } from '../ml/data/random';
import { benchDrawing } from '../recognition/bench/drawings';
import { checkChromium, launchChromium, quantile, startLocalServer } from './bench';
import { numberOption } from './options';

const TARGET_P95_MS = 50;
/** Quiet time after pointer-up after which the bars count as settled. */
const SETTLE_MS = 400;
const STROKES_PER_GARMENT = 5;

const program = new Command('bench:draw')
  .description('Measure mouse-up -> probability bars changed on /draw in headless Chromium.')
  .option('--strokes <n>', 'strokes drawn (five per garment)', numberOption, 50)
  .option('--model <dir>', 'model folder', 'models/cnn')
  .option(
    '--recognition <thread>',
    'where the server recognizes: worker (micro-batched) or inline (the socket thread)',
    'worker',
  )
  .option('--json', 'print one JSON object on stdout');

await runCli(async () => {
  program.parse();
  const o = program.opts();
  if (!Number.isInteger(o.strokes) || o.strokes < 1 || o.strokes > 1000)
    throw new UserFacingError('--strokes must be a whole number from 1 to 1000.');
  if (o.recognition !== 'worker' && o.recognition !== 'inline')
    throw new UserFacingError('--recognition must be worker or inline.');
  checkChromium();
  const modelDir = path.resolve(o.model);
  if (!existsSync(path.join(modelDir, 'model.json')))
    throw new UserFacingError(`No model at ${modelDir}: pass --model with a trained CNN folder.`);
  const log = (line: string) => (o.json ? process.stderr : process.stdout).write(line + '\n');

  // A throw-away data folder and embedded database; set before server/env.ts parses the environment.
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bench-draw-'));
  process.env.DATA_DIR = scratch;
  delete process.env.DATABASE_URL;
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  try {
    const { ensureNextBuild } = await import('../../scripts/start.mjs');
    await ensureNextBuild({ quiet: !!o.json });
    const server = await startLocalServer({
      draw: { modelDir, recognition: { thread: o.recognition as 'worker' | 'inline' } },
    });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (err) => problems.push(err.message));
      // The server's own time for each recognition (elapsedMs in the replies): the rest is the
      // network, the page and the browser.
      const serverMs: number[] = [];
      page.on('websocket', (ws) =>
        ws.on('framereceived', (f) => {
          const m = /"elapsedMs":([0-9.eE+-]+)/.exec(String(f.payload));
          if (m) serverMs.push(Number(m[1]));
        }),
      );
      await page.goto(server.url + '/draw');
      await page.getByTestId('sketch-canvas').locator('canvas').first().waitFor();
      await page.evaluate(() => {
        const w = window as unknown as { __bench: { up: number; change: number; changes: number } };
        w.__bench = { up: 0, change: 0, changes: 0 };
        addEventListener('pointerup', () => void (w.__bench.up = performance.now()), true);
        const bars = document.querySelector('[data-testid="probability-bars"]')!;
        new MutationObserver(() => {
          w.__bench.change = performance.now();
          w.__bench.changes++;
        }).observe(bars, { subtree: true, attributes: true, attributeFilter: ['data-probability'] });
      });
      const box = (await page.getByTestId('sketch-canvas').boundingBox())!;
      log(
        `bench:draw: ${o.strokes} strokes on /draw in headless Chromium, server recognition ${o.recognition}, model ${modelDir}`,
      );

      const rand = mulberry32(7);
      const latencies: number[] = [];
      let unchanged = 0;
      let garment: number[][] = [];
      for (let s = 0; s < o.strokes; s++) {
        if (garment.length === 0) {
          if (s > 0) {
            await page.keyboard.press('Delete');
            await page.waitForTimeout(SETTLE_MS);
          }
          garment = splitStroke(benchDrawing(rand)[0]!.points, STROKES_PER_GARMENT);
        }
        const points = garment.shift()!;
        const at = (i: number) =>
          [box.x + (points[2 * i]! / 400) * box.width, box.y + (points[2 * i + 1]! / 400) * box.height] as const;
        await page.mouse.move(...at(0));
        await page.mouse.down();
        for (let i = 1; i < points.length / 2; i++) {
          // A hand's pace; the pen lifts right at the last point.
          if (i > 1) await page.waitForTimeout(10);
          await page.mouse.move(...at(i));
        }
        await page.mouse.up();
        // Wait for the bars to settle: no change for SETTLE_MS.
        let m = { up: 0, change: 0, now: 0 };
        for (let tries = 0; tries < 100; tries++) {
          await page.waitForTimeout(50);
          m = await page.evaluate(() => {
            const b = (window as unknown as { __bench: { up: number; change: number } }).__bench;
            return { up: b.up, change: b.change, now: performance.now() };
          });
          if (m.now - Math.max(m.up, m.change) >= SETTLE_MS) break;
        }
        // Strokes whose bars did not change after pointer-up (the answer for the finished drawing
        // arrived before it, or changed no shown digit) have no latency to measure: counted apart.
        if (m.change > m.up) latencies.push(m.change - m.up);
        else unchanged++;
      }
      const p50 = quantile(latencies, 0.5);
      const p95 = quantile(latencies, 0.95);
      log(
        `mouse-up -> bars changed, over the ${latencies.length} strokes whose bars changed after mouse-up: p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (target p95 <= ${TARGET_P95_MS} ms: ${p95 <= TARGET_P95_MS ? 'met' : 'NOT met'}); ${unchanged} of ${o.strokes} strokes showed their answer before mouse-up or changed no shown digit`,
      );
      log(
        `server time per recognition (${serverMs.length} replies, request to answer inside the server): p50 ${quantile(serverMs, 0.5).toFixed(1)} ms, p95 ${quantile(serverMs, 0.95).toFixed(1)} ms`,
      );
      if (problems.length) log(`page errors: ${problems.join('; ')}`);
      if (o.json)
        process.stdout.write(
          JSON.stringify({
            strokes: o.strokes,
            measured: latencies.length,
            recognition: o.recognition,
            p50,
            p95,
            max: Math.max(...latencies),
            unchanged,
            targetP95Ms: TARGET_P95_MS,
            latencies,
            serverMs: { p50: quantile(serverMs, 0.5), p95: quantile(serverMs, 0.95) },
          }) + '\n',
        );
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  process.exit(0);
});

/** One long stroke's points cut into `parts` strokes, every other point kept (a mouse's spacing). */
function splitStroke(points: number[], parts: number): number[][] {
  const kept: number[] = [];
  for (let i = 0; i + 1 < points.length; i += 4) kept.push(points[i]!, points[i + 1]!);
  const n = kept.length / 2;
  return Array.from({ length: parts }, (_, k) => {
    const from = Math.floor((k * n) / parts);
    const to = Math.min(n, Math.floor(((k + 1) * n) / parts) + 1);
    return kept.slice(2 * from, 2 * to);
  });
}
