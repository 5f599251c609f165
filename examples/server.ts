// A prediction server over node:http (no framework), on the bundled Breast Cancer Wisconsin data: a
// 30-16-1 tanh / sigmoid NeuralNetwork, inputs standardized with the training split's statistics.
//
//   POST /predict  {"inputs": number[][]}  (raw features, rows of 30)
//                  → 200 {"probabilities": number[], "classes": number[], "modelVersion": n}
//   POST /train    {"epochs"?: n, "learningRate"?: x, "data"?: {"inputs": number[][], "labels": number[]}}
//                  (defaults: 1000 epochs, learning rate 0.3, the bundled training split; labels 0/1)
//                  → 202 {"status": "training", "job": id} at once; the fit runs in the background.
//                  → 409 {"error", "code": "ERR_BLASNET_BUSY"} while another retrain runs.
//   GET  /status   → 200 {"training", "job", "epoch", "epochs", "lastCost", "modelVersion", "lastError"?,
//                  "lastTrainMs", "testAccuracy", "backend"}
// Errors are JSON {"error": message, "code": code}: 400 invalid JSON or wrong shape, 404 unknown route,
// 405 wrong method (with Allow), 413 body over the limit (1 MiB), 415 a non-JSON Content-Type, 409 busy.
//
// Startup: the server trains its first model (≈ 1000 epochs, a fraction of a second) BEFORE it listens.
// Chosen over "listen at once and answer 503": once the port is open every route works, so clients and
// health checks need no retry-on-503 logic, and modelVersion ≥ 1 always names parameters that were
// trained. The cost is that the port opens ~0.2–0.5 s later.
//
// Training: full-batch gradient descent for exactly the epochs asked (no early stopping), set once in
// the constructor as the defaults of every fit; the library's own default (Adam in mini-batches with
// early stopping) would end a retrain before the epochs a client asked for.
//
// Retraining: the same NeuralNetwork is fitted again with `warmStart: true`, continuing from its
// current parameters (without it every fit starts afresh from the seeded initialization). `fit` runs
// in one native AsyncWorker on a copy of the parameters (and of X and Y) while predictions keep using the
// last completed ones; when it settles the library installs the trained parameters in one assignment. This
// server only bumps modelVersion in the fit promise's continuation: between the library's installation and
// that continuation only microtasks of the same promise chain run, no request handler, so every answer's
// modelVersion names the parameters that computed it. The Standardizer is part of the deployed model's
// input pipeline: fitted once on the bundled training split and kept for retrains on posted data too, so
// old and new parameters always see identically scaled inputs. A retrain that fails (diverges, or is
// aborted at shutdown) is rolled back to the previous parameters, and `lastError` says why.
//
// Only loopback addresses are accepted as the host: this is an example, not a hardened public service.
//
// CLI: node dist/examples/server.js [--port 3000]; SIGINT / SIGTERM shut it down gracefully (stop
// accepting, abort a running retrain, let in-flight requests finish for up to 5 s, then exit).
import { realpathSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BlasnetRangeError, BlasnetTypeError, Matrix, NeuralNetwork, Standardizer, trainTestSplit } from '../lib/index.js';
import { loadBreastCancer } from './breast-cancer.js';

export interface ServerOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** A loopback address: '127.0.0.1' (default), another 127.x.y.z, '::1' or 'localhost'. */
  host?: string;
  /** Largest accepted request body in bytes (413 above it). Default 1 MiB. */
  bodyLimit?: number;
  /** Epochs of the first training, before listening. Default 1000. */
  initialEpochs?: number;
  /** Largest `epochs` a /train request may ask for. Default 1 000 000. */
  maxEpochs?: number;
  /** One line per event (start, retrains, shutdown). Default: silent. */
  log?: (line: string) => void;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  port: number;
  /** Stops accepting, aborts a running retrain, waits for in-flight requests (closing them after 5 s). Idempotent. */
  close(): Promise<void>;
}

/** Features per example in the bundled data. */
export const FEATURES = 30;
const LAYERS = [FEATURES, 16, 1];
const LEARNING_RATE = 0.3;
const MiB = 1024 * 1024;
const SHUTDOWN_GRACE_MS = 5000;
/**
 * Batches up to this many rows are answered with predictSync on the main thread, larger ones with
 * `await model.predict` (a libuv thread-pool job). For the 30-16-1 network predictSync costs a few µs
 * for one row and well under a µs per row after that, while merely *starting* an asynchronous predict
 * costs the main thread tens of µs (argument checks, copies of X and θ, creating the worker) plus a
 * thread-pool round trip. So up to a few hundred rows the synchronous call is both cheaper for the
 * event loop and faster for the client; above it (up to the ~4000 rows a 1 MiB body can carry) the
 * work moves off the loop. Either way no
 * prediction holds the event loop for more than a fraction of a millisecond — less than JSON.parse of
 * the same request. (The pool has 4 threads by default; a running fit occupies one of them.)
 */
const SYNC_PREDICT_MAX_ROWS = 256;

/** An error that is the client's fault, with its HTTP status and a stable code. */
class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Record<string, string> = {}) {
    super(message);
  }
}

interface Status {
  training: boolean;
  /** Id of the running or last retrain (0: the startup training). */
  job: number;
  /** Epochs completed by the running or last fit. */
  epoch: number;
  /** Epochs requested by the running or last fit. */
  epochs: number;
  /** The last recorded training cost (recorded every ⌈epochs / 200⌉ epochs; null before any). */
  lastCost: number | null;
  /** Increments each time trained parameters are installed; 1 after the startup training. */
  modelVersion: number;
  lastError?: string;
  /** Wall time of the last completed fit. */
  lastTrainMs: number | null;
  /** Accuracy of the served model on the bundled held-out split. */
  testAccuracy: number | null;
  backend: string;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Builds the model, trains it once, then listens. Resolves when the server accepts connections. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { port = 0, host = '127.0.0.1', bodyLimit = MiB, initialEpochs = 1000, maxEpochs = 1_000_000, log = () => {} } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`port must be an integer in [0, 65535], got ${port}`);
  if (!isLoopback(host)) throw new RangeError(`host must be a loopback address (127.0.0.1, ::1, localhost), got ${JSON.stringify(host)}`);

  // ---- the model -------------------------------------------------------------------------------
  const { X, y } = loadBreastCancer();
  const split = trainTestSplit(X, y, { testFraction: 0.2, seed: 0 });
  const scaler = Standardizer.fit(split.Xtrain);
  const Xtrain = scaler.transform(split.Xtrain), Xtest = scaler.transform(split.Xtest);
  const model = new NeuralNetwork({
    layers: LAYERS, hidden: 'tanh', output: 'sigmoid', seed: 0,
    optimizer: 'gd', batchSize: 0, learningRate: LEARNING_RATE, earlyStopping: false,
  });

  const status: Status = {
    training: false, job: 0, epoch: 0, epochs: initialEpochs, lastCost: null, modelVersion: 0,
    lastTrainMs: null, testAccuracy: null, backend: model.backend,
  };
  let nextJob = 1;
  let running: { controller: AbortController; done: Promise<void> } | null = null;
  let closing: Promise<void> | null = null;

  const progress = ({ iteration, cost }: { iteration: number; cost: number }): void => {
    status.epoch = iteration + 1;
    status.lastCost = Number.isFinite(cost) ? cost : null;
  };
  // ≤ ~200 progress callbacks per fit, whatever its length: status stays fresh, the loop stays idle.
  const recordEvery = (epochs: number): number => Math.max(1, Math.ceil(epochs / 200));

  const t0 = performance.now();
  const first = await model.fit(Xtrain, split.ytrain, { epochs: initialEpochs, recordEvery: recordEvery(initialEpochs), onProgress: progress });
  status.lastTrainMs = performance.now() - t0;
  status.epoch = first.epochs;
  status.modelVersion = 1;
  status.testAccuracy = model.scoreSync(Xtest, split.ytest);
  log(`model v1 trained: ${first.epochs} epochs in ${status.lastTrainMs.toFixed(0)} ms, cost ${status.lastCost?.toFixed(5)}, ` +
    `test accuracy ${(100 * status.testAccuracy).toFixed(2)} % (backend ${model.backend})`);

  // ---- request handling -------------------------------------------------------------------------

  /** Raw features (rows of 30, finite) → standardized Matrix. Library errors name the field. */
  function toInputs(value: unknown, name: string): Matrix {
    const M = Matrix.from(value as number[][], name); // ERR_BLASNET_ARG_TYPE / ERR_BLASNET_SHAPE naming `name`
    if (M.rows === 0) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have at least one row, got 0`);
    if (M.cols !== FEATURES) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} rows must have ${FEATURES} features each, got ${M.cols}`);
    for (let k = 0; k < M.data.length; k++) {
      if (!Number.isFinite(M.data[k])) {
        throw new BlasnetRangeError('ERR_BLASNET_NOT_FINITE', `${name} must contain only finite numbers, got ${M.data[k]} at row ${Math.floor(k / FEATURES)}, column ${k % FEATURES}`);
      }
    }
    return scaler.transform(M);
  }

  async function handlePredict(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJsonObject(req, bodyLimit, false);
    checkFields(body, ['inputs']);
    const Xs = toInputs(body.inputs, 'inputs');
    // The version is read in the same synchronous run as the call that reads the parameters.
    const modelVersion = status.modelVersion;
    const P = Xs.rows <= SYNC_PREDICT_MAX_ROWS ? model.predictProbaSync(Xs) : await model.predictProba(Xs);
    const probabilities = Array.from({ length: P.rows }, (_, i) => P.get(i, 1));
    sendJson(res, 200, { probabilities, classes: probabilities.map((p) => (p >= 0.5 ? 1 : 0)), modelVersion });
  }

  async function handleTrain(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJsonObject(req, bodyLimit, true);
    if (closing) throw new HttpError(503, 'ERR_SHUTTING_DOWN', 'the server is shutting down; no new retrains');
    checkFields(body, ['epochs', 'learningRate', 'data']);
    const epochs = body.epochs ?? 1000;
    if (typeof epochs !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `epochs must be a number, got ${show(epochs)}`);
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > maxEpochs) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `epochs must be an integer in [1, ${maxEpochs}], got ${show(epochs)}`);
    }
    const learningRate = body.learningRate ?? LEARNING_RATE;
    if (typeof learningRate !== 'number') throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `learningRate must be a number, got ${show(learningRate)}`);
    if (!(learningRate > 0 && learningRate <= 100)) {
      throw new BlasnetRangeError('ERR_BLASNET_ARG_RANGE', `learningRate must be a number in (0, 100], got ${show(learningRate)}`);
    }
    let Xfit = Xtrain, yfit: Float64Array = split.ytrain;
    if (body.data !== undefined) {
      const data = body.data;
      if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new HttpError(400, 'ERR_INVALID_BODY', `data must be an object {"inputs": number[][], "labels": number[]}, got ${kind(data)}`);
      const d = data as Record<string, unknown>;
      checkFields(d, ['inputs', 'labels'], 'data.');
      Xfit = toInputs(d.inputs, 'data.inputs');
      yfit = toLabels(d.labels, 'data.labels', Xfit.rows);
    }

    // The library is the single source of truth for "a fit is running": a second fit rejects with
    // ERR_BLASNET_BUSY, answered 409 with its message. fit() sets `busy` synchronously when it starts.
    const wasBusy = model.busy;
    const previous = wasBusy ? null : model.parameters; // for the rollback of a failed retrain
    const controller = new AbortController();
    const t0 = performance.now();
    const fit = model.fit(Xfit, yfit, { warmStart: true, epochs, learningRate, recordEvery: recordEvery(epochs), onProgress: progress, signal: controller.signal });
    if (wasBusy || !model.busy || previous === null) {
      await fit; // rejects: busy (409) or invalid (400)
      throw new Error('fit was expected to reject');
    }
    const job = nextJob++;
    Object.assign(status, { training: true, job, epoch: 0, epochs });
    delete status.lastError;
    log(`retrain ${job} started: ${epochs} epochs on ${Xfit.rows} examples, learning rate ${learningRate}`);
    const done = fit.then(
      (r) => {
        status.modelVersion++;
        status.epoch = r.epochs;
        try {
          status.testAccuracy = model.scoreSync(Xtest, split.ytest);
        } catch {
          status.testAccuracy = null;
        }
        log(`retrain ${job} done: model v${status.modelVersion}, cost ${status.lastCost}, test accuracy ${status.testAccuracy}`);
      },
      (e: unknown) => {
        const reason = e instanceof Error ? e.message : String(e);
        try {
          model.setParameters(previous); // not busy any more: the library's `finally` ran before this continuation
          status.lastError = `retrain ${job} failed, previous parameters kept: ${reason}`;
        } catch (restoreError) {
          // The library kept its own fallback (the last completed / last finite parameters): say it is serving those.
          status.modelVersion++;
          status.lastError = `retrain ${job} failed (${reason}) and the previous parameters could not be restored (${(restoreError as Error).message})`;
        }
        log(status.lastError);
      },
    ).finally(() => {
      status.training = false;
      status.lastTrainMs = performance.now() - t0;
      running = null;
    });
    running = { controller, done };
    sendJson(res, 202, { status: 'training', job });
  }

  function handleStatus(_req: http.IncomingMessage, res: http.ServerResponse): void {
    sendJson(res, 200, status);
  }

  type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
  const routes: Record<string, Record<string, Handler>> = {
    '/predict': { POST: handlePredict },
    '/train': { POST: handleTrain },
    '/status': { GET: handleStatus, HEAD: handleStatus },
  };

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      throw new HttpError(400, 'ERR_INVALID_URL', `invalid request target ${JSON.stringify(req.url)}`);
    }
    const methods = Object.hasOwn(routes, path) ? routes[path]! : undefined;
    if (!methods) throw new HttpError(404, 'ERR_NOT_FOUND', `no route ${path}; routes: POST /predict, POST /train, GET /status`);
    const handler = Object.hasOwn(methods, req.method ?? '') ? methods[req.method!] : undefined;
    if (!handler) {
      const allow = Object.keys(methods).join(', ');
      throw new HttpError(405, 'ERR_METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${path}; allowed: ${allow}`, { Allow: allow });
    }
    await handler(req, res);
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (closing) res.setHeader('Connection', 'close');
    route(req, res).catch((e: unknown) => sendError(res, e, log));
  };
  const server = http.createServer(onRequest);
  // "Expect: 100-continue" (curl sends it for large bodies): refuse an oversized body before it is sent.
  server.on('checkContinue', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const declared = Number(req.headers['content-length']);
    if (declared > bodyLimit) {
      sendError(res, tooLarge(bodyLimit, `${declared} bytes declared`), log);
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  });
  server.requestTimeout = 30_000; // a request (headers and body) must arrive within 30 s
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log(`server error: ${e.message}`));
  const address = server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  log(`listening on ${url}`);

  return {
    url,
    port: address.port,
    close(): Promise<void> {
      closing ??= (async () => {
        running?.controller.abort();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        force.unref();
        await closed;
        clearTimeout(force);
        await running?.done;
        log('server closed');
      })();
      return closing;
    },
  };
}

// ---- HTTP helpers -------------------------------------------------------------------------------

/** A received value for an error message, shortened. */
function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function kind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function checkFields(body: Record<string, unknown>, known: readonly string[], prefix = ''): void {
  for (const key of Object.keys(body)) {
    if (!known.includes(key)) {
      throw new HttpError(400, 'ERR_INVALID_BODY', `unknown field ${show(prefix + key)}; expected ${known.map((k) => prefix + k).join(', ')}`);
    }
  }
}

/** Binary labels: an array of n numbers, each 0 or 1 (strings, booleans, null are rejected). */
function toLabels(value: unknown, name: string, n: number): Float64Array {
  if (!Array.isArray(value)) throw new BlasnetTypeError('ERR_BLASNET_ARG_TYPE', `${name} must be an array of 0/1 labels, got ${kind(value)}`);
  if (value.length !== n) throw new BlasnetRangeError('ERR_BLASNET_SHAPE', `${name} must have one label per row of the inputs (${n}), got ${value.length}`);
  const out = new Float64Array(n);
  value.forEach((v: unknown, i) => {
    if (v !== 0 && v !== 1) throw new BlasnetRangeError('ERR_BLASNET_LABEL', `${name} must contain only the labels 0 and 1, got ${show(v)} at index ${i}`);
    out[i] = v;
  });
  return out;
}

/**
 * Reads the body, at most `limit` bytes. Over the limit (declared by Content-Length or counted while
 * reading) it stops buffering and rejects with 413; the response then closes the connection.
 */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(tooLarge(limit, `${declared} bytes declared`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        chunks.length = 0;
        reject(tooLarge(limit, `more than ${limit} bytes sent`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(new HttpError(400, 'ERR_REQUEST_ABORTED', `the request body could not be read: ${e.message}`));
    };
    const onClose = () => {
      cleanup();
      reject(new HttpError(400, 'ERR_REQUEST_ABORTED', 'the client closed the connection before sending the whole body'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

function tooLarge(limit: number, detail: string): HttpError {
  return new HttpError(413, 'ERR_BODY_TOO_LARGE', `request body too large: the limit is ${limit} bytes (${detail})`, { Connection: 'close' });
}

/** Reads a JSON object body. Empty bodies are {} when `allowEmpty`. */
async function readJsonObject(req: http.IncomingMessage, limit: number, allowEmpty: boolean): Promise<Record<string, unknown>> {
  const raw = await readBody(req, limit);
  const type = req.headers['content-type'];
  if (type !== undefined) {
    const media = type.split(';')[0]!.trim().toLowerCase();
    if (media !== 'application/json' && !media.endsWith('+json')) {
      throw new HttpError(415, 'ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json, got ${show(type)}`);
    }
  }
  if (raw.length === 0) {
    if (allowEmpty) return {};
    throw new HttpError(400, 'ERR_INVALID_BODY', 'the request body is empty; expected a JSON object');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (e) {
    throw new HttpError(400, 'ERR_INVALID_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'ERR_INVALID_BODY', `the request body must be a JSON object, got ${kind(value)}`);
  }
  return value as Record<string, unknown>;
}

function sendJson(res: http.ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(statusCode, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

/**
 * Maps an error to a response: HttpError as it says; the library's argument errors (TypeError /
 * RangeError with an ERR_BLASNET_* code, their message naming the argument) → 400; ERR_BLASNET_BUSY
 * → 409; anything else → 500 without details (logged).
 */
function sendError(res: http.ServerResponse, e: unknown, log: (line: string) => void): void {
  const code = (e as { code?: unknown } | null)?.code;
  let status = 500, body = { error: 'internal server error', code: 'ERR_INTERNAL' }, headers: Record<string, string> = {};
  if (e instanceof HttpError) {
    status = e.status;
    body = { error: e.message, code: e.code };
    headers = e.headers;
  } else if ((e instanceof TypeError || e instanceof RangeError) && typeof code === 'string' && code.startsWith('ERR_BLASNET')) {
    status = 400;
    body = { error: e.message, code };
  } else if (code === 'ERR_BLASNET_BUSY') {
    status = 409;
    body = { error: (e as Error).message, code };
  } else {
    log(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  }
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  sendJson(res, status, body, headers);
  if (status === 413) {
    // The rest of the body was not read: discard what still comes for a moment (so the client can read
    // the 413 instead of a reset), then drop the connection.
    const req = res.req;
    const drop = setTimeout(() => req.socket?.destroy(), 2000);
    drop.unref();
    req.once('end', () => clearTimeout(drop));
    req.resume();
  }
}

// ---- CLI ------------------------------------------------------------------------------------------

function isMain(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', short: 'p', default: '3000' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('usage: node dist/examples/server.js [--port 3000]   (listens on 127.0.0.1 only)');
    return;
  }
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port ?? '') || port > 65535) {
    console.error(`--port must be an integer in [0, 65535], got ${JSON.stringify(values.port)}`);
    process.exitCode = 2;
    return;
  }
  const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
  const server = await startServer({ port, log });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: shutting down`);
    server.close().then(
      () => { process.exitCode = 0; },
      (e: unknown) => { console.error(e); process.exitCode = 1; },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

if (isMain()) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
