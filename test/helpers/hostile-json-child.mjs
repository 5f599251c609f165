// Child process for test/persist.test.ts ("model JSON that is not a bounded tree"). argv: the folder
// of the transpiled lib/ and a scratch folder. Builds each hostile model object in turn, hands it to
// fromJSON (or writes it and calls loadModel), and prints one JSON line per case: "start" before
// the call, then the error's name, code and message (or "returned" when nothing was thrown). Run in
// a child so that a hang — what a cycle or a shared-object DAG did before — is killed by the parent
// and reported with the case it happened in, instead of hanging the test runner.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [libDir, scratch] = process.argv.slice(2);
setTimeout(() => process.exit(3), 60_000); // never outlive the test
const { loadModel, modelFromJSON } = await import(pathToFileURL(join(libDir, 'persist.js')).href);
const { NeuralNetwork } = await import(pathToFileURL(join(libDir, 'network.js')).href);
const { LogisticRegression } = await import(pathToFileURL(join(libDir, 'logistic.js')).href);

const base = (layers = [3, 4, 2]) => new NeuralNetwork({ layers, hidden: 'tanh', output: 'sigmoid', seed: 3, backend: 'reference' }).toJSON();
const logistic = () => {
  const m = new LogisticRegression({ backend: 'reference' });
  m.setParameters({ weights: [1, 2, 3], bias: 0.5 });
  return m.toJSON();
};
const fromJSON = (j) => NeuralNetwork.fromJSON(j, { backend: 'reference' });

/** name → () => the call that must throw. */
const cases = {
  'cycle: the model inside its own metadata': () => {
    const j = base();
    j.metadata.self = j;
    return fromJSON(j);
  },
  'cycle: an array that contains itself': () => {
    const j = base();
    const a = [1, 2];
    a.push(a);
    j.metadata.list = a;
    return modelFromJSON(j);
  },
  'cycle: parameters.W inside itself': () => {
    const j = base();
    j.parameters.W.push(j.parameters.W);
    return fromJSON(j);
  },
  'cycle: in a logistic regression': () => {
    const j = logistic();
    j.training.back = j.training;
    return LogisticRegression.fromJSON(j);
  },
  'shared: the same bias array for two layers': () => {
    const j = base([3, 4, 4, 2]);
    j.parameters.b[1] = j.parameters.b[0];
    return fromJSON(j);
  },
  'shared: one object in two metadata fields': () => {
    const j = base();
    const note = { text: 'x' };
    j.metadata.a = note;
    j.metadata.b = note;
    return modelFromJSON(j);
  },
  'shared: a DAG of 2^60 paths (o = [o, o] sixty times)': () => {
    const j = base();
    let o = [0];
    for (let i = 0; i < 60; i++) o = [o, o];
    j.metadata.dag = o;
    return fromJSON(j);
  },
  'deep: an object nested a million levels': () => {
    const j = base();
    let o = {};
    for (let i = 0; i < 1e6; i++) o = { a: o };
    j.metadata.deep = o;
    return fromJSON(j);
  },
  'deep: a file nesting arrays 100 000 levels': () => {
    const path = join(scratch, 'deep.json');
    const text = JSON.stringify(base()).replace('"metadata":{', `"metadata":{"deep":${'['.repeat(1e5)}${']'.repeat(1e5)},`);
    writeFileSync(path, text);
    return loadModel(path, { backend: 'reference' });
  },
  'deep: a file nesting arrays 10 000 000 levels (20 MB; JSON.parse alone takes seconds)': () => {
    const path = join(scratch, 'deeper.json');
    const text = JSON.stringify(base()).replace('"metadata":{', `"metadata":{"deep":${'['.repeat(1e7)}${']'.repeat(1e7)},`);
    writeFileSync(path, text);
    return loadModel(path, { backend: 'reference' });
  },
  'size: a sparse array of length 2^32 − 1 as W[0]': () => {
    const j = base();
    const a = [];
    a.length = 2 ** 32 - 1;
    j.parameters.W[0] = a;
    return fromJSON(j);
  },
  'size: 5000 keys in metadata': () => {
    const j = base();
    for (let i = 0; i < 5000; i++) j.metadata[`k${i}`] = i;
    return fromJSON(j);
  },
  'size: a 70 000-character string': () => {
    const j = base();
    j.metadata.note = 'x'.repeat(70_000);
    return fromJSON(j);
  },
  'size: a 70 000-character key': () => {
    const j = base();
    j.metadata['k'.repeat(70_000)] = 1;
    return fromJSON(j);
  },
  'not data: a Proxy as the model': () => fromJSON(new Proxy(base(), {})),
  'not data: a Proxy whose traps throw, as architecture': () => {
    const j = base();
    j.architecture = new Proxy(j.architecture, { ownKeys() { throw new Error('trap ran'); }, get() { throw new Error('trap ran'); } });
    return fromJSON(j);
  },
  'not data: a getter': () => {
    const j = base();
    Object.defineProperty(j.training, 'seed', { get: () => 3, enumerable: true });
    return fromJSON(j);
  },
  'not data: a Float64Array as b[0]': () => {
    const j = base();
    j.parameters.b[0] = new Float64Array(4);
    return fromJSON(j);
  },
  'not data: a hole in b[0]': () => {
    const j = base();
    j.parameters.b[0] = [0, , 0, 0]; // eslint-disable-line no-sparse-arrays
    return fromJSON(j);
  },
  'not data: a function in metadata': () => {
    const j = base();
    j.metadata.f = () => 1;
    return fromJSON(j);
  },
  'not data: a BigInt in metadata': () => {
    const j = base();
    j.metadata.n = 1n;
    return fromJSON(j);
  },
  'not data: a Date in metadata': () => {
    const j = base();
    j.metadata.when = new Date(0);
    return fromJSON(j);
  },
};

for (const [name, run] of Object.entries(cases)) {
  process.stdout.write(`${JSON.stringify({ start: name })}\n`);
  let line;
  try {
    await run();
    line = { case: name, returned: true };
  } catch (e) {
    line = { case: name, name: e?.name, code: e?.code, message: String(e?.message) };
  }
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
process.stdout.write(`${JSON.stringify({ done: Object.keys(cases).length })}\n`);
process.exit(0);
