// Fuzz child process: runs cases [from, from + count) of one seed against the compiled package and
// prints one line per case: "S <index>" before it starts (so the parent can name the case a crash or
// hang happened in) and "R <json>" when it ends ({ index, outcome, code?, failure? }).
// argv[2]: JSON { dist, errorsTs, seed, from, count, backends }. Run with --expose-gc.
import { readFileSync } from 'node:fs';
import { makeCase, describeCase, NETWORKS } from './cases.mjs';

const args = JSON.parse(process.argv[2]);
const lib = await import(args.dist);
const { LogisticRegression, NeuralNetwork, Matrix, Random, Standardizer, takeRows, trainTestSplit } = lib;
const HAS_NATIVE = lib.info().backend === 'native';

/** Documented error codes: the ErrorCode union of lib/errors.ts, read from the source. */
const union = /export type ErrorCode\s*=([^;]*);/.exec(readFileSync(args.errorsTs, 'utf8'))[1];
const CODES = new Set([...union.matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]));

const out = (line) => process.stdout.write(line + '\n');
const gc = () => globalThis.gc?.();
const CALL_TIMEOUT_MS = 20_000;

let current = null; // the running case's record, for stray rejections
process.on('unhandledRejection', (e) => { if (current) current.stray.push(`unhandled rejection: ${String(e?.stack ?? e).slice(0, 300)}`); });
process.on('uncaughtException', (e) => { if (current) current.stray.push(`uncaught exception: ${String(e?.stack ?? e).slice(0, 300)}`); });

class Sentinel extends Error {}

// ── Fixtures ─────────────────────────────────────────────────────────────────────────────────────
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s + 0x6d2b79f5) >>> 0; let t = s; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const N = 10, M_ = 3;

/** X (values k/8, exact in float32) and the targets for the case's model. */
function fixture(c) {
  const r = rng(c.dataSeed);
  const X = new Matrix(N, M_);
  for (let k = 0; k < N * M_; k++) X.data[k] = Math.round((r() * 4 - 2) * 8) / 8;
  let Y;
  const spec = NETWORKS[c.net];
  if (c.family !== 'network' || spec.layers.at(-1) === 1) {
    Y = new Float64Array(N);
    for (let i = 0; i < N; i++) Y[i] = X.data[i * M_] + X.data[i * M_ + 1] > 0 ? 1 : 0;
    Y[0] = 0; Y[1] = 1;
  } else if (spec.output === 'softmax') {
    Y = new Float64Array(N);
    for (let i = 0; i < N; i++) Y[i] = i % spec.layers.at(-1);
  } else {
    const k = spec.layers.at(-1);
    Y = new Matrix(N, k);
    for (let i = 0; i < N * k; i++) Y.data[i] = spec.output === 'sigmoid' ? (i % 3) / 2 : Math.round((r() - 0.5) * 16) / 8;
  }
  return { X, Y };
}
const ctorOptions = (c) => (c.family === 'logistic'
  ? { learningRate: 0.5, iterations: 30, recordEvery: 5, backend: c.backend }
  : { ...NETWORKS[c.net], seed: 7, backend: c.backend });
const fitOptions = (c) => (c.family === 'logistic' ? {} : { epochs: 4, learningRate: 0.1, batchSize: 4 });
const Cls = (c) => (c.family === 'logistic' ? LogisticRegression : NeuralNetwork);

// ── Values for mutations ─────────────────────────────────────────────────────────────────────────
function optionValue(name, key) {
  const count = key === 'iterations' || key === 'epochs';
  switch (name) {
    case 'undefinedValue': return undefined;
    case 'null': return null;
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
    case 'zero': return 0;
    case 'negative': return -1;
    case 'fraction': return 0.5;
    // A valid but huge count would only be slow (a hang of the caller's making): use one that must be refused.
    case 'huge': return count ? 1e15 : 1e15;
    case '2^31': return count ? 1e15 : 2 ** 31;
    case '2^53': return 2 ** 53;
    case 'minusZero': return -0;
    case 'string': return 'bogus';
    case 'numericString': return '5';
    case 'true': return true;
    case 'object': return {};
    case 'array': return [1];
    case 'function': return () => {};
    case 'bigint': return 5n;
    case 'symbol': return Symbol('s');
    default: throw new Error(`unknown option value ${name}`);
  }
}
const WRONG_TYPES = [null, undefined, 42, 'X', {}, new Map(), () => {}, true, 5n, Symbol('x')];
const pickBy = (at, list) => list[Math.min(list.length - 1, Math.floor(at * list.length))];

function detach(view) { structuredClone(view.buffer, { transfer: [view.buffer] }); return view; }
function onResizable(a, extra = 2) { const b = new ArrayBuffer(a.byteLength, { maxByteLength: a.byteLength * extra + 8 }); const v = new Float64Array(b); v.set(a); return v; }
function onShared(a) { const v = new Float64Array(new SharedArrayBuffer(a.byteLength)); v.set(a); return v; }
function withOffset(a) { const v = new Float64Array(a.length + 3); v.set(a, 3); return v.subarray(3); }

function mutateX(X, m) {
  const d = X.data, n = X.rows, k = X.cols;
  switch (m.kind) {
    case 'offsetView': return new Matrix(n, k, withOffset(d));
    case 'sharedBuffer': return new Matrix(n, k, onShared(d));
    case 'resizableBuffer': return new Matrix(n, k, onResizable(d));
    case 'arrayOfRows': return X.toArray();
    case 'float32Data': return new Matrix(n, k, Float32Array.from(d));
    case 'frozen': return Object.freeze(new Matrix(n, k, d.slice()));
    case 'detached': { const Z = new Matrix(n, k, d.slice()); detach(Z.data); return Z; }
    case 'nonFinite': { const e = d.slice(); e[Math.floor(m.at * e.length)] = pickBy((m.at * 7) % 1, [NaN, Infinity, -Infinity]); return new Matrix(n, k, e); }
    case 'huge': { const e = d.slice(); e[Math.floor(m.at * e.length)] = pickBy((m.at * 7) % 1, [1e300, -1e308, Number.MAX_VALUE, 5e-324]); return new Matrix(n, k, e); }
    case 'zeroRows': return new Matrix(0, k);
    case 'wrongCols': return new Matrix(n, k + 1);
    case 'ragged': { const rows = X.toArray(); rows[Math.floor(m.at * n)].pop(); return rows; }
    case 'stringCell': { const rows = X.toArray(); rows[Math.floor(m.at * n)][0] = '1'; return rows; }
    case 'fakeMatrix': return { rows: n, cols: k, data: d.slice() };
    case 'proxyMatrix': return new Proxy(new Matrix(n, k, d.slice()), {});
    case 'lyingDataGetter': {
      let reads = 0; const full = d.slice(), tiny = new Float64Array(1);
      return Object.create(Matrix.prototype, { rows: { value: n }, cols: { value: k }, data: { get: () => (reads++ < 2 ? full : tiny) } });
    }
    case 'wrongType': return pickBy(m.at, WRONG_TYPES);
    case 'typedArrayNotMatrix': return d.slice();
    case 'oneRow': return new Matrix(1, k, d.slice(0, k));
    default: throw new Error(`unknown X mutation ${m.kind}`);
  }
}

function mutateY(Y, m) {
  const isM = Y instanceof Matrix;
  const d = isM ? Y.data : Y;
  const wrap = (a) => (isM ? new Matrix(Y.rows, Y.cols, a) : a);
  switch (m.kind) {
    case 'offsetView': return wrap(withOffset(d));
    case 'sharedBuffer': return wrap(onShared(d));
    case 'resizableBuffer': return wrap(onResizable(d));
    case 'plainArray': return isM ? Y.toArray() : Array.from(d);
    case 'otherTypedArray': { const T = pickBy(m.at, [Float32Array, Int8Array, Uint8Array, Int32Array, Uint8ClampedArray]); return isM ? new Matrix(Y.rows, Y.cols, T.from(d)) : T.from(d); }
    case 'detached': { const a = d.slice(); const v = wrap(a); detach(a); return v; }
    case 'nonFinite': { const a = d.slice(); a[Math.floor(m.at * a.length)] = NaN; return wrap(a); }
    case 'badLabel': { const a = d.slice(); a[Math.floor(m.at * a.length)] = pickBy((m.at * 5) % 1, [2, -1, 0.5, 1e300]); return wrap(a); }
    case 'wrongLength': return isM ? new Matrix(Y.rows - 1, Y.cols, d.slice(0, d.length - Y.cols)) : d.slice(1);
    case 'wrongType': return pickBy(m.at, WRONG_TYPES);
    case 'asMatrix': return isM ? Y : new Matrix(d.length, 1, d.slice());
    default: throw new Error(`unknown Y mutation ${m.kind}`);
  }
}

/** Applies an options-object mutation; returns the options and a cleanup (for prototype pollution). */
function mutateOptions(o, m) {
  const key = m.key;
  const value = o[key];
  switch (m.kind) {
    case 'value': return { options: { ...o, [key]: optionValue(m.value, key) } };
    case 'unknownKey': return { options: { ...o, [key + 'X']: 1 } };
    case 'protoKey': {
      // An own "__proto__" key, as JSON.parse makes it (a literal would set the prototype instead).
      const rest = JSON.stringify({ ...o, backend: undefined });
      return { options: JSON.parse(`{"__proto__":{"${key}":1e15}${rest.length > 2 ? ',' + rest.slice(1) : '}'}`), restoreBackend: true };
    }
    case 'nullPrototype': return { options: Object.assign(Object.create(null), o) };
    case 'proxy': return { options: new Proxy({ ...o }, {}) };
    case 'throwingGetter': { const x = { ...o }; Object.defineProperty(x, key, { enumerable: true, get() { throw new Sentinel('getter'); } }); return { options: x, sentinel: true }; }
    case 'polluted': {
      const P = Object.prototype;
      const had = Object.prototype.hasOwnProperty.call(P, key);
      const polluting = { onProgress: 42, signal: 'x', layers: [1e7, 1e7], hidden: 'bogus', backend: 'bogus', warmStart: 'x' }[key] ?? 1e15;
      P[key] = polluting;
      const x = { ...o };
      return { options: x, cleanup: () => { if (!had) delete P[key]; } };
    }
    case 'notObject': return { options: pickBy(value === undefined ? 0.5 : 0.2, ['opts', 42, true]) };
    case 'arrayOptions': return { options: [o] };
    case 'classInstance': { class Opts { constructor() { Object.assign(this, o); } } return { options: new Opts() }; }
    case 'frozenOptions': return { options: Object.freeze({ ...o }) };
    case 'symbolKey': return { options: { ...o, [Symbol('extra')]: 1 } };
    default: throw new Error(`unknown options mutation ${m.kind}`);
  }
}

// ── Results: validity and comparison ─────────────────────────────────────────────────────────────
const finiteAll = (a) => { for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false; return true; };
const hex = (a) => Buffer.from(Float64Array.from(a).buffer).toString('hex');

function modelState(model) {
  // coef and intercept: a fit on three or more labels gives the multinomial model, whose `bias` throws.
  if (model instanceof LogisticRegression) return hex([...model.coef.data, ...model.intercept]);
  if (model instanceof NeuralNetwork) { const p = model.parameters; return hex([...p.W.flatMap((w) => [...w]), ...p.b.flatMap((b) => [...b])]); }
  return '';
}

/** A comparable fingerprint of a result (exact bits). */
function fingerprint(v) {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return hex([v]);
  if (v instanceof Matrix) return `M${v.rows}x${v.cols}:${hex(v.data)}`;
  if (v instanceof Float64Array) return `F:${hex(v)}`;
  if (v instanceof LogisticRegression || v instanceof NeuralNetwork) return `model:${modelState(v)}`;
  if (v instanceof Standardizer) return `S:${hex(v.mean)}:${hex(v.std)}`;
  if (Array.isArray(v)) return `[${v.map(fingerprint).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.keys(v).sort().map((k) => `${k}=${fingerprint(v[k])}`).join(',')}}`;
  return String(v);
}

/** A network of the case that is a regressor (loss 'mse'): predict gives values, predictProba throws ERR_BLASNET_TASK, score is R². */
const isRegressor = (c) => c.family === 'network' && NETWORKS[c.net].loss === 'mse';

/** The model's raw outputs on X, for finiteness checks: probabilities (classifiers) or values (regressors). */
function outputs(model, X) {
  if (model instanceof NeuralNetwork && model.task === 'regression') { const v = model.predictSync(X); return v.data ?? v; }
  return model.predictProbaSync(X).data;
}

/** Why a returned value is not a correct result for the method, or null. */
function invalidResult(c, v, n) {
  const mth = c.method;
  const sL = c.family === 'network' ? NETWORKS[c.net].layers.at(-1) : 1;
  if (mth === 'fit' || mth === 'fitSync') {
    if (!v || !Array.isArray(v.costs) || !finiteAll(v.costs)) return `costs not an array of finite numbers: ${String(v?.costs).slice(0, 80)}`;
    const count = v.epochs;
    if (!Number.isInteger(count) || count < 0) return `bad step count ${count}`;
    return null;
  }
  if (mth === 'costAndGradients') {
    if (!Number.isFinite(v?.cost)) return `non-finite cost ${v?.cost}`;
    const grads = c.family === 'logistic' ? [v.dw, [v.db]] : [...v.dW, ...v.db];
    if (!grads.every((g) => g && finiteAll(g))) return 'non-finite gradient';
    return null;
  }
  if (mth === 'predictProbaSync' || mth === 'predictProba') {
    if (isRegressor(c)) return 'a regressor returned probabilities (expected ERR_BLASNET_TASK)';
    // n × k, columns following classes: binary k = 2 (logistic regression, a one-output network), else the outputs.
    const k = c.family === 'logistic' ? 2 : Math.max(2, sL);
    if (!(v instanceof Matrix) || v.rows !== n || v.cols !== k) return `expected an ${n} × ${k} Matrix`;
    for (const p of v.data) if (!(p >= 0 && p <= 1)) return `probability ${p} outside [0, 1]`;
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += v.data[i * k + j];
      if (!(Math.abs(sum - 1) <= 1e-9)) return `probabilities of row ${i} sum to ${sum}`;
    }
    return null;
  }
  if (mth === 'predictSync' || mth === 'predict') {
    if (isRegressor(c)) {
      // Values: an n × k Matrix for several outputs.
      if (!(v instanceof Matrix) || v.rows !== n || v.cols !== sL) return `expected an ${n} × ${sL} Matrix`;
      if (!finiteAll(v.data)) return 'non-finite prediction';
      return null;
    }
    // Labels, in the type the fit was given (numbers: a Float64Array), among 0 … max(2, sL) − 1.
    if (!(v instanceof Float64Array) || v.length !== n) return `expected a Float64Array of ${n}`;
    for (const p of v) if (!(Number.isInteger(p) && p >= 0 && p < Math.max(2, sL))) return `class ${p} out of range`;
    return null;
  }
  if (mth === 'scoreSync' || mth === 'score') {
    if (isRegressor(c)) {
      // A target of 1e300 overflows the sums of squares of R² (as in numpy): NaN is the float64 answer there.
      const m = c.mutation;
      const overflows = m.target === 'Y' && m.kind === 'badLabel' && pickBy((m.at * 5) % 1, [2, -1, 0.5, 1e300]) === 1e300;
      if (overflows && Number.isNaN(v)) return null;
      return typeof v === 'number' && Number.isFinite(v) && v <= 1 ? null : `R² ${v} not a finite number ≤ 1`;
    }
    return typeof v === 'number' && v >= 0 && v <= 1 ? null : `accuracy ${v} not in [0, 1]`;
  }
  if (mth === 'ctor' || mth === 'fromJSON') return v instanceof Cls(c) ? null : 'not a model';
  if (mth === 'setParameters' || mth === 'reset') return v === undefined ? null : 'returned a value';
  // takeRows copies rows as they are (non-finite values included): only the shape is its business. A
  // Matrix gives a Matrix; number[][] gives number[][] (only the rows it takes are read and checked).
  if (mth === 'takeRows') {
    if (v instanceof Matrix) return v.rows === n ? null : `not a Matrix of ${n} rows`;
    return Array.isArray(v) && v.length === n && v.every((r) => Array.isArray(r) && r.every((x) => typeof x === 'number')) ? null : `not ${n} rows of numbers`;
  }
  if (mth === 'trainTestSplit') return v && v.Xtrain instanceof Matrix && v.Xtest instanceof Matrix && v.Xtrain.rows + v.Xtest.rows === N ? null : 'bad split';
  if (mth === 'standardizer') return v instanceof Matrix && finiteAll(v.data) ? null : 'not a finite Matrix';
  if (mth === 'random') return typeof v === 'number' ? (Number.isFinite(v) ? null : 'non-finite draw') : Array.isArray(v) || ArrayBuffer.isView(v) ? null : 'bad draw';
  return null;
}

// ── Running one case ─────────────────────────────────────────────────────────────────────────────
function withTimeout(p, what) {
  let t;
  return Promise.race([p, new Promise((_, reject) => { t = setTimeout(() => reject(new HangError(`${what} did not settle within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS); })]).finally(() => clearTimeout(t));
}
class HangError extends Error {}

/** Builds the model a method runs on: fitted first (except ctor / fromJSON / 'beforeFit'). */
function prepareModel(c, fitFirst) {
  const model = new (Cls(c))(ctorOptions(c));
  if (fitFirst) { const { X, Y } = fixture(c); model.fitSync(X, Y, fitOptions(c)); }
  return model;
}

/**
 * Runs the case's call, mutated or not. Returns { value } or { error }, plus the model and what
 * the mutation needs checked (sentinel identity, callback calls, inner outcomes).
 */
async function runCall(c, mutated) {
  const m = mutated ? c.mutation : { target: 'none' };
  const ctx = { sentinel: undefined, callbackCalls: 0, inner: [], cleanup: [] };
  const fx = fixture(c);
  let X = fx.X, Y = fx.Y;
  const fitsFirst = !['ctor', 'fromJSON', 'fit', 'fitSync'].includes(c.method) && !(m.target === 'step' && m.kind === 'beforeFit');
  let model = c.family === 'utility' ? null : c.method === 'ctor' ? null : prepareModel(c, fitsFirst);
  let ctorOpts = c.family === 'utility' ? null : ctorOptions(c);
  let opts = c.family === 'utility' ? { testFraction: 0.3, seed: 3 } : fitOptions(c);

  if (m.target === 'X' || m.target === 'M') X = mutateX(X, m);
  if (m.target === 'Y') Y = mutateY(Y, m);
  if (m.target === 'ctorOption') {
    const r = mutateOptions(ctorOpts, m);
    ctorOpts = r.options;
    if (r.restoreBackend) ctorOpts.backend = c.backend;
    if (r.sentinel) ctx.sentinelClass = true;
    if (r.cleanup) ctx.cleanup.push(r.cleanup);
  }
  if (m.target === 'fitOption' || m.target === 'fitOptions' || m.target === 'splitOption') {
    const r = mutateOptions(opts, m);
    opts = r.options;
    if (r.sentinel) ctx.sentinelClass = true;
    if (r.cleanup) ctx.cleanup.push(r.cleanup);
  }
  const fitLike = c.method === 'fit' || c.method === 'fitSync';
  if (m.target === 'ctorOption' && fitLike) {
    // The constructor takes the mutated options; the fit then runs on the model it built (if any).
  }
  const controller = new AbortController();
  if (m.target === 'callback') {
    if (m.kind === 'shrinkX') X = new Matrix(X.rows, X.cols, onResizable(X.data));
    const theX = X, theY = Y;
    const thrown = { throwError: new Sentinel('from onProgress'), throw42: 42, throwString: 'str', throwUndefined: undefined, throwNull: null };
    if (m.kind in thrown) ctx.sentinel = thrown[m.kind], ctx.expectFailure = true;
    const base = opts;
    opts = { ...base, onProgress: (p) => {
      ctx.callbackCalls++;
      if (!(typeof p?.cost === 'number' && Number.isFinite(p.cost) && Number.isInteger(p.iteration))) ctx.inner.push(`bad progress record ${JSON.stringify(p)}`);
      if (ctx.callbackCalls > 1) return undefined;
      const tryInner = (label, fn, expected) => {
        try {
          const r = fn();
          if (r && typeof r.then === 'function') {
            ctx.innerPromise = r.then(() => { if (expected) ctx.inner.push(`${label} succeeded, expected ${expected}`); }, (e) => { if (expected && e?.code !== expected) ctx.inner.push(`${label} rejected with ${e?.code ?? e}, expected ${expected}`); });
          } else if (expected) ctx.inner.push(`${label} succeeded, expected ${expected}`);
        } catch (e) {
          if (expected ? e?.code !== expected : !(e instanceof Error && CODES.has(e.code))) ctx.inner.push(`${label} threw ${e?.code ?? e}${expected ? `, expected ${expected}` : ''}`);
        }
      };
      switch (m.kind) {
        case 'throwError': case 'throw42': case 'throwString': case 'throwUndefined': case 'throwNull': throw ctx.sentinel;
        case 'reenterPredict': tryInner('predict', () => { if (!finiteAll(outputs(model, fixture(c).X))) ctx.inner.push('re-entrant prediction not finite'); }); break;
        case 'reenterFitSync': tryInner('fitSync', () => model.fitSync(fixture(c).X, fixture(c).Y, fitOptions(c)), 'ERR_BLASNET_BUSY'); break;
        case 'reenterFit': tryInner('fit', () => model.fit(fixture(c).X, fixture(c).Y, fitOptions(c)), 'ERR_BLASNET_BUSY'); break;
        case 'reenterSetParameters': tryInner('setParameters', () => model.setParameters(c.family === 'logistic' ? { weights: [1, 1, 1], bias: 0 } : model.parameters), 'ERR_BLASNET_BUSY'); break;
        case 'reenterToJSON': tryInner('toJSON', () => JSON.stringify(model.toJSON())); break;
        case 'transferX': detach(theX.data); break;
        case 'transferY': detach(theY instanceof Matrix ? theY.data : theY); break;
        case 'shrinkX': theX.data.buffer.resize(0); break;
        case 'overwriteX': theX.data.fill(NaN); break;
        case 'gc': break;
        case 'setThreads': if (HAS_NATIVE) lib.setThreads(1 + (c.index % 2)); break;
        case 'abort': controller.abort(); break;
        case 'returnsPromise': return Promise.resolve(1);
        default: throw new Error(`unknown callback mutation ${m.kind}`);
      }
      for (let k = 0; k < 3; k++) { gc(); new Float64Array(4096).fill(1e300); }
      return undefined;
    } };
    if (c.method === 'fit') opts.signal = controller.signal;
  }
  let json = null;
  if (c.method === 'fromJSON') json = mutated && m.target === 'json' ? mutateJSON(c, m) : JSON.parse(JSON.stringify(prepareModel(c, true).toJSON()));
  let params = null;
  if (c.method === 'setParameters') params = m.target === 'params' ? mutateParams(c, model, m) : c.family === 'logistic' ? { weights: model.weights, bias: model.bias } : model.parameters;

  // Steps before the call.
  let background = null;
  if (m.target === 'step') {
    if (m.kind === 'whileFitting' && model) { background = model.fit(fixture(c).X, fixture(c).Y, fitOptions(c)); background.catch(() => {}); }
    if (m.kind === 'afterFailedFit' && model) { const bad = fixture(c).X; bad.data[0] = NaN; try { model.fitSync(bad, fixture(c).Y, fitOptions(c)); } catch {} }
    if (m.kind === 'afterAbort' && model) { const ac = new AbortController(); ac.abort(); await model.fit(fixture(c).X, fixture(c).Y, { ...fitOptions(c), signal: ac.signal }).catch(() => {}); }
    if (m.kind === 'gcBetween') gc();
  }

  const call = () => {
    switch (c.method) {
      case 'ctor': model = new (Cls(c))(ctorOpts); return model;
      case 'fitSync': case 'fit': {
        if (m.target === 'ctorOption') model = new (Cls(c))(ctorOpts);
        return model[c.method](X, Y, opts);
      }
      case 'costAndGradients': return model.costAndGradients(X, Y);
      case 'predictProbaSync': case 'predictProba': case 'predictSync': case 'predict': return model[c.method](X);
      case 'scoreSync': case 'score': return model[c.method](X, Y);
      case 'setParameters': return model.setParameters(params);
      case 'fromJSON': return Cls(c).fromJSON(json, { backend: c.backend });
      case 'reset': return model.reset();
      case 'takeRows': return takeRows(X, m.target === 'indices' ? mutateIndices(m) : [0, 2, 4]);
      case 'trainTestSplit': return trainTestSplit(X, Y instanceof Matrix ? Y : Y, opts);
      case 'standardizer': return Standardizer.fit(X).transform(X);
      case 'random': return randomCall(m);
      default: throw new Error(`unknown method ${c.method}`);
    }
  };
  let result;
  const busyBefore = model?.busy === true;
  try {
    let v = call();
    if (v && typeof v.then === 'function') v = await withTimeout(v, c.method);
    if (m.target === 'step' && m.kind === 'twice') { let w = call(); if (w && typeof w.then === 'function') w = await withTimeout(w, c.method); }
    result = { value: v };
    if (busyBefore && ['fit', 'fitSync', 'setParameters', 'reset'].includes(c.method)) ctx.inner.push(`${c.method} was accepted while a fit was running (expected ERR_BLASNET_BUSY)`);
  } catch (e) {
    result = { error: e };
  } finally {
    for (const f of ctx.cleanup) f();
  }
  if (background) {
    try { await withTimeout(background, 'the background fit'); } catch (e) { if (!(e instanceof Error && CODES.has(e.code))) ctx.inner.push(`background fit failed with ${e?.stack ?? e}`); }
  }
  if (ctx.innerPromise) await withTimeout(ctx.innerPromise, 'a re-entrant fit');
  if (m.target === 'step' && m.kind === 'gcBetween') gc();
  return { ...result, model, ctx, n: c.method === 'takeRows' ? 3 : X instanceof Matrix ? X.rows : N };
}

function mutateJSON(c, m) {
  const json = JSON.parse(JSON.stringify(prepareModel(c, true).toJSON()));
  switch (m.kind) {
    case 'dropKey': delete json.parameters; return json;
    case 'extraKey': json.extra = 1; return json;
    case 'protoKey': return JSON.parse(JSON.stringify(json).replace(/^\{/, '{"__proto__":{"format":"x"},'));
    case 'wrongVersion': json.version = 99; return json;
    case 'nanParameter': (json.parameters.weights ?? json.parameters.W[0])[0] = NaN; return json;
    case 'stringParameter': (json.parameters.weights ?? json.parameters.W[0])[0] = '1'; return json;
    case 'shortParameters': (json.parameters.weights ?? json.parameters.W[0]).pop(); return json;
    case 'cycle': json.metadata.self = json.metadata; return json;
    case 'sharedSubobject': { let o = { a: '1' }; for (let k = 0; k < 40; k++) o = { a: o, b: o }; json.metadata.dag = o; return json; }
    case 'deepNesting': { let o = []; for (let k = 0; k < 20000; k++) o = [o]; json.metadata.deep = o; return json; }
    case 'wrongKind': json.kind = c.family === 'logistic' ? 'neural-network' : 'logistic-regression'; return json;
    case 'hugeLayers': if (json.architecture.layers) json.architecture.layers[1] = 1e7; else json.architecture.features = 1e9; return json;
    case 'notObject': return pickBy(c.dataSeed / 1000, ['{}', 42, null, [], undefined]);
    case 'throwingGetter': Object.defineProperty(json, 'parameters', { enumerable: true, get() { throw new Sentinel('json getter'); } }); return json;
    case 'proxy': return new Proxy(json, {});
    case 'fromString': return JSON.stringify(json);
    default: throw new Error(`unknown json mutation ${m.kind}`);
  }
}

function mutateParams(c, model, m) {
  const p = c.family === 'logistic' ? { weights: Array.from(model.weights), bias: model.bias } : model.parameters;
  const first = c.family === 'logistic' ? p.weights : p.W[0];
  switch (m.kind) {
    case 'wrongLength': if (c.family === 'logistic') p.weights.push(1); else p.W[0] = p.W[0].slice(1); return p;
    case 'nonFinite': first[0] = NaN; return p;
    case 'wrongType': if (c.family === 'logistic') p.bias = '0'; else p.b = 'b'; return p;
    case 'typedOther': if (c.family === 'logistic') p.weights = Float32Array.from(p.weights); else p.W[0] = Float32Array.from(p.W[0]); return p;
    case 'missing': delete p[c.family === 'logistic' ? 'bias' : 'b']; return p;
    case 'extraLayer': if (c.family === 'logistic') p.weights = []; else { p.W.push(new Float64Array(1)); p.b.push(new Float64Array(1)); } return p;
    case 'throwingGetter': Object.defineProperty(p, c.family === 'logistic' ? 'weights' : 'W', { enumerable: true, get() { throw new Sentinel('params getter'); } }); return p;
    case 'huge': first.fill ? first.fill(1e300) : first.forEach((_, i) => { first[i] = 1e300; }); return p;
    case 'offsetView': if (c.family === 'logistic') p.weights = withOffset(Float64Array.from(p.weights)); else p.W[0] = withOffset(p.W[0]); return p;
    default: throw new Error(`unknown params mutation ${m.kind}`);
  }
}

function mutateIndices(m) {
  switch (m.kind) {
    case 'negative': return [0, -1];
    case 'outOfRange': return [0, N];
    case 'fraction': return [0.5];
    case 'NaN': return [NaN];
    case 'string': return ['1'];
    case 'float64Array': return new Float64Array([0, 1]);
    case 'notArray': return { length: 2, 0: 0, 1: 1 };
    case 'detached': return detach(Int32Array.of(0, 1));
    case 'offsetView': return new Int32Array([9, 0, 2, 4]).subarray(1);
    case 'repeat': return [1, 1, 1];
    default: throw new Error(`unknown index mutation ${m.kind}`);
  }
}

function randomCall(m) {
  switch (m.kind) {
    case 'seedNegative': return new Random(-1).next();
    case 'seedFraction': return new Random(0.5).next();
    case 'seedHuge': return new Random(2 ** 40).next();
    case 'seedString': return new Random('1').next();
    case 'intZero': return new Random(1).int(0);
    case 'intNaN': return new Random(1).int(NaN);
    case 'intHuge': return new Random(1).int(2 ** 60);
    case 'uniformNaN': return new Random(1).uniform(0, NaN);
    case 'uniformReversed': return new Random(1).uniform(1, 0);
    case 'shuffleString': return new Random(1).shuffle('abc');
    case 'shuffleDetached': return new Random(1).shuffle(detach(new Float64Array(4)));
    case undefined: return new Random(1).next();
    default: throw new Error(`unknown random mutation ${m.kind}`);
  }
}

/** Mutations whose call must succeed with exactly the baseline's result. */
function mustEqualBaseline(m, c) {
  if (m.target === 'M') return ['offsetView', 'frozen', 'float32Data', 'resizableBuffer'].includes(m.kind);
  if (m.target === 'X') return ['offsetView', 'arrayOfRows', 'frozen', 'float32Data', 'resizableBuffer'].includes(m.kind);
  if (m.target === 'Y') return ['offsetView', 'plainArray', 'resizableBuffer'].includes(m.kind) || (m.kind === 'asMatrix' && (c.family === 'logistic' || (c.family === 'network' && NETWORKS[c.net].layers.at(-1) === 1)));
  if (['ctorOption', 'fitOptions', 'splitOption'].includes(m.target)) return ['polluted', 'nullPrototype', 'frozenOptions', 'symbolKey', 'classInstance'].includes(m.kind);
  if (m.target === 'callback') return ['gc', 'returnsPromise', 'reenterPredict', 'reenterFitSync', 'reenterFit', 'reenterSetParameters', 'reenterToJSON'].includes(m.kind);
  if (m.target === 'step') return ['afterFailedFit', 'gcBetween', 'afterAbort'].includes(m.kind);
  return false;
}
/** Mutations after which a successful call must still equal the baseline (an error is allowed). */
function equalIfSucceeds(m) {
  if (m.target === 'X' || m.target === 'M') return ['sharedBuffer', 'proxyMatrix'].includes(m.kind);
  if (m.target === 'Y') return m.kind === 'sharedBuffer';
  if (m.target === 'callback') return ['transferX', 'transferY', 'shrinkX', 'overwriteX'].includes(m.kind);
  if (['ctorOption', 'fitOptions', 'splitOption'].includes(m.target)) return m.kind === 'proxy';
  return false;
}

async function runCase(c) {
  const rec = { index: c.index, stray: [], calls: 0 };
  current = rec;
  const failures = [];
  let code = null, outcome = 'ok';
  try {
    const base = await runCall(c, false);
    rec.calls++;
    // predictProba on a regressor: the unmutated call must fail with ERR_BLASNET_TASK (the mutated one then must fail too).
    const wrongTask = isRegressor(c) && (c.method === 'predictProbaSync' || c.method === 'predictProba');
    if (wrongTask) {
      if (base.error?.code !== 'ERR_BLASNET_TASK') {
        failures.push(`the unmutated predictProba on a regressor: expected ERR_BLASNET_TASK, got ${base.error ? describeError(base.error) : 'a result'}`);
      }
      base.error = base.error ?? new Error('expected ERR_BLASNET_TASK');
    } else if (base.error) failures.push(`the unmutated baseline failed: ${base.error?.stack ?? base.error}`);
    const got = await runCall(c, true);
    rec.calls++;
    const m = c.mutation;
    if (got.error !== undefined || ('error' in got)) {
      const e = got.error;
      outcome = 'error';
      if (e instanceof HangError) failures.push(`HANG: ${e.message}`);
      else if (got.ctx.expectFailure || got.ctx.sentinelClass || e instanceof Sentinel) {
        const isSentinel = e === got.ctx.sentinel || e instanceof Sentinel || (e instanceof Error && (e.cause === got.ctx.sentinel || e.cause instanceof Sentinel) && CODES.has(e.code));
        if (isSentinel) code = 'sentinel (the value the callback or getter threw)';
        else if (e instanceof Error && CODES.has(e.code)) code = e.code;
        else failures.push(`undocumented error: ${describeError(e)}`);
      } else if (e instanceof Error && CODES.has(e.code) && typeof e.message === 'string' && e.message.length > 0) {
        code = e.code;
        // predictProba on a regressor: the baseline's result is ERR_BLASNET_TASK.
        if (mustEqualBaseline(m, c) && !(wrongTask && e.code === 'ERR_BLASNET_TASK')) failures.push(`expected the baseline's result, got ${e.code}: ${e.message}`);
        if (m.target === 'callback' && e.code === 'ERR_BLASNET_DIVERGED') failures.push(`the callback's ${m.kind} was reported as a divergence: ${e.message}`);
      } else failures.push(`undocumented error: ${describeError(e)}`);
    } else {
      const bad = invalidResult(c, got.value, got.n);
      if (bad) failures.push(`wrong result: ${bad}`);
      if (got.ctx.expectFailure && got.ctx.callbackCalls > 0) failures.push(`the callback threw ${String(got.ctx.sentinel)} but the call succeeded`);
      if ((mustEqualBaseline(m, c) || equalIfSucceeds(m)) && !base.error) {
        if (fingerprint(got.value) !== fingerprint(base.value)) failures.push('result differs from the unmutated call\'s');
        else if (modelState(got.model) !== modelState(base.model)) failures.push('model parameters differ from the unmutated call\'s');
      }
    }
    for (const s of got.ctx.inner) failures.push(`inside the call: ${s}`);
    // The model stays usable: not busy, and a valid prediction is finite.
    if (got.model) {
      await new Promise((r) => setImmediate(r));
      if (got.model.busy) failures.push('model still busy after the call settled');
      try {
        const v = outputs(got.model, fixture(c).X);
        rec.calls++;
        if (!finiteAll(v)) failures.push('a valid prediction after the call is not finite');
      } catch (e) {
        if (!(e instanceof Error && CODES.has(e.code))) failures.push(`a valid prediction after the call threw ${describeError(e)}`);
        // A fit or setParameters may give a logistic regression another feature count: then the 3-column X no longer fits.
        else if (!['ERR_BLASNET_NOT_FITTED', 'ERR_BLASNET_NOT_FINITE'].includes(e.code) && !(c.family === 'logistic' && e.code === 'ERR_BLASNET_SHAPE')) failures.push(`a valid prediction after the call failed: ${e.code}: ${e.message}`);
      }
    }
  } catch (e) {
    failures.push(`harness error: ${e?.stack ?? e}`);
  }
  await new Promise((r) => setImmediate(r));
  failures.push(...rec.stray);
  current = null;
  return { index: c.index, outcome, code, calls: rec.calls, ...(failures.length ? { failure: `${describeCase(c)} — ${failures.join('; ')}` } : {}) };
}

function describeError(e) {
  if (e instanceof Error) return `${e.name}${e.code ? ` [${e.code}]` : ' (no code)'}: ${String(e.message).slice(0, 200)}`;
  return `a non-Error ${typeof e}: ${String(e)}`;
}

const skip = new Set(args.skip ?? []);
for (let i = args.from; i < args.from + args.count; i++) {
  const c = makeCase(args.seed, i, args.backends ?? (HAS_NATIVE ? ['native', 'reference'] : ['reference']));
  if (skip.has(`${c.mutation.target}.${c.mutation.kind}`)) { out(`S ${i}`); out(`R ${JSON.stringify({ index: i, outcome: 'skipped', calls: 0 })}`); continue; }
  out(`S ${i}`);
  const r = await runCase(c);
  out(`R ${JSON.stringify(r)}`);
}
process.exit(0);
