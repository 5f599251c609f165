// The fuzz cases: a case is (seed, index) → one valid call on one model, backend and method, with
// ONE argument or ONE step mutated. Pure data and a deterministic generator: the same (seed, index)
// always gives the same case, so a failure is reproduced by its seed and index alone.
// No blasnet import here: the child (test/fuzz/child.mjs) turns the description into calls.

/** splitmix32 → mulberry32 stream for (seed, index). */
export function caseRng(seed, index) {
  let s = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rand, list) => list[Math.floor(rand() * list.length)];

export const METHODS = {
  logistic: ['ctor', 'fitSync', 'fit', 'costAndGradients', 'predictProbaSync', 'predictProba', 'predictSync', 'predict', 'scoreSync', 'score', 'setParameters', 'fromJSON'],
  network: ['ctor', 'fitSync', 'fit', 'costAndGradients', 'predictSync', 'predict', 'predictProbaSync', 'predictProba', 'scoreSync', 'score', 'setParameters', 'fromJSON', 'reset'],
  utility: ['takeRows', 'trainTestSplit', 'standardizer', 'random'],
};

/** The argument slots each method has (what a value mutation can target). */
export const SLOTS = {
  ctor: ['ctorOption'],
  fitSync: ['X', 'Y', 'fitOption', 'fitOptions', 'ctorOption', 'callback'],
  fit: ['X', 'Y', 'fitOption', 'fitOptions', 'ctorOption', 'callback'],
  costAndGradients: ['X', 'Y'],
  predictProbaSync: ['X'], predictProba: ['X'], predictSync: ['X'], predict: ['X'],
  scoreSync: ['X', 'Y'], score: ['X', 'Y'],
  setParameters: ['params'],
  fromJSON: ['json'],
  reset: [],
  takeRows: ['M', 'indices'],
  trainTestSplit: ['X', 'Y', 'splitOption'],
  standardizer: ['X'],
  random: ['randomArg'],
};

export const CTOR_OPTIONS = {
  logistic: ['learningRate', 'iterations', 'recordEvery', 'backend'],
  network: ['layers', 'hidden', 'output', 'loss', 'seed', 'backend'],
};
export const FIT_OPTIONS = {
  logistic: ['onProgress', 'warmStart', 'signal'],
  network: ['epochs', 'learningRate', 'batchSize', 'shuffle', 'optimizer', 'momentum', 'beta1', 'beta2', 'epsilon', 'l2', 'recordEvery', 'onProgress', 'signal'],
};

/** Value mutations of a matrix argument X (a Matrix n × m). `keeps`: the same numbers, so the same result. */
export const X_MUTATIONS = [
  { kind: 'offsetView', keeps: true }, { kind: 'sharedBuffer', keeps: true }, { kind: 'resizableBuffer', keeps: true },
  { kind: 'arrayOfRows', keeps: true }, { kind: 'float32Data', keeps: true }, { kind: 'frozen', keeps: true },
  { kind: 'detached' }, { kind: 'nonFinite' }, { kind: 'huge' }, { kind: 'zeroRows' }, { kind: 'wrongCols' },
  { kind: 'ragged' }, { kind: 'stringCell' }, { kind: 'fakeMatrix' }, { kind: 'proxyMatrix' }, { kind: 'lyingDataGetter' },
  { kind: 'wrongType' }, { kind: 'typedArrayNotMatrix' }, { kind: 'oneRow', keepsShape: true },
];
/** Value mutations of labels / targets Y (a Float64Array of n values, or a Matrix for several outputs). */
export const Y_MUTATIONS = [
  { kind: 'offsetView', keeps: true }, { kind: 'sharedBuffer', keeps: true }, { kind: 'plainArray', keeps: true },
  { kind: 'otherTypedArray' }, { kind: 'detached' }, { kind: 'nonFinite' }, { kind: 'badLabel' }, { kind: 'wrongLength' },
  { kind: 'wrongType' }, { kind: 'asMatrix' }, { kind: 'resizableBuffer', keeps: true },
];
/** Values for one option. */
export const OPTION_VALUES = [
  'undefinedValue', 'null', 'NaN', 'Infinity', '-Infinity', 'zero', 'negative', 'fraction', 'huge', '2^31', '2^53', 'minusZero',
  'string', 'numericString', 'true', 'object', 'array', 'function', 'bigint', 'symbol',
];
/** Mutations of the options object as a whole. `keeps`: must give the baseline's result exactly. */
export const OPTIONS_MUTATIONS = [
  { kind: 'unknownKey' }, { kind: 'protoKey' }, { kind: 'nullPrototype', keeps: true }, { kind: 'proxy', keeps: true },
  { kind: 'throwingGetter' }, { kind: 'polluted', keeps: true }, { kind: 'notObject' }, { kind: 'arrayOptions' },
  { kind: 'classInstance', keeps: true }, { kind: 'frozenOptions', keeps: true }, { kind: 'symbolKey', keeps: true },
];
/** What a progress callback does, on its first call. */
export const CALLBACK_MUTATIONS = [
  'throwError', 'throw42', 'throwString', 'throwUndefined', 'throwNull', 'reenterPredict', 'reenterFitSync', 'reenterFit',
  'reenterSetParameters', 'reenterToJSON', 'transferX', 'transferY', 'shrinkX', 'overwriteX', 'gc', 'setThreads', 'abort', 'returnsPromise',
];
/** Step mutations: the call in a wrong context. */
export const STEP_MUTATIONS = ['whileFitting', 'afterFailedFit', 'gcBetween', 'beforeFit', 'twice', 'afterAbort'];
/** Mutations of model JSON for fromJSON. */
export const JSON_MUTATIONS = [
  'dropKey', 'extraKey', 'protoKey', 'wrongVersion', 'nanParameter', 'stringParameter', 'shortParameters', 'cycle', 'sharedSubobject',
  'deepNesting', 'wrongKind', 'hugeLayers', 'notObject', 'throwingGetter', 'proxy', 'fromString',
];
export const PARAM_MUTATIONS = ['wrongLength', 'nonFinite', 'wrongType', 'typedOther', 'missing', 'extraLayer', 'throwingGetter', 'huge', 'offsetView'];
export const INDEX_MUTATIONS = ['negative', 'outOfRange', 'fraction', 'NaN', 'string', 'float64Array', 'notArray', 'detached', 'offsetView', 'repeat'];
export const RANDOM_MUTATIONS = ['seedNegative', 'seedFraction', 'seedHuge', 'seedString', 'intZero', 'intNaN', 'intHuge', 'uniformNaN', 'uniformReversed', 'shuffleString', 'shuffleDetached'];

export const NETWORKS = [
  { layers: [3, 4, 1], hidden: 'tanh', output: 'sigmoid', loss: 'cross-entropy' },
  { layers: [3, 5, 3], hidden: 'relu', output: 'softmax', loss: 'cross-entropy' },
  { layers: [3, 4, 4, 2], hidden: ['leaky-relu', 'sigmoid'], output: 'linear', loss: 'mse' },
  { layers: [3, 2], hidden: 'tanh', output: 'sigmoid', loss: 'mse' },
];

/** The case at (seed, index): a plain, JSON-printable description. */
export function makeCase(seed, index, backends = ['native', 'reference']) {
  const rand = caseRng(seed, index);
  const family = rand() < 0.08 ? 'utility' : rand() < 0.45 ? 'logistic' : 'network';
  const backend = pick(rand, backends);
  const method = pick(rand, METHODS[family]);
  const net = family === 'network' ? Math.floor(rand() * NETWORKS.length) : 0;
  const c = { seed, index, family, backend, method, net, dataSeed: 1 + Math.floor(rand() * 1000) };
  const slots = SLOTS[method];
  // One case in six mutates a step (order, busy, GC) rather than an argument; utilities have no steps.
  if (family !== 'utility' && (slots.length === 0 || rand() < 1 / 6)) {
    c.mutation = { target: 'step', kind: pick(rand, STEP_MUTATIONS) };
    return c;
  }
  const slot = pick(rand, slots);
  const m = { target: slot };
  switch (slot) {
    case 'X': case 'M': Object.assign(m, pick(rand, X_MUTATIONS)); m.at = rand(); break;
    case 'Y': Object.assign(m, pick(rand, Y_MUTATIONS)); m.at = rand(); break;
    case 'ctorOption':
      if (rand() < 0.25) Object.assign(m, pick(rand, OPTIONS_MUTATIONS), { key: pick(rand, CTOR_OPTIONS[family]) });
      else Object.assign(m, { kind: 'value', key: pick(rand, CTOR_OPTIONS[family]), value: pick(rand, OPTION_VALUES) });
      break;
    case 'fitOption': Object.assign(m, { kind: 'value', key: pick(rand, FIT_OPTIONS[family]), value: pick(rand, OPTION_VALUES) }); break;
    case 'fitOptions': Object.assign(m, pick(rand, OPTIONS_MUTATIONS), { key: pick(rand, FIT_OPTIONS[family]) }); break;
    case 'splitOption':
      if (rand() < 0.3) Object.assign(m, pick(rand, OPTIONS_MUTATIONS), { key: pick(rand, ['testFraction', 'seed']) });
      else Object.assign(m, { kind: 'value', key: pick(rand, ['testFraction', 'seed']), value: pick(rand, OPTION_VALUES) });
      break;
    case 'callback': m.kind = pick(rand, CALLBACK_MUTATIONS); break;
    case 'json': m.kind = pick(rand, JSON_MUTATIONS); break;
    case 'params': m.kind = pick(rand, PARAM_MUTATIONS); break;
    case 'indices': m.kind = pick(rand, INDEX_MUTATIONS); break;
    case 'randomArg': m.kind = pick(rand, RANDOM_MUTATIONS); break;
    default: throw new Error(`no mutations for slot ${slot}`);
  }
  c.mutation = m;
  return c;
}

/** A one-line description of a case, for reports. */
export function describeCase(c) {
  const { target, kind, key, value } = c.mutation;
  const what = [target, kind, key, value].filter((v) => v !== undefined).join('.');
  return `seed ${c.seed} case ${c.index}: ${c.family}${c.family === 'network' ? `#${c.net}` : ''} ${c.backend} ${c.method}, mutation ${what}`;
}
