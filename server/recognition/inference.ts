/**
 * Batched inference for the served classifier: N preprocessed 28x28 images in, N softmax rows out.
 *
 * A garment CNN from buildCnn (plain or written by withMirrorAveraging) is compiled into a short
 * chain of fused TensorFlow.js ops: each batch normalization folded into the convolution before it,
 * bias and ReLU fused into the convolution and dense kernels, dropout dropped. A mirror-averaging
 * model runs ONE pass over a batch of 2N (the N images, then their N mirror images) instead of its
 * two branches, and averages each image's penultimate features with its mirror's before the logits,
 * as the layers model does. The compiled chain is checked against the layers model's own predict()
 * when it is built; any model it does not recognise (or that disagrees) runs through predict().
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '../ml/backend';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../lib/image';

type Op =
  | {
      kind: 'conv';
      filter: tfTypes.Tensor4D;
      bias: tfTypes.Tensor1D | undefined;
      relu: boolean;
      strides: [number, number];
      pad: 'same' | 'valid';
    }
  | { kind: 'maxPool'; size: [number, number]; strides: [number, number]; pad: 'same' | 'valid' }
  | { kind: 'flatten' }
  | { kind: 'dense'; kernel: tfTypes.Tensor2D; bias: tfTypes.Tensor1D | undefined; relu: boolean }
  /** Averages row i with row i + N (an image with its mirror image). */
  | { kind: 'averageViews' };

export interface Classifier {
  /** 'compiled' (fused ops) or 'layers' (the model's own predict). */
  readonly path: 'compiled' | 'layers';
  /** Whether each image is averaged with its mirror image. */
  readonly mirror: boolean;
  /** Softmax probabilities, n rows of 10, for n images packed in `images` (n x 784). */
  classify(images: Float32Array, n: number): Float32Array;
  dispose(): void;
}

export interface CompileOptions {
  /** Compile only the original view of a mirror-averaging model (to measure what the mirror costs). */
  singleView?: boolean;
  /** Skip compiling: always use the layers model's predict (the path before compiling existed). */
  layersOnly?: boolean;
}

/** The fastest correct classifier for `model` (which it does not own: dispose the model separately). */
export function compileClassifier(model: tfTypes.LayersModel, options: CompileOptions = {}): Classifier {
  if (!options.layersOnly) {
    const chain = tryChain(model);
    if (chain) {
      const compiled = compiledClassifier(chain.ops, chain.mirror && !options.singleView);
      if (options.singleView || agrees(compiled, model)) return compiled;
      compiled.dispose();
    }
  }
  return layersClassifier(model);
}

function layersClassifier(model: tfTypes.LayersModel): Classifier {
  return {
    path: 'layers',
    mirror: model.layers.some((l) => l.name === 'mirror'),
    classify(images, n) {
      return tf.tidy(
        () =>
          tf
            .softmax(
              model.predict(
                tf.tensor4d(images.subarray(0, n * IMAGE_PIXELS), [n, IMAGE_SIZE, IMAGE_SIZE, 1]),
              ) as tfTypes.Tensor2D,
            )
            .dataSync() as Float32Array,
      );
    },
    dispose() {},
  };
}

function compiledClassifier(ops: Op[], mirror: boolean): Classifier {
  const run = (x: tfTypes.Tensor, n: number): tfTypes.Tensor => {
    for (const op of ops) {
      switch (op.kind) {
        case 'conv':
          x = tf.fused.conv2d({
            x: x as tfTypes.Tensor4D,
            filter: op.filter,
            strides: op.strides,
            pad: op.pad,
            bias: op.bias,
            activation: op.relu ? 'relu' : 'linear',
          });
          break;
        case 'maxPool':
          x = tf.maxPool(x as tfTypes.Tensor4D, op.size, op.strides, op.pad);
          break;
        case 'flatten':
          x = tf.reshape(x, [x.shape[0]!, -1]);
          break;
        case 'dense':
          x = tf.fused.matMul({
            a: x as tfTypes.Tensor2D,
            b: op.kernel,
            bias: op.bias,
            activation: op.relu ? 'relu' : 'linear',
          });
          break;
        case 'averageViews':
          if (mirror) {
            const [a, b] = tf.split(x, [n, n], 0);
            x = tf.div(tf.add(a!, b!), 2);
          }
          break;
      }
    }
    return x;
  };
  return {
    path: 'compiled',
    mirror,
    classify(images, n) {
      return tf.tidy(() => {
        let x: tfTypes.Tensor4D = tf.tensor4d(images.subarray(0, n * IMAGE_PIXELS), [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
        if (mirror) x = tf.concat([x, tf.reverse(x, 2)], 0);
        return tf.softmax(run(x, n) as tfTypes.Tensor2D).dataSync() as Float32Array;
      });
    },
    dispose() {
      for (const op of ops) {
        if (op.kind === 'conv') [op.filter, op.bias].forEach((t) => t?.dispose());
        if (op.kind === 'dense') [op.kernel, op.bias].forEach((t) => t?.dispose());
      }
    },
  };
}

/** Compiled and layers answers for a few random images agree to float rounding. */
function agrees(compiled: Classifier, model: tfTypes.LayersModel): boolean {
  const n = 3;
  const images = new Float32Array(n * IMAGE_PIXELS);
  let s = 12345;
  for (let i = 0; i < images.length; i++) images[i] = ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 1000;
  const a = compiled.classify(images, n);
  const b = layersClassifier(model).classify(images, n);
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i]! - b[i]!) < 1e-4)) return false;
  return true;
}

interface LayerConfig {
  activation?: string;
  strides?: number[] | number;
  poolSize?: number[] | number;
  padding?: string;
  dataFormat?: string;
  dilationRate?: number[] | number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  maxValue?: number | null;
  negativeSlope?: number;
  threshold?: number;
  axis?: number | number[];
}

/**
 * The chain of layers from the model's input to its output, following the first input wherever two
 * meet (the original view of a mirror-averaging model), as fused ops; undefined when any layer on
 * it is not one this compiler knows.
 */
function tryChain(model: tfTypes.LayersModel): { ops: Op[]; mirror: boolean } | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const layers: tfTypes.layers.Layer[] = [];
  let t: tfTypes.SymbolicTensor | undefined = model.outputs[0];
  let mirror = false;
  while (t && t.sourceLayer.getClassName() !== 'InputLayer') {
    const layer = t.sourceLayer as tfTypes.layers.Layer;
    layers.unshift(layer);
    const node: { inputTensors: tfTypes.SymbolicTensor[] } | undefined = (
      layer as unknown as { inboundNodes: { inputTensors: tfTypes.SymbolicTensor[] }[] }
    ).inboundNodes[t.nodeIndex];
    if (!node) return undefined;
    if (layer.getClassName() === 'Average') {
      if (node.inputTensors.length !== 2 || !model.layers.some((l) => l.name === 'mirror')) return undefined;
      mirror = true;
    } else if (node.inputTensors.length !== 1) return undefined;
    t = node.inputTensors[0];
  }
  if (!t || t !== model.inputs[0]) return undefined;

  const ops: Op[] = [];
  const pair = (v: number[] | number | undefined, d: number): [number, number] =>
    v === undefined ? [d, d] : Array.isArray(v) ? [v[0]!, v[1] ?? v[0]!] : [v, v];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const c = layer.getConfig() as LayerConfig;
    const cls = layer.getClassName();
    const next = layers[i + 1];
    const w = layer.getWeights();
    if (cls === 'Conv2D') {
      if ((c.dataFormat ?? 'channelsLast') !== 'channelsLast' || pair(c.dilationRate, 1).some((d) => d !== 1))
        return bail(ops);
      const act = c.activation ?? 'linear';
      if (act !== 'linear' && act !== 'relu') return bail(ops);
      let filter = w[0]!.clone() as tfTypes.Tensor4D;
      let bias = w[1]?.clone() as tfTypes.Tensor1D | undefined;
      if (act === 'linear' && next?.getClassName() === 'BatchNormalization') {
        const folded = foldBatchNorm(next, filter, bias);
        if (!folded) return bail(ops, [filter, bias]);
        [filter, bias] = folded;
        i++;
      }
      let relu = act === 'relu';
      const after = layers[i + 1];
      if (!relu && after && isPlainRelu(after)) {
        relu = true;
        i++;
      }
      ops.push({
        kind: 'conv',
        filter,
        bias,
        relu,
        strides: pair(c.strides, 1),
        pad: c.padding === 'same' ? 'same' : 'valid',
      });
    } else if (cls === 'MaxPooling2D') {
      if ((c.dataFormat ?? 'channelsLast') !== 'channelsLast') return bail(ops);
      const size = pair(c.poolSize, 2);
      ops.push({
        kind: 'maxPool',
        size,
        strides: c.strides == null ? size : pair(c.strides, 1),
        pad: c.padding === 'same' ? 'same' : 'valid',
      });
    } else if (cls === 'Flatten') {
      ops.push({ kind: 'flatten' });
    } else if (cls === 'Dropout') {
      // The identity at inference: no op.
    } else if (cls === 'Dense') {
      const act = c.activation ?? 'linear';
      if (act !== 'linear' && act !== 'relu') return bail(ops);
      let relu = act === 'relu';
      if (!relu && next && isPlainRelu(next)) {
        relu = true;
        i++;
      }
      ops.push({
        kind: 'dense',
        kernel: w[0]!.clone() as tfTypes.Tensor2D,
        bias: w[1]?.clone() as tfTypes.Tensor1D | undefined,
        relu,
      });
    } else if (cls === 'Average' && mirror) {
      ops.push({ kind: 'averageViews' });
    } else if (isPlainRelu(layer)) {
      return bail(ops); // a ReLU not after a conv or dense: rare enough to leave to predict()
    } else return bail(ops);
  }
  // The mirror average must come before the last op, which must be the logits' dense.
  if (ops.at(-1)?.kind !== 'dense') return bail(ops);
  return { ops, mirror };
}

function isPlainRelu(layer: tfTypes.layers.Layer): boolean {
  const c = layer.getConfig() as LayerConfig;
  if (layer.getClassName() === 'ReLU') return c.maxValue == null && !c.negativeSlope && !c.threshold;
  return layer.getClassName() === 'Activation' && c.activation === 'relu';
}

/** Folds y = gamma (x - mean) / sqrt(var + eps) + beta into the convolution's filter and bias. */
function foldBatchNorm(
  bn: tfTypes.layers.Layer,
  filter: tfTypes.Tensor4D,
  bias: tfTypes.Tensor1D | undefined,
): [tfTypes.Tensor4D, tfTypes.Tensor1D] | undefined {
  const c = bn.getConfig() as LayerConfig;
  const axis = Array.isArray(c.axis) ? c.axis : [c.axis ?? -1];
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== 3)) return undefined;
  const w = bn.getWeights();
  const scaled = c.scale !== false;
  const centred = c.center !== false;
  const gamma = scaled ? w[0]! : undefined;
  const beta = centred ? w[scaled ? 1 : 0]! : undefined;
  const mean = w.at(-2)!;
  const variance = w.at(-1)!;
  const folded = tf.tidy(() => {
    let k = tf.div(tf.scalar(1), tf.sqrt(tf.add(variance, c.epsilon ?? 1e-3)));
    if (gamma) k = tf.mul(k, gamma);
    const f = tf.mul(filter, k) as tfTypes.Tensor4D;
    let b = tf.mul(tf.sub(bias ?? tf.zerosLike(mean), mean), k);
    if (beta) b = tf.add(b, beta);
    return [f, b as tfTypes.Tensor1D] as [tfTypes.Tensor4D, tfTypes.Tensor1D];
  });
  filter.dispose();
  bias?.dispose();
  return folded;
}

function bail(ops: Op[], extra: (tfTypes.Tensor | undefined)[] = []): undefined {
  compiledClassifier(ops, false).dispose();
  for (const t of extra) t?.dispose();
  return undefined;
}
