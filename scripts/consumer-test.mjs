#!/usr/bin/env node
// Installs blasnet the way a consumer does, with no way to compile: `npm pack` (its prepack builds the
// prebuild), then `npm install --ignore-scripts <tarball>` in a fresh folder with a PATH that holds only
// node, npm and sh. There `import('blasnet')` and `require('blasnet')` must both report the native
// backend loaded from the prebuild and train models to their expected accuracy. Run by .ci/run.
//   --tarball <file.tgz>   install that tarball instead of packing one (the same package under each Node
//                          major, in the Debian 11 root, under qemu for arm64: scripts/test-platforms.sh)
//   --save-tarball <file>  copy the packed tarball there (for those runs)
//   --numeric              also a bounded numeric subset (gradient checks, native against reference,
//                          exact save/load); --save-params <f> / --compare-params <f> keep and compare
//                          its trained parameters across platforms (1e-9 relative)
//   --keep                 keep the work folder
// The node that runs this script is the consumer's node (and runs npm). Every packed prebuild is also
// checked against the glibc/libstdc++ floor (scripts/check-glibc-floor.mjs).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const optionValue = (name) => { const k = process.argv.indexOf(name); return k >= 0 ? process.argv[k + 1] : undefined; };
const givenTarball = optionValue('--tarball');
const saveTarball = optionValue('--save-tarball');
const target = `${process.platform}-${process.arch}`;
const tmp = mkdtempSync(join(tmpdir(), 'blasnet-consumer-'));

function die(message) {
  process.stderr.write(`consumer-test: FAIL: ${message}\n(work folder kept: ${tmp})\n`);
  process.exit(1);
}

function run(cmd, args, options) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...options });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) die(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr, seconds };
}

/** The real path of `name` on the current PATH, or null. */
function which(name, path = process.env.PATH ?? '') {
  for (const dir of path.split(':')) {
    const p = join(dir, name);
    try {
      if (statSync(p).isFile()) return realpathSync(p);
    } catch {
      // not in this folder
    }
  }
  return null;
}

// 1. Pack, as `npm publish` would (prepare: tsc; prepack: the prebuilds, built in a Debian 11 root
//    by scripts/bullseye.sh and checked against the floor), or take the tarball given.
const packDir = join(tmp, 'pack');
mkdirSync(packDir);
let pack = { seconds: 0 };
let tarballs;
let tarball;
if (givenTarball) {
  tarball = realpathSync(givenTarball);
  tarballs = [tarball.split('/').at(-1)];
} else {
  pack = run('npm', ['pack', '--pack-destination', packDir, '--loglevel', 'warn'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  tarballs = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  if (tarballs.length !== 1) die(`npm pack produced ${tarballs.length} tarballs in ${packDir}`);
  tarball = join(packDir, tarballs[0]);
  if (saveTarball) copyFileSync(tarball, saveTarball);
}
// Every prebuild in the tarball within the floor (glibc 2.31, GCC 10's libstdc++), both targets there.
const floor = run(process.execPath, [join(root, 'scripts', 'check-glibc-floor.mjs'), '--tarball', tarball, '--require', 'linux-x64,linux-arm64']);
const listing = run('tar', ['-tzf', tarball]).stdout.split('\n').filter(Boolean);
const prebuildEntry = `package/prebuilds/${target}/blasnet.node`;
for (const entry of [prebuildEntry, prebuildEntry.replace(/blasnet\.node$/, 'blasnet.sources.sha256')]) {
  if (!listing.includes(entry)) die(`the tarball has no ${entry}; it has:\n${listing.join('\n')}`);
}
if (listing.some((f) => f.startsWith('package/build/'))) die('the tarball contains a local build/ folder');

// 2. A PATH with node, npm and sh only: no compiler, no CMake, no make, no pkg-config.
const bin = join(tmp, 'bin');
mkdirSync(bin);
for (const name of ['node', 'npm', 'sh', 'env']) {
  const dest = name === 'node' ? process.execPath : which(name);
  if (!dest) die(`${name} is not on PATH`);
  symlinkSync(dest, join(bin, name));
}
for (const tool of ['cmake', 'c++', 'g++', 'gcc', 'cc', 'clang', 'clang++', 'make', 'pkg-config']) {
  if (which(tool, bin)) die(`${tool} is on the consumer PATH`);
}
const env = { ...process.env, PATH: bin };
for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
delete env.BLASNET_DISABLE_NATIVE;
delete env.OPENBLAS_CORETYPE;

// 3. A fresh consumer project, installing the tarball without running any install script.
const app = join(tmp, 'app');
mkdirSync(app);
writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'blasnet-consumer', version: '1.0.0', private: true }, null, 2));
const install = run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel', 'warn', tarball], { cwd: app, env });
const installed = join(app, 'node_modules', 'blasnet');
if (existsSync(join(installed, 'build'))) die(`${installed}/build exists: something was compiled`);

// 4. The same checks through import() and through require().
const checks = `
  const warnings = [];
  process.on('warning', (w) => warnings.push(w.code ?? w.name));
  const { info, LogisticRegression, NeuralNetwork, Matrix, Random } = await LOAD;
  const i = info();
  // Two Gaussian blobs, means -2 and +2 along each axis, unit variance: the Bayes error is about
  // Φ(-2·√2) ≈ 0.2%, so a fitted logistic regression scores well above 0.95 on 400 points.
  const rng = new Random(7), rows = [], y = [];
  for (let k = 0; k < 400; k++) {
    const c = k % 2;
    rows.push([rng.normal() + (c ? 2 : -2), rng.normal() + (c ? 2 : -2)]);
    y.push(c);
  }
  const lr = new LogisticRegression({ learningRate: 0.1, iterations: 500, backend: 'native' });
  await lr.fit(Matrix.from(rows), y);
  const lrScore = lr.scoreSync(Matrix.from(rows), y);
  // XOR: a 2-4-1 tanh network fits it exactly with 3000 epochs of plain gradient descent (optimizer
  // and earlyStopping: false named: the network's default is Adam with early stopping).
  const X = Matrix.from([[0, 0], [0, 1], [1, 0], [1, 1]]);
  const net = new NeuralNetwork({ layers: [2, 4, 1], hidden: 'tanh', output: 'sigmoid', seed: 1, backend: 'native' });
  await net.fit(X, [0, 1, 1, 0], { epochs: 3000, learningRate: 0.5, optimizer: 'gd', earlyStopping: false });
  const xorScore = net.scoreSync(X, [0, 1, 1, 0]);
  await new Promise((r) => setImmediate(r));
  console.log(JSON.stringify({ backend: i.backend, binary: i.binary, corename: i.corename, simd: i.simd,
    lrBackend: lr.backend, lrScore, netBackend: net.backend, xorScore, warnings }));
`;
writeFileSync(join(app, 'check.mjs'), checks.replace('LOAD', "import('blasnet')"));
writeFileSync(join(app, 'check.cjs'), `(async () => {${checks.replace('LOAD', "Promise.resolve(require('blasnet'))")}})().catch((e) => { console.error(e); process.exit(1); });\n`);

// --numeric: a bounded numeric subset on the installed package (what scripts/test-platforms.sh runs on
// each platform): gradient checks of the native backend, native against the reference backend on the
// same fits, and an exact save/load round trip. Prints the trained parameters for cross-platform comparison.
const numericScript = `
  const { NeuralNetwork, LogisticRegression, Matrix, Random, gradientCheck, saveModel, loadModel, info } = await import('blasnet');
  const { join } = await import('node:path');
  const rng = new Random(11);
  const n = 64, m = 6;
  const rows = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.normal()));
  const X = Matrix.from(rows);
  const y = rows.map((r) => (r[0] - 0.5 * r[1] + 0.25 * r[2] > 0 ? 1 : 0));
  const grad = {};
  for (const [name, spec] of [['tanh-sigmoid', { layers: [m, 5, 1], hidden: 'tanh', output: 'sigmoid' }],
                              ['sigmoid-sigmoid', { layers: [m, 4, 1], hidden: 'sigmoid', output: 'sigmoid' }]]) {
    grad[name] = gradientCheck(new NeuralNetwork({ ...spec, seed: 5, backend: 'native' }), X, y, { h: 1e-5 }).maxRelativeError;
  }
  grad.logistic = gradientCheck(new LogisticRegression({ backend: 'native' }), X, y, { h: 1e-5 }).maxRelativeError;
  // The same fit on both backends: 200 full-batch gradient-descent epochs.
  const fitOn = (backend) => {
    const net = new NeuralNetwork({ layers: [m, 8, 1], hidden: 'tanh', output: 'sigmoid', seed: 3, backend });
    net.fitSync(X, y, { epochs: 200, learningRate: 0.3, optimizer: 'gd', batchSize: n, earlyStopping: false });
    return net;
  };
  const a = fitOn('native'), b = fitOn('reference');
  const flat = (net) => Float64Array.from(net.parameters.W.flatMap((w) => Array.from(w)).concat(net.parameters.b.flatMap((v) => Array.from(v))));
  const pa = flat(a), pb = flat(b);
  let backendRel = 0;
  for (let k = 0; k < pa.length; k++) backendRel = Math.max(backendRel, Math.abs(pa[k] - pb[k]) / Math.max(Math.abs(pa[k]), Math.abs(pb[k]), 1e-300));
  // Save and load: parameters and predictions bit for bit.
  const file = join(process.cwd(), 'model.json');
  await saveModel(a, file);
  const c = await loadModel(file);
  const same = (u, v) => u.length === v.length && Buffer.compare(Buffer.from(u.buffer, u.byteOffset, u.byteLength), Buffer.from(v.buffer, v.byteOffset, v.byteLength)) === 0;
  const saveLoadExact = same(pa, flat(c)) && same(a.predictProbaSync(X).data ?? a.predictProbaSync(X), c.predictProbaSync(X).data ?? c.predictProbaSync(X));
  console.log(JSON.stringify({ simd: info().simd, corename: info().corename, grad, backendRel, saveLoadExact,
    params: Buffer.from(pa.buffer).toString('base64') }));
`;
writeFileSync(join(app, 'numeric.mjs'), numericScript);

const results = {};
for (const file of ['check.mjs', 'check.cjs']) {
  const r = run(join(bin, 'node'), [file], { cwd: app, env });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  let out;
  try {
    out = JSON.parse(line);
  } catch {
    die(`${file} printed no result:\n${r.stdout}\n${r.stderr}`);
  }
  results[file] = out;
  const expectedPath = join(realpathSync(installed), 'prebuilds', target, 'blasnet.node');
  if (out.backend !== 'native') die(`${file}: info().backend is ${out.backend}`);
  if (out.binary?.kind !== 'prebuild' || realpathSync(out.binary.path) !== expectedPath) die(`${file}: info().binary is ${JSON.stringify(out.binary)}, expected the prebuild ${expectedPath}`);
  if (out.lrBackend !== 'native' || out.netBackend !== 'native') die(`${file}: models ran on ${out.lrBackend}/${out.netBackend}`);
  if (!(out.lrScore >= 0.95)) die(`${file}: logistic regression accuracy ${out.lrScore} < 0.95`);
  if (out.xorScore !== 1) die(`${file}: XOR accuracy ${out.xorScore} !== 1`);
  if (out.warnings.length) die(`${file}: unexpected warnings ${out.warnings.join(', ')}`);
  if (r.stderr.trim()) die(`${file} wrote to stderr:\n${r.stderr}`);
}

let numeric = null;
if (process.argv.includes('--numeric')) {
  const r = run(join(bin, 'node'), ['numeric.mjs'], { cwd: app, env });
  try {
    numeric = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '');
  } catch {
    die(`numeric.mjs printed no result:\n${r.stdout}\n${r.stderr}`);
  }
  // Central differences at h = 1e-5, relative to max(|g|, |g_num|, 1e-12) per parameter: components
  // near zero inflate it (measured on x64 up to ~6e-6 on these untuned random cases; the suite's own
  // gradient tests pick cases for 1e-7); a wrong gradient is off by O(1). So 1e-4 here.
  // Native against reference after 200 epochs: the products' sums are ordered differently
  // (OpenBLAS against plain loops), so the last bits differ; 1e-9 relative.
  for (const [k, v] of Object.entries(numeric.grad)) if (!(v < 1e-4)) die(`gradient check ${k}: max relative error ${v} ≥ 1e-4`);
  if (!(numeric.backendRel < 1e-9)) die(`native and reference parameters differ by ${numeric.backendRel} (relative) ≥ 1e-9`);
  if (numeric.saveLoadExact !== true) die('save/load did not give the same parameters and predictions bit for bit');
  const saveParams = optionValue('--save-params');
  if (saveParams) writeFileSync(saveParams, `${numeric.params}\n`);
  const compare = optionValue('--compare-params');
  if (compare && existsSync(compare)) {
    const doubles = (b64) => { const b = Buffer.from(b64, 'base64'); return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
    const ref = doubles(readFileSync(compare, 'utf8').trim());
    const mine = doubles(numeric.params);
    let rel = 0, exact = ref.length === mine.length;
    for (let k = 0; k < mine.length; k++) {
      if (mine[k] !== ref[k]) exact = false;
      rel = Math.max(rel, Math.abs(mine[k] - ref[k]) / Math.max(Math.abs(mine[k]), Math.abs(ref[k]), 1e-300));
    }
    // Another platform (arm64's OpenBLAS kernels and libm, bullseye's OpenBLAS 0.3.13): last bits only.
    if (!(rel < 1e-9)) die(`the trained parameters differ from ${compare}'s by ${rel} (relative) ≥ 1e-9`);
    numeric.againstReference = exact ? 'bit-identical' : `max relative difference ${rel.toExponential(2)}`;
  }
  delete numeric.params;
}

// 5. With install scripts allowed, blasnet's own install step still compiles nothing: the prebuild loads.
const rebuild = run('npm', ['rebuild', 'blasnet', '--foreground-scripts', '--loglevel', 'warn'], { cwd: app, env });
if (!/using the prebuilt addon/.test(rebuild.stdout + rebuild.stderr)) die(`npm rebuild blasnet did not use the prebuild:\n${rebuild.stdout}\n${rebuild.stderr}`);
if (existsSync(join(installed, 'build'))) die('npm rebuild blasnet compiled a local build');

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const glibc = process.report?.getReport()?.header?.glibcVersionRuntime ?? 'none';
process.stdout.write(
  `consumer-test: Node ${process.version} on ${target}, glibc ${glibc}\n` +
  floor.stdout.split('\n').filter((l) => /KiB/.test(l)).map((l) => `consumer-test: ${l}\n`).join('') +
  `consumer-test: tarball ${tarballs[0]} ${kib(statSync(tarball).size)} (${listing.length} files, prebuild ${kib(statSync(join(installed, 'prebuilds', target, 'blasnet.node')).size)}); ` +
  `${givenTarball ? 'given tarball' : `npm pack ${pack.seconds.toFixed(1)} s`}; npm install --ignore-scripts ${install.seconds.toFixed(1)} s (PATH: node, npm, sh, env)\n` +
  `consumer-test: import():  ${JSON.stringify(results['check.mjs'])}\n` +
  `consumer-test: require(): ${JSON.stringify(results['check.cjs'])}\n` +
  `consumer-test: npm rebuild blasnet (install script allowed): ${(rebuild.stdout + rebuild.stderr).trim().split('\n').filter((l) => /blasnet:/.test(l)).join(' ')}\n` +
  (numeric ? `consumer-test: numeric subset: ${JSON.stringify(numeric)}\n` : '') +
  'consumer-test: OK\n');
if (!keep) rmSync(tmp, { recursive: true, force: true });
