/**
 * The recognizer's report card as one PNG (npm run eval:cnn -- --out <dir>, and the model version
 * page): the confusion matrix as a heat map (rows the true class, columns the guess, shaded by the
 * share of the row), per-class accuracy bars, and a grid of the test images the model got wrong
 * with the highest confidence, each with its true and predicted label. Drawn with @napi-rs/canvas
 * (Skia, anti-aliased text) on the server.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { CLASS_NAMES } from '../../../lib/classes';

export interface ReportCardMistake {
  /** 784 grey values, 0-255 (the test image). */
  image: Uint8Array;
  label: number;
  predicted: number;
  confidence: number;
}

export interface ReportCardInput {
  title: string;
  accuracy: number;
  /** how many images were scored: test images, or with split 'validation' held-out training images */
  testImages: number;
  /** which images were scored: the test set (default) or the training images the model held out */
  split?: 'test' | 'validation';
  perClassAccuracy: readonly number[];
  /** confusionMatrix[true][predicted] = count */
  confusionMatrix: readonly (readonly number[])[];
  mistakes: readonly ReportCardMistake[];
}

const BG = '#0b0b0f';
const FG = '#e4e4e7';
const MUTED = '#a1a1aa';
const FONT = 'Liberation Sans, DejaVu Sans, sans-serif';
const SHORT = ['T-shirt', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Boot'];

const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} %`;

export function drawReportCard(input: ReportCardInput): Buffer {
  const width = 1200;
  const cols = 8;
  const thumb = 84;
  const cellW = (width - 80) / cols;
  const mistakeRows = Math.ceil(Math.min(input.mistakes.length, 24) / cols);
  const gridTop = 660;
  const height = gridTop + 40 + Math.max(1, mistakeRows) * (thumb + 58) + 20;
  const canvas = createCanvas(width, height);
  const g = canvas.getContext('2d');
  g.fillStyle = BG;
  g.fillRect(0, 0, width, height);

  write(g, input.title, 40, 46, FG, 26, true);
  const testImages = input.testImages.toLocaleString('en');
  const scored =
    input.split === 'validation'
      ? `Validation accuracy ${pct(input.accuracy, 2)} on ${testImages} held-out training images`
      : `Test accuracy ${pct(input.accuracy, 2)} on ${testImages} test images`;
  write(g, scored, 40, 74, MUTED, 17);

  confusion(g, input.confusionMatrix, 130, 150, 42);
  bars(g, input.perClassAccuracy, 720, 150);
  mistakes(g, input.mistakes.slice(0, 24), 40, gridTop, cols, cellW, thumb);
  return canvas.toBuffer('image/png');
}

/** Writes `text` at (x, y) in `color`, `size` pixels high (bold for headings). */
function write(g: SKRSContext2D, text: string, x: number, y: number, color: string, size: number, bold = false) {
  g.fillStyle = color;
  g.font = `${bold ? 'bold ' : ''}${size}px ${FONT}`;
  g.fillText(text, x, y);
}

function confusion(
  g: SKRSContext2D,
  matrix: readonly (readonly number[])[],
  x0: number,
  y0: number,
  cell: number,
): void {
  write(g, 'Confusion matrix', x0 - 90, y0 - 40, FG, 18, true);
  write(g, 'rows: true class · columns: the model’s guess · shade: share of the row', x0 - 90, y0 - 20, MUTED, 12);
  for (let i = 0; i < 10; i++) {
    const row = matrix[i] ?? [];
    const total = row.reduce((a, b) => a + b, 0);
    for (let j = 0; j < 10; j++) {
      const count = row[j] ?? 0;
      const share = total ? count / total : 0;
      const alpha = count === 0 ? 0.04 : 0.15 + 0.85 * Math.sqrt(share);
      g.fillStyle = i === j ? `rgba(52, 211, 153, ${alpha})` : `rgba(251, 113, 133, ${alpha})`;
      g.fillRect(x0 + j * cell, y0 + i * cell, cell - 2, cell - 2);
      if (count > 0) {
        g.fillStyle = share > 0.45 ? '#0b0b0f' : FG;
        g.font = `${count >= 1000 ? 11 : 12}px ${FONT}`;
        g.textAlign = 'center';
        g.fillText(String(count), x0 + j * cell + (cell - 2) / 2, y0 + i * cell + cell / 2 + 3);
        g.textAlign = 'left';
      }
    }
    g.fillStyle = MUTED;
    g.font = `12px ${FONT}`;
    g.textAlign = 'right';
    g.fillText(SHORT[i]!, x0 - 8, y0 + i * cell + cell / 2 + 3);
    g.textAlign = 'left';
  }
  for (let j = 0; j < 10; j++) {
    g.save();
    g.translate(x0 + j * cell + cell / 2, y0 + 10 * cell + 6);
    g.rotate(Math.PI / 4);
    g.fillStyle = MUTED;
    g.font = `12px ${FONT}`;
    g.fillText(SHORT[j]!, 0, 0);
    g.restore();
  }
}

function bars(g: SKRSContext2D, perClass: readonly number[], x0: number, y0: number): void {
  const labelW = 110;
  const barW = 300;
  const rowH = 42;
  write(g, 'Accuracy per class', x0, y0 - 40, FG, 18, true);
  for (let c = 0; c < 10; c++) {
    const v = Math.max(0, Math.min(1, perClass[c] ?? 0));
    const y = y0 + c * rowH;
    write(g, CLASS_NAMES[c]!, x0, y + rowH / 2 + 2, MUTED, 13);
    g.fillStyle = '#27272a';
    g.fillRect(x0 + labelW, y + 8, barW, rowH - 18);
    g.fillStyle = v >= 0.9 ? '#34d399' : v >= 0.75 ? '#fbbf24' : '#fb7185';
    g.fillRect(x0 + labelW, y + 8, barW * v, rowH - 18);
    g.fillStyle = FG;
    g.fillText(pct(v), x0 + labelW + barW + 10, y + rowH / 2 + 2);
  }
}

function mistakes(
  g: SKRSContext2D,
  list: readonly ReportCardMistake[],
  x0: number,
  y0: number,
  cols: number,
  cellW: number,
  thumb: number,
): void {
  write(g, 'The most confident mistakes', x0, y0, FG, 18, true);
  if (list.length === 0) {
    write(g, 'No mistakes on these images.', x0, y0 + 30, MUTED, 14);
    return;
  }
  const scale = thumb / 28;
  list.forEach((m, k) => {
    const x = x0 + (k % cols) * cellW;
    const y = y0 + 20 + Math.floor(k / cols) * (thumb + 58);
    // Nearest-neighbour enlargement, pixel by pixel, so the 28x28 image stays crisp.
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = m.image[r * 28 + c] ?? 0;
        g.fillStyle = `rgb(${v},${v},${v})`;
        g.fillRect(x + c * scale, y + r * scale, Math.ceil(scale), Math.ceil(scale));
      }
    }
    g.font = `12px ${FONT}`;
    g.fillStyle = '#34d399';
    g.fillText(`true: ${SHORT[m.label]}`, x, y + thumb + 16);
    g.fillStyle = '#fb7185';
    g.fillText(`said: ${SHORT[m.predicted]} ${pct(m.confidence, 1)}`, x, y + thumb + 32);
  });
}
