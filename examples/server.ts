// A prediction server for a saved blasnet model, on fastify. The model must carry a tabular
// preprocessing (trained from a CSV: examples/tutorial.ts, or `blasnet train`), so requests send
// records keyed by column name and get the model's own labels back.
//
//   POST /predict  {"records": [{"island": "Dream", "bill_length_mm": 49.5, …}, …]}
//                  → 200 {"modelVersion", "classes", "predictions": [{"label", "probabilities": {class: p}}]}
//                    (a regressor: "predictions": [{"value"}]). A left-out column or a null is a gap,
//                    filled from the training rows; a category not seen in training is encoded as all
//                    zeros and reported in "warnings". The body is checked by fastify's JSON-schema
//                    validation, built from the model's columns: a wrong type or an unknown column is a
//                    400 naming the field.
//   GET  /health   → 200 {"status": "ok", "modelVersion", "task", "columns", "backend", "training", "lastTraining"}
//   POST /train    {"epochs"?: n}  (only when started with training data)
//                  → 202 {"job", "epochs"}: retrains a copy of the model in the background, warm-started,
//                    for exactly that many epochs, on the training data; 409 while another retrain runs.
//                    The fit runs off the event loop (a native worker thread, or a worker_threads worker
//                    on the TypeScript backend), so /predict keeps answering from the current model. When
//                    the fit completes, the new model and its version replace the old ones in one
//                    assignment: every answer comes from one model and names its version. A failed
//                    retrain leaves the served model as it was (lastTraining.error says why).
//
// Run: npm run build:ts && node dist/examples/tutorial.js && \
//      node dist/examples/server.js --model penguins-model.json --data data/penguins.csv [--port 3000]
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MISSING, loadModel, modelFromJSON, readCsv, type Model, type Preprocessing, type Table } from '../lib/index.js';

export interface ServerOptions {
  /** A fitted model with a tabular preprocessing (a classifier or a regressor). */
  model: Model;
  /** Labelled rows (with the model's target column) for POST /train; without them there is no /train. */
  trainingData?: Table;
  /** Most records in one /predict request. Default 10 000. */
  maxRecords?: number;
  /** Most epochs one /train may ask for. Default 1 000 000. */
  maxEpochs?: number;
  /** fastify's logger option. Default false. */
  logger?: boolean;
}

/** The blasnet error codes that mean the request's data was wrong: 400, not 500. */
const CLIENT_ERRORS = new Set(['ERR_BLASNET_DATA', 'ERR_BLASNET_ARG_TYPE', 'ERR_BLASNET_ARG_RANGE', 'ERR_BLASNET_SHAPE', 'ERR_BLASNET_NOT_FINITE', 'ERR_BLASNET_LABEL']);

/** The JSON schema of one record: one optional property per feature column, nothing else. */
function recordSchema(prep: Preprocessing): object {
  const types = { numeric: ['number', 'null'], boolean: ['boolean', 'null'], categorical: ['string', 'number', 'null'] };
  const properties = Object.fromEntries(prep.features.map((f) => [f.name, { type: types[f.type] }]));
  return { type: 'object', properties, additionalProperties: false };
}

/** "records[1].island: \"Atlantis\" was not seen in training (encoded as all zeros)", per such cell. */
function unseenCategories(prep: Preprocessing, records: Record<string, unknown>[]): string[] {
  const missing = new Set(prep.toJSON().missing.map((t) => t.toLowerCase()));
  const out: string[] = [];
  for (const f of prep.features) {
    if (f.type !== 'categorical') continue;
    records.forEach((r, i) => {
      const v = r[f.name];
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : null;
      if (text !== null && !missing.has(text.toLowerCase()) && !f.categories.includes(text)) {
        out.push(`records[${i}].${f.name}: ${JSON.stringify(v)} was not seen in training (encoded as all zeros)`);
      }
    });
  }
  return out;
}

/** The fastify app (not listening yet): `await app.listen({ port })`, or `app.inject(…)` in tests. */
export function buildServer(options: ServerOptions): FastifyInstance {
  const { trainingData, maxRecords = 10_000, maxEpochs = 1_000_000, logger = false } = options;
  const prep = options.model.preprocessing;
  if (!prep) throw new TypeError('the model has no tabular preprocessing: train it from a CSV (Preprocessing.fit, or blasnet train)');
  if (options.model.task === 'multilabel') throw new TypeError('this example serves classifiers and regressors, not multi-label models');

  // What is served: one object, replaced whole when a retrain completes.
  let current = { model: options.model, version: 1 };
  let training: { job: number; epochs: number; epoch: number; abort: AbortController; done: Promise<void> } | null = null;
  let lastTraining: { job: number; ms: number; error?: string } | null = null;
  let jobs = 0;

  const app = Fastify({
    logger,
    // Fail on what the schema says instead of fixing it up: no type coercion, no silent removal of unknown fields.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allowUnionTypes: true } },
    // "body.records[0].bill_length_mm must be number,null", "body.records[2] has an unknown field \"bill_lenght_mm\"".
    schemaErrorFormatter: (errors, dataVar) => {
      const e = errors[0]!;
      const where = dataVar + e.instancePath.replace(/\/(\d+)/g, '[$1]').replace(/\/([^/[]+)/g, '.$1');
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      const columns = prep.columns.join(', ');
      return new Error(extra !== undefined ? `${where} has an unknown field ${JSON.stringify(extra)}${e.instancePath.startsWith('/records/') ? `; the model reads ${columns}` : ''}` : `${where} ${e.message}`);
    },
  });

  // blasnet's errors on bad data are 400s with their code and message (which names the row and column).
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const code = error.code;
    if (typeof code === 'string' && code.startsWith('ERR_BLASNET_')) {
      const status = CLIENT_ERRORS.has(code) ? 400 : code === 'ERR_BLASNET_BUSY' ? 409 : 500;
      if (status === 500) reply.log.error(error);
      return reply.code(status).send({ statusCode: status, code, error: status === 500 ? 'Internal Server Error' : 'Bad Request', message: error.message });
    }
    return reply.send(error); // fastify's own errors (validation, bad JSON, 413, 415) as fastify answers them
  });

  app.post<{ Body: { records: Record<string, unknown>[] } }>('/predict', {
    schema: {
      body: {
        type: 'object',
        required: ['records'],
        additionalProperties: false,
        properties: { records: { type: 'array', minItems: 1, maxItems: maxRecords, items: recordSchema(prep) } },
      },
    },
  }, async (request) => {
    const { records } = request.body;
    const { model, version } = current; // one model for the whole answer, even if a retrain completes meanwhile
    const warnings = unseenCategories(prep, records);
    const extra = warnings.length > 0 ? { warnings } : {};
    if (model.task === 'regression') {
      const values = (await model.predict(records)) as Float64Array;
      return { modelVersion: version, predictions: Array.from(values, (value) => ({ value })), ...extra };
    }
    const P = await model.predictProba(records);
    const classes = model.classes!;
    const predictions = Array.from({ length: P.rows }, (_, i) => {
      const row = P.row(i);
      // The label as predict gives it: p ≥ 0.5 for two classes, the most probable class otherwise.
      const best = classes.length === 2 ? (row[1]! >= 0.5 ? 1 : 0) : row.indexOf(Math.max(...row));
      return { label: classes[best]!, probabilities: Object.fromEntries(classes.map((c, j) => [String(c), row[j]!])) };
    });
    return { modelVersion: version, classes, predictions, ...extra };
  });

  app.get('/health', async () => ({
    status: 'ok',
    modelVersion: current.version,
    task: current.model.task,
    classes: current.model.classes,
    columns: prep.columns,
    backend: current.model.backend,
    training: training && { job: training.job, epoch: training.epoch, epochs: training.epochs },
    lastTraining,
  }));

  if (trainingData) {
    app.post<{ Body: { epochs?: number } | undefined }>('/train', {
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { epochs: { type: 'integer', minimum: 1, maximum: maxEpochs } } },
      },
    }, async (request, reply) => {
      if (training) return reply.code(409).send({ statusCode: 409, code: 'ERR_TRAINING', error: 'Conflict', message: `retrain ${training.job} is running; try again when GET /health says training: null` });
      const epochs = request.body?.epochs ?? 200;
      // A copy of the served model (same architecture, preprocessing, classes and parameters), so that
      // the served one is never touched; warm-started, exactly `epochs` epochs.
      // The copy carries the training state too, so the retrain continues the optimizer where the last
      // one left it; a record's iteration counts the model's epochs (epochsTrained), not this fit's.
      const next = modelFromJSON(current.model.toJSON());
      const start = next.epochsTrained;
      const abort = new AbortController();
      const job = ++jobs;
      const t0 = performance.now();
      const fitting = next.fit(trainingData, undefined, {
        epochs, earlyStopping: false, warmStart: true, recordEvery: Math.ceil(epochs / 100), signal: abort.signal,
        onProgress: ({ iteration }) => { if (training?.job === job) training.epoch = iteration - start + 1; },
      });
      const done = fitting.then(
        () => {
          current = { model: next, version: current.version + 1 }; // the swap: one assignment
          lastTraining = { job, ms: performance.now() - t0 };
        },
        (e: unknown) => {
          lastTraining = { job, ms: performance.now() - t0, error: e instanceof Error ? e.message : String(e) };
        },
      ).finally(() => { training = null; });
      training = { job, epochs, epoch: 0, abort, done };
      return reply.code(202).send({ job, epochs });
    });
  }

  // app.close() (and so SIGINT / SIGTERM below) aborts a running retrain and waits for it to settle.
  app.addHook('onClose', async () => {
    training?.abort.abort();
    await training?.done;
  });
  return app;
}

// ---- the command ---------------------------------------------------------------------------------

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'penguins-model.json' },
      data: { type: 'string' },
      port: { type: 'string', default: '3000' },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const model = await loadModel(values.model!);
  const missing = model.preprocessing?.toJSON().missing ?? [...DEFAULT_MISSING];
  const trainingData = values.data ? await readCsv(values.data, { missing }) : undefined;
  const app = buildServer({ model, trainingData, logger: true });
  // The library reports unseen categories with process.emitWarning; the server already answers them in
  // "warnings", so they go to the log at debug level instead of stderr on every request.
  process.removeAllListeners('warning');
  process.on('warning', (w) => app.log.debug({ warning: w.message }, 'process warning'));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      app.log.info(`${signal}: closing`);
      app.close().then(() => { process.exitCode = 0; }, (e: unknown) => { app.log.error(e); process.exitCode = 1; });
    });
  }
  await app.listen({ port: Number(values.port), host: values.host! });
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  main().catch((e: unknown) => {
    console.error(`server: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
