/**
 * npm run social-preview [-- --data-dir tests/fixtures/fashion-mnist --out app/opengraph-image.png]
 * Draws the picture a link to the playground shows in chats and social networks (Open Graph,
 * 1200x630): the name, one line on what it does, and a row of real Fashion-MNIST test images per
 * class, enlarged pixel by pixel. Next.js serves app/opengraph-image.png with its og:image tags
 * (size, type, and the alt text of app/opengraph-image.alt.txt). Deterministic: the first test
 * image of each class in the committed subset.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { Command } from '@commander-js/extra-typings';
import { CLASS_NAMES, NUM_CLASSES } from '../../lib/classes';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../lib/image';
import { runCli } from '../errors';
import { loadSplit } from '../ml/data/fashionMnist';

const WIDTH = 1200;
const HEIGHT = 630;
const FONT = 'Liberation Sans, DejaVu Sans, sans-serif';

const program = new Command('social-preview')
  .description('Draw the Open Graph picture of the playground (1200x630 PNG).')
  .option('--data-dir <dir>', 'Fashion-MNIST folder to take the garments from', 'tests/fixtures/fashion-mnist')
  .option('--out <file>', 'PNG file to write', path.join('app', 'opengraph-image.png'));

await runCli(async () => {
  program.parse();
  const o = program.opts();
  const test = await loadSplit('test', path.resolve(o.dataDir));
  const canvas = createCanvas(WIDTH, HEIGHT);
  const g = canvas.getContext('2d');
  g.fillStyle = '#09090b';
  g.fillRect(0, 0, WIDTH, HEIGHT);
  g.fillStyle = '#fafafa';
  g.font = `bold 64px ${FONT}`;
  g.fillText('Fashion-MNIST Playground', 60, 130);
  g.fillStyle = '#a1a1aa';
  g.font = `30px ${FONT}`;
  g.fillText('Train a model together, live. Draw a garment and watch it guess.', 60, 190);
  g.fillText('Vote on the garments it dreams up.', 60, 232);

  // One garment per class, in CLASS_NAMES order, each 28x28 picture drawn at 3x.
  const scale = 3;
  const tile = IMAGE_SIZE * scale;
  const gap = (WIDTH - 120 - NUM_CLASSES * tile) / (NUM_CLASSES - 1);
  for (let c = 0; c < NUM_CLASSES; c++) {
    const index = test.labels.indexOf(c);
    const x0 = 60 + c * (tile + gap);
    const y0 = 330;
    for (let p = 0; p < IMAGE_PIXELS; p++) {
      const v = test.images[index * IMAGE_PIXELS + p]!;
      g.fillStyle = `rgb(${v},${v},${v})`;
      g.fillRect(x0 + (p % IMAGE_SIZE) * scale, y0 + Math.floor(p / IMAGE_SIZE) * scale, scale, scale);
    }
    g.fillStyle = '#71717a';
    g.font = `15px ${FONT}`;
    g.textAlign = 'center';
    g.fillText(CLASS_NAMES[c]!, x0 + tile / 2, y0 + tile + 26);
    g.textAlign = 'left';
  }
  g.fillStyle = '#6366f1';
  g.fillRect(0, HEIGHT - 12, WIDTH, 12);
  await writeFile(o.out, await canvas.encode('png'));
  console.log(`wrote ${o.out}`);
});
