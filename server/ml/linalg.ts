/**
 * The small dense linear algebra the quality figures need, in float64: mean and covariance of a
 * feature matrix, symmetric products, and the eigendecomposition of a symmetric matrix by cyclic
 * Jacobi rotations (exact to rounding for the 256x256 covariances here, in well under a second).
 * Matrices are row-major Float64Arrays of n x n.
 */

export interface Moments {
  mean: Float64Array;
  /** dim x dim sample covariance (divided by count - 1) */
  cov: Float64Array;
  dim: number;
  count: number;
}

/** Mean and covariance of `count` rows of `dim` features. */
export function moments(rows: Float32Array | Float64Array, dim: number): Moments {
  const count = rows.length / dim;
  if (!Number.isInteger(count) || count < 2)
    throw new RangeError(`moments need at least 2 rows of ${dim} values (got ${rows.length} values)`);
  const mean = new Float64Array(dim);
  for (let i = 0; i < count; i++) for (let d = 0; d < dim; d++) mean[d]! += rows[i * dim + d]!;
  for (let d = 0; d < dim; d++) mean[d]! /= count;
  const cov = new Float64Array(dim * dim);
  const centred = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    for (let d = 0; d < dim; d++) centred[d] = rows[i * dim + d]! - mean[d]!;
    for (let a = 0; a < dim; a++) {
      const ca = centred[a]!;
      if (ca === 0) continue;
      const row = a * dim;
      for (let b = a; b < dim; b++) cov[row + b]! += ca * centred[b]!;
    }
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = cov[a * dim + b]! / (count - 1);
      cov[a * dim + b] = v;
      cov[b * dim + a] = v;
    }
  }
  return { mean, cov, dim, count };
}

/** C = A B for n x n matrices. */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j]! += aik * b[k * n + j]!;
    }
  }
  return c;
}

export interface SymmetricEigen {
  values: Float64Array;
  /** column j is the eigenvector of values[j] (row-major n x n) */
  vectors: Float64Array;
  sweeps: number;
}

/** Givens rotation of two lines of n elements of m, starting at offsets p and q, `step` apart. */
function rotate(m: Float64Array, n: number, p: number, q: number, step: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const x = m[p + k * step]!;
    const y = m[q + k * step]!;
    m[p + k * step] = c * x - s * y;
    m[q + k * step] = s * x + c * y;
  }
}

/**
 * Eigenvalues and eigenvectors of a symmetric matrix (cyclic Jacobi). The input is not modified;
 * asymmetry from rounding is averaged away first.
 */
export function symmetricEigen(matrix: Float64Array, n: number, maxSweeps = 60): SymmetricEigen {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (matrix[i * n + j]! + matrix[j * n + i]!);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += a[i]! * a[i]!;
  const tolerance = 1e-22 * Math.max(scale, Number.MIN_VALUE);
  let sweeps = 0;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q]! * a[p * n + q]!;
    if (off <= tolerance) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * n + p]!;
        const aqq = a[q * n + q]!;
        // Rotation angle that zeroes a[p][q] (Numerical Recipes' stable form).
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A <- J^T A J, V <- V J: columns p and q, then rows p and q (stride 1 instead of n).
        rotate(a, n, p, q, n, c, s);
        rotate(a, n, p * n, q * n, 1, c, s);
        rotate(v, n, p, q, n, c, s);
      }
    }
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = a[i * n + i]!;
  return { values, vectors: v, sweeps };
}

/** The symmetric PSD square root V sqrt(max(L, 0)) V^T of a symmetric matrix. */
export function sqrtSymmetric(matrix: Float64Array, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, n);
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const r = Math.sqrt(Math.max(0, values[k]!));
    if (r === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * r;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j]! += vik * vectors[j * n + k]!;
    }
  }
  return out;
}

/** Lower-triangular L with L L^T = matrix (symmetric positive definite; `jitter` is added to the diagonal). */
export function cholesky(matrix: Float64Array, n: number, jitter = 0): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j]! + (i === j ? jitter : 0);
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) throw new RangeError(`matrix is not positive definite (pivot ${i} is ${sum})`);
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  return l;
}
