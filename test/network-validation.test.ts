// Every argument check of NeuralNetwork (and gradientCheck): the error class (TypeError for a wrong type,
// RangeError for a wrong value or shape, as lib/errors.ts defines them), the stable `code`, and a
// message that names the argument and says what came. The async methods must reject, not throw.
import { describe, expect, it } from 'vitest';
import { BlasnetError, gradientCheck, Matrix, NeuralNetwork } from '../lib/index.js';
import type { NeuralNetworkOptions } from '../lib/index.js';
import { expectError, expectRejection, type ErrorClass } from './helpers/errors.js';
import { BACKENDS } from './helpers/data.js';


const make = (o: unknown) => () => new NeuralNetwork(o as NeuralNetworkOptions);

describe('NeuralNetwork constructor', () => {
  it('options that are not an object, or with an unknown key: TypeError ERR_BLASNET_ARG_TYPE', () => {
    expectError(make(null), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options must be an object', 'got null');
    expectError(make([2, 1]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options must be an object', 'an array of length 2');
    // warmStart is an option of fit only; training options (epochs, …) are constructor defaults (0.2.0).
    expectError(make({ layers: [2, 1], warmStart: true }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options has an unknown option "warmStart"', 'layers');
    expectError(make({ layers: [2, 1], iterations: 5 }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options has an unknown option "iterations"', 'epochs');
    expect(new NeuralNetwork({ layers: [2, 1], epochs: 5 }).trainingOptions).toEqual({ epochs: 5 });
  });

  it('layers not an array: TypeError ERR_BLASNET_CONFIG', () => {
    expectError(make({ layers: 3 }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers must be an array', 'got 3');
    expectError(make({}), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers', 'got undefined');
    expectError(make({ layers: '2,1' }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers', 'got "2,1"');
  });

  it('fewer than 2 sizes: TypeError ERR_BLASNET_CONFIG', () => {
    expectError(make({ layers: [4] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers', 'at least the input and output sizes', 'got 1 size');
    expectError(make({ layers: [] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers', 'got 0 size');
  });

  it('a size 0 or 1.5: TypeError ERR_BLASNET_CONFIG naming the index', () => {
    expectError(make({ layers: [3, 0, 1] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers[1]', 'integer in [1, 1e7]', 'got 0');
    expectError(make({ layers: [3, 1.5] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers[1]', 'got 1.5');
    expectError(make({ layers: [-2, 1] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers[0]', 'got -2');
  });

  it('a size of the wrong type (\'3\') or a leaky-relu alpha of the wrong type: TypeError (errors.ts: wrong type ⇒ TypeError)', () => {
    // lib/errors.ts: BlasnetTypeError is "an argument of the wrong type", BlasnetRangeError "an argument of
    // the right type with a wrong value or shape"; every other option of wrong type (seed '1', optimizer 3,
    // shuffle 'yes', Matrix rows '2') is a TypeError. A string as a layer size is a wrong type.
    expectError(make({ layers: [3, '3', 1] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.layers[1]', 'got "3"');
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: '0.1' } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', 'got "0.1"');
  });

  it('hidden: unknown name, array of the wrong length, alpha on a non-leaky activation, alpha outside [0, 1]', () => {
    expectError(make({ layers: [3, 4, 1], hidden: 'gelu' }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden must be one of', "'tanh'", 'got "gelu"');
    // softmax is an output activation only.
    expectError(make({ layers: [3, 4, 1], hidden: 'softmax' }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden', 'got "softmax"');
    expectError(make({ layers: [3, 4, 5, 1], hidden: ['relu', 'tanh', 'relu'] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden', 'one activation per hidden layer (2)', 'got 3');
    expectError(make({ layers: [3, 4, 5, 1], hidden: ['relu'] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden', '(2)', 'got 1');
    expectError(make({ layers: [3, 4, 5, 1], hidden: ['relu', 'swish'] }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden[1]', 'got "swish"');
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'tanh', alpha: 0.1 } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', "'leaky-relu' only", "'tanh'");
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: -1 } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', '[0, 1]', 'got -1');
    // A slope above 1 amplifies negative inputs layer after layer; 1e300 makes overflow certain.
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: 1e300 } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', '[0, 1]', 'got 1e+300');
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: 1.5 } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', '[0, 1]', 'got 1.5');
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: NaN } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden.alpha', 'got NaN');
    expectError(make({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', slope: 0.1 } }), TypeError, 'ERR_BLASNET_CONFIG', 'options.hidden', 'unknown key "slope"');
    // Valid forms are accepted.
    expect(() => new NeuralNetwork({ layers: [3, 4, 5, 1], hidden: ['relu', { name: 'leaky-relu', alpha: 0.2 }] })).not.toThrow();
    expect(() => new NeuralNetwork({ layers: [3, 4, 1], hidden: { name: 'leaky-relu', alpha: 0 } })).not.toThrow();
  });

  it('(output, loss) pairings: softmax + mse, cross-entropy + tanh / linear / relu, softmax with 1 unit', () => {
    expectError(make({ layers: [3, 2], output: 'softmax', loss: 'mse' }), TypeError, 'ERR_BLASNET_CONFIG', "output 'softmax'", "loss 'cross-entropy'", "got loss 'mse'");
    for (const output of ['tanh', 'linear', 'relu']) {
      expectError(make({ layers: [3, 2], output, loss: 'cross-entropy' }), TypeError, 'ERR_BLASNET_CONFIG', "loss 'cross-entropy'", `got output '${output}'`, "use loss 'mse'");
    }
    // The default loss is cross-entropy except for a linear output (0.2.0: linear → mse, a regressor):
    // tanh and relu outputs give the same error without naming the loss.
    for (const output of ['tanh', 'relu']) expectError(make({ layers: [3, 2], output }), TypeError, 'ERR_BLASNET_CONFIG', `got output '${output}'`);
    const linear = new NeuralNetwork({ layers: [3, 2], output: 'linear' });
    expect(linear.spec.loss).toBe('mse');
    expect(linear.task).toBe('regression');
    expectError(make({ layers: [3, 1], output: 'softmax' }), TypeError, 'ERR_BLASNET_CONFIG', "output 'softmax'", 'at least 2 output units', 'options.layers[1] = 1');
    expectError(make({ layers: [3, 1], output: 'gelu' }), TypeError, 'ERR_BLASNET_CONFIG', 'options.output', 'got "gelu"');
  });

  it('unknown loss: TypeError ERR_BLASNET_CONFIG', () => {
    expectError(make({ layers: [3, 1], loss: 'hinge' }), TypeError, 'ERR_BLASNET_CONFIG', 'options.loss', "'cross-entropy' | 'mse'", 'got "hinge"');
    expectError(make({ layers: [3, 1], loss: 0 }), TypeError, 'ERR_BLASNET_CONFIG', 'options.loss', 'got 0');
  });

  it('seed -1, 2**32, 1.5: RangeError ERR_BLASNET_ARG_RANGE; seed \'1\': TypeError', () => {
    for (const seed of [-1, 2 ** 32, 1.5]) {
      expectError(make({ layers: [3, 1], seed }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.seed', '[0, 4294967295]', `got ${seed}`);
    }
    expectError(make({ layers: [3, 1], seed: '1' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.seed', 'got "1"');
    expect(() => new NeuralNetwork({ layers: [3, 1], seed: 2 ** 32 - 1 })).not.toThrow();
  });

  it('backend \'gpu\': TypeError ERR_BLASNET_ARG_TYPE', () => {
    expectError(make({ layers: [3, 1], backend: 'gpu' }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.backend', "'native'", 'got "gpu"');
  });
});

describe.each(BACKENDS)('NeuralNetwork argument checks, $backend backend', ({ backend, available }) => {
  describe.skipIf(!available)('', () => {
    // A 3-input network with one sigmoid output, and one with a 3-class softmax output.
    const binary = () => new NeuralNetwork({ layers: [3, 4, 1], seed: 1, backend });
    const softmax = () => new NeuralNetwork({ layers: [3, 4, 3], output: 'softmax', seed: 1, backend });
    const mse = () => new NeuralNetwork({ layers: [3, 4, 2], output: 'linear', loss: 'mse', seed: 1, backend });
    const X = [[0, 1, 2], [1, 0, -1], [2, 2, 0], [-1, 0.5, 1]];
    const y = [0, 1, 1, 0];

    /** The same check on fitSync (throws) and fit (rejects). */
    async function bothFits(options: object, cls: ErrorClass, code: string, ...patterns: (string | RegExp)[]): Promise<void> {
      expectError(() => binary().fitSync(X, y, options), cls, code, ...patterns);
      await expectRejection(() => binary().fit(X, y, options), cls, code, ...patterns);
    }

    it('fit options out of range: RangeError ERR_BLASNET_ARG_RANGE naming the option and the value', async () => {
      await bothFits({ epochs: -1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.epochs', '≥ 0', 'got -1');
      await bothFits({ epochs: 2.5 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.epochs', 'got 2.5');
      await bothFits({ learningRate: 0 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', '> 0', 'got 0');
      await bothFits({ learningRate: Infinity }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.learningRate', 'got Infinity');
      // batchSize 0 means the whole set (0.2.0); negative or fractional sizes are refused.
      await bothFits({ batchSize: -1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.batchSize', '≥ 0', 'got -1');
      await bothFits({ batchSize: 1.5 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.batchSize', 'integer', 'got 1.5');
      expect(binary().fitSync(X, y, { batchSize: 0, epochs: 3 }).steps).toBe(3);
      await bothFits({ momentum: 1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.momentum', '[0, 1)', 'got 1');
      await bothFits({ beta1: -0.1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.beta1', 'got -0.1');
      await bothFits({ beta2: 1.5 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.beta2', '[0, 1)', 'got 1.5');
      await bothFits({ epsilon: 0 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.epsilon', 'got 0');
      await bothFits({ l2: -1 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.l2', '≥ 0', 'got -1');
      await bothFits({ recordEvery: 0 }, RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.recordEvery', '≥ 1', 'got 0');
    });

    it('fit options of the wrong type or unknown: TypeError ERR_BLASNET_ARG_TYPE', async () => {
      await bothFits({ optimizer: 'sgd' }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.optimizer', "'gd' | 'momentum' | 'adam'", 'got "sgd"');
      await bothFits({ shuffle: 'yes' }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.shuffle', 'boolean', 'got "yes"');
      await bothFits({ epochs: '10' }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.epochs', 'got "10"');
      await bothFits({ iterations: 10 }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "iterations"', 'epochs');
      await bothFits({ onProgress: 3 }, TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.onProgress', 'function', 'got 3');
      await bothFits(null as unknown as object, TypeError, 'ERR_BLASNET_ARG_TYPE', 'options must be an object', 'got null');
      // signal: only the async fit takes one.
      await expectRejection(() => binary().fit(X, y, { signal: {} as AbortSignal }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.signal', 'AbortSignal', 'got an object');
      await expectRejection(() => binary().fit(X, y, { signal: 'stop' as unknown as AbortSignal }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'options.signal', 'got "stop"');
      expectError(() => binary().fitSync(X, y, { signal: new AbortController().signal } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "signal"');
    });

    it('a failed validation leaves the model untouched and not busy', async () => {
      const net = binary();
      const before = net.parameters;
      await expectRejection(() => net.fit(X, y, { epochs: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE');
      expect(net.busy).toBe(false);
      expect(net.parameters).toEqual(before);
    });

    /** The binary network, fitted (with its seeded initial parameters), so that it predicts. */
    const fitted = () => {
      const net = binary();
      net.setParameters(net.parameters);
      return net;
    };

    it('predict, predictProba and score before the first fit: ERR_BLASNET_NOT_FITTED naming the method (sync throws, async rejects)', async () => {
      expectError(() => binary().predictSync(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.predictSync');
      await expectRejection(() => binary().predict(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.predict');
      expectError(() => binary().predictProbaSync(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.predictProbaSync');
      await expectRejection(() => binary().predictProba(X), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.predictProba');
      expectError(() => binary().scoreSync(X, y), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.scoreSync');
      await expectRejection(() => binary().score(X, y), BlasnetError, 'ERR_BLASNET_NOT_FITTED', 'NeuralNetwork.score');
    });

    it('X with the wrong number of columns: RangeError ERR_BLASNET_SHAPE (fit, costAndGradients, predict, score)', async () => {
      const X2 = [[0, 1], [1, 0], [2, 2], [1, 1]];
      expectError(() => binary().fitSync(X2, y), RangeError, 'ERR_BLASNET_SHAPE', 'X must have 3 columns', 'got 2');
      await expectRejection(() => binary().fit(X2, y), RangeError, 'ERR_BLASNET_SHAPE', 'X must have 3 columns', 'got 2');
      expectError(() => binary().costAndGradients(new Matrix(4, 5), y), RangeError, 'ERR_BLASNET_SHAPE', 'X must have 3 columns', 'got 5');
      expectError(() => fitted().predictSync(X2), RangeError, 'ERR_BLASNET_SHAPE', 'X must have 3 columns', 'got 2');
      await expectRejection(() => fitted().predict(X2), RangeError, 'ERR_BLASNET_SHAPE', 'X must have 3 columns', 'got 2');
      expectError(() => fitted().predictProbaSync(X2), RangeError, 'ERR_BLASNET_SHAPE', 'got 2');
      await expectRejection(() => fitted().predictProba(X2), RangeError, 'ERR_BLASNET_SHAPE', 'got 2');
      expectError(() => fitted().scoreSync(X2, y), RangeError, 'ERR_BLASNET_SHAPE', 'got 2');
      await expectRejection(() => fitted().score(X2, y), RangeError, 'ERR_BLASNET_SHAPE', 'got 2');
      // Not a matrix at all: TypeError.
      await expectRejection(() => fitted().predict('X' as unknown as number[][]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'X must be a Matrix', 'got "X"');
      // NaN in X: RangeError ERR_BLASNET_NOT_FINITE with its position.
      expectError(() => fitted().predictSync([[0, 1, 2], [1, NaN, 0]]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'X', 'NaN', 'row 1, column 1');
    });

    // The targets are named y (0.2.0: labels of any type, or a matrix of targets).
    it('y with the wrong number of rows or columns: RangeError ERR_BLASNET_SHAPE', async () => {
      // As a vector of the wrong length.
      expectError(() => binary().fitSync(X, [0, 1, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'one target per row of X (4)', 'got 3');
      await expectRejection(() => binary().fit(X, [0, 1, 1, 0, 1]), RangeError, 'ERR_BLASNET_SHAPE', 'y', '(4)', 'got 5');
      // As a Matrix with the wrong number of rows.
      expectError(() => mse().fitSync(X, new Matrix(3, 2)), RangeError, 'ERR_BLASNET_SHAPE', 'y', 'one row of targets per row of X: 4 rows', 'got a 3 × 2 Matrix');
      // With the wrong number of columns (the network has 2 outputs; 1 sigmoid output).
      expectError(() => mse().fitSync(X, new Matrix(4, 3)), RangeError, 'ERR_BLASNET_SHAPE', 'y must have 2 column(s)', 'got 3');
      expectError(() => binary().costAndGradients(X, new Matrix(4, 2)), RangeError, 'ERR_BLASNET_SHAPE', 'y must have 1 column(s)', 'got 2');
      // A vector for a network with 2 non-softmax outputs.
      expectError(() => mse().fitSync(X, [1, 2, 3, 4]), RangeError, 'ERR_BLASNET_SHAPE', 'y must be an 4 × 2 Matrix', 'got a vector of 4');
      // Not targets at all.
      expectError(() => binary().fitSync(X, 'y' as unknown as number[]), TypeError, 'ERR_BLASNET_ARG_TYPE', 'y must be an array of labels or values', 'or a Matrix', 'got "y"');
    });

    it('y with NaN or ±Infinity: RangeError ERR_BLASNET_NOT_FINITE naming the position', async () => {
      expectError(() => mse().fitSync(X, [[0, 1], [1, NaN], [0, 0], [1, 1]]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y', 'NaN', 'row 1, column 1');
      expectError(() => mse().costAndGradients(X, new Matrix(4, 2, [0, 0, 0, 0, 0, 0, Infinity, 0])), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y', 'Infinity', 'row 3, column 0');
      await expectRejection(() => binary().fit(X, [0, 1, NaN, 0]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[2]', 'NaN');
    });

    it('labels: a binary network needs two distinct labels, a k-way softmax k; targets as a matrix must be in [0, 1] with cross-entropy (mse accepts any finite target)', async () => {
      // 0.2.0: a vector is labels of any type, so 2, -0.5 or 1.0001 are a third label, not a value out of [0, 1].
      expectError(() => binary().fitSync(X, [0, 1, 2, 0]), RangeError, 'ERR_BLASNET_LABEL', 'y', 'two distinct labels', 'got 3', '[0, 1, 2]');
      await expectRejection(() => binary().fit(X, [0, -0.5, 1, 0]), RangeError, 'ERR_BLASNET_LABEL', 'y', 'two distinct labels', '[-0.5, 0, 1]');
      expectError(() => binary().costAndGradients(X, [0, 1, 1.0001, 0]), RangeError, 'ERR_BLASNET_LABEL', '1.0001');
      // Targets given as an n × 1 Matrix are 0/1 or probabilities: outside [0, 1] is named by row.
      expectError(() => binary().fitSync(X, new Matrix(4, 1, [0, 1, 2, 0])), RangeError, 'ERR_BLASNET_LABEL', 'y', '[0, 1]', 'got 2', 'row 2');
      await expectRejection(() => binary().fit(X, new Matrix(4, 1, [0, -0.5, 1, 0])), RangeError, 'ERR_BLASNET_LABEL', 'got -0.5', 'row 1');
      // Soft targets inside [0, 1] are fine for a sigmoid output as a Matrix (as a vector they are four labels),
      // and mse takes any finite target.
      expect(() => binary().costAndGradients(X, new Matrix(4, 1, [0, 0.3, 1, 0.5]))).not.toThrow();
      expectError(() => binary().costAndGradients(X, [0, 0.3, 1, 0.5]), RangeError, 'ERR_BLASNET_LABEL', 'two distinct labels', 'got 4');
      expect(() => mse().costAndGradients(X, [[5, -3], [0, 0], [1, 1], [2, 2]])).not.toThrow();
      // Labels of one type only.
      expectError(() => binary().fitSync(X, [0, 'a', 1, 0] as unknown as number[]), RangeError, 'ERR_BLASNET_LABEL', 'mixes label types');
    });

    it('softmax targets whose rows do not sum to 1: RangeError ERR_BLASNET_LABEL naming the row', async () => {
      const Y = [[1, 0, 0], [0, 0.5, 0.4], [0, 0, 1], [0, 1, 0]];
      expectError(() => softmax().fitSync(X, Y), RangeError, 'ERR_BLASNET_LABEL', 'y rows must each sum to 1', 'got 0.9', 'row 1');
      await expectRejection(() => softmax().fit(X, new Matrix(4, 3)), RangeError, 'ERR_BLASNET_LABEL', 'sum to 1', 'got 0', 'row 0');
      expectError(() => softmax().costAndGradients(X, [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]), RangeError, 'ERR_BLASNET_LABEL', 'got 2', 'row 3');
      // Probability rows are accepted.
      expect(() => softmax().costAndGradients(X, [[0.2, 0.3, 0.5], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0]])).not.toThrow();
    });

    it('more distinct labels than softmax outputs: RangeError ERR_BLASNET_LABEL listing them; a NaN label: ERR_BLASNET_NOT_FINITE', async () => {
      // 0.2.0: labels are any values (3, -1, 1.5 are labels), so the error is their count against the outputs.
      expectError(() => softmax().fitSync(X, [0, 3, 1, 2]), RangeError, 'ERR_BLASNET_LABEL', '3 distinct labels', 'got 4', '[0, 1, 2, 3]');
      expectError(() => softmax().fitSync(X, [0, 1, -1, 2]), RangeError, 'ERR_BLASNET_LABEL', 'got 4', '[-1, 0, 1, 2]');
      await expectRejection(() => softmax().fit(X, [0, 1, 2, 1.5]), RangeError, 'ERR_BLASNET_LABEL', 'got 4', '[0, 1, 1.5, 2]');
      expectError(() => softmax().costAndGradients(X, Float64Array.from([0, 1, 2, 7])), RangeError, 'ERR_BLASNET_LABEL', 'got 4', '7');
      expectError(() => softmax().fitSync(X, [0, 1, 2, NaN]), RangeError, 'ERR_BLASNET_NOT_FINITE', 'y[3]', 'NaN');
      // score compares labels: a NaN among the true labels is refused, a label the model does not know is simply wrong.
      const net = softmax();
      net.fitSync(X, [0, 1, 2, 2], { epochs: 1 });
      expectError(() => net.scoreSync(X, [0, 1, 2, NaN]), RangeError, 'ERR_BLASNET_NOT_FINITE', '[3]', 'NaN');
      const predicted = Array.from(net.predictSync(X) as Float64Array);
      expect(net.scoreSync(X, [7, ...predicted.slice(1)])).toBe(0.75);
    });

    it('setParameters with a wrong shape or a non-finite value: RangeError, naming the array and index', () => {
      // [3, 4, 1]: W[0] is 4 × 3 = 12 values, b[0] 4, W[1] 4, b[1] 1.
      const net = binary();
      const p = net.parameters;
      const W = p.W.map((w) => Array.from(w)), b = p.b.map((v) => Array.from(v));
      expectError(() => net.setParameters({ W: [W[0]!.slice(1), W[1]!], b }), RangeError, 'ERR_BLASNET_SHAPE', 'parameters.W[0]', '4 × 3 = 12', 'got 11');
      expectError(() => net.setParameters({ W, b: [b[0]!, [0, 0]] }), RangeError, 'ERR_BLASNET_SHAPE', 'parameters.b[1]', '1 values', 'got 2');
      const nanW = W.map((w) => w.slice());
      nanW[1]![2] = NaN;
      expectError(() => net.setParameters({ W: nanW, b }), RangeError, 'ERR_BLASNET_NOT_FINITE', 'parameters.W[1]', 'NaN', 'index 2');
      expectError(() => net.setParameters({ W, b: [b[0]!, [Infinity]] }), RangeError, 'ERR_BLASNET_NOT_FINITE', 'parameters.b[1]', 'Infinity', 'index 0');
      expectError(() => net.setParameters({ W: [W[0]!, 'abcd' as unknown as number[]], b }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'parameters.W[1]', 'got "abcd"');
      expectError(() => net.setParameters(null as unknown as { W: number[][]; b: number[][] }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'parameters must be an object', 'got null');
      expectError(() => net.setParameters({ W: 5 as unknown as number[][], b }), TypeError, 'ERR_BLASNET_ARG_TYPE', 'parameters.W', 'got 5');
      // The model kept its parameters through all of that.
      expect(net.parameters).toEqual(p);
    });

    it('setParameters with the wrong number of layers: RangeError ERR_BLASNET_SHAPE (a shape, as Y of the wrong length is)', () => {
      // An array of the right type with the wrong length is "the right type with a wrong shape" (errors.ts),
      // which network.ts reports as RangeError ERR_BLASNET_SHAPE for Y, X and each W[l] / b[l].
      const net = binary();
      const p = net.parameters;
      expectError(() => net.setParameters({ W: [p.W[0]!], b: p.b }), RangeError, 'ERR_BLASNET_SHAPE', 'parameters.W', '2', 'got an array of length 1');
    });

    it('costAndGradients options: l2 < 0 RangeError, unknown option TypeError', () => {
      expectError(() => binary().costAndGradients(X, y, { l2: -1 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.l2', 'got -1');
      expectError(() => binary().costAndGradients(X, y, { lambda: 1 } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "lambda"');
    });

    it('gradientCheck arguments: model, h, l2, maxParams, unknown option, data', () => {
      expectError(() => gradientCheck({} as NeuralNetwork, X, y), TypeError, 'ERR_BLASNET_ARG_TYPE', 'model must be a NeuralNetwork or a LogisticRegression', 'got an object');
      expectError(() => gradientCheck(binary(), X, y, { h: 0 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.h', 'got 0');
      expectError(() => gradientCheck(binary(), X, y, { l2: -0.5 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.l2', 'got -0.5');
      expectError(() => gradientCheck(binary(), X, y, { maxParams: 0 }), RangeError, 'ERR_BLASNET_ARG_RANGE', 'options.maxParams', 'got 0');
      expectError(() => gradientCheck(binary(), X, y, { step: 1 } as object), TypeError, 'ERR_BLASNET_ARG_TYPE', 'unknown option "step"');
      expectError(() => gradientCheck(binary(), X, [0, 1, 2, 0]), RangeError, 'ERR_BLASNET_LABEL', 'two distinct labels', 'got 3');
    });
  });
});

describe('non-finite inputs to predict, on every backend', () => {
  for (const { backend, available } of BACKENDS) {
    it.skipIf(!available)(`${backend}: NaN and ±Infinity in X are named by row and column (sync and async, any depth)`, async () => {
      for (const layers of [[3, 4, 2], [3, 2]]) {
        const net = new NeuralNetwork({ layers, seed: 1, backend });
        net.setParameters(net.parameters); // fitted, with its seeded initial parameters
        const X = new Matrix(3, 3, Float64Array.from([1, 2, 3, 4, -Infinity, 6, 7, 8, NaN]));
        expectError(() => net.predictSync(X), RangeError, 'ERR_BLASNET_NOT_FINITE', 'X must contain only finite numbers', /Infinity at row 1, column 1/);
        await expectRejection(() => net.predict(X), RangeError, 'ERR_BLASNET_NOT_FINITE', /Infinity at row 1, column 1/);
        const Xn = new Matrix(2, 3, Float64Array.from([1, 2, 3, 4, 5, NaN]));
        expectError(() => net.predictProbaSync(Xn), RangeError, 'ERR_BLASNET_NOT_FINITE', /NaN at row 1, column 2/);
        await expectRejection(() => net.predictProba(Xn), RangeError, 'ERR_BLASNET_NOT_FINITE', /NaN at row 1, column 2/);
      }
    });
  }
});
