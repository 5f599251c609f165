// Child process for test/persist.test.ts ("saveModel is atomic under kill -9"). argv: the target
// path, the compiled persist.js to import, and the files holding networks A and B. It loads A and B,
// prints "ready", waits for "go A" or "go B" on stdin (which to save first), then saves them
// alternately to the target as fast as it can, printing "saved <i>" after each, until the parent
// kills it.
// Node 20 cannot import TypeScript: the parent transpiles lib/ to a private folder first (not
// dist/, which other builds rewrite file by file). Loading A and B from files rather than
// rebuilding them from seeds keeps the child independent of how networks are initialized.
import { pathToFileURL } from 'node:url';

const [path, persistJs, fileA, fileB] = process.argv.slice(2);
// Never outlive the test: exit when the parent goes away (stdin closes), and after 30 s at most.
process.stdin.on('end', () => process.exit(2));
setTimeout(() => process.exit(3), 30_000);
const { loadModel, saveModel } = await import(pathToFileURL(persistJs).href);
const A = await loadModel(fileA, { backend: 'reference' });
const B = await loadModel(fileB, { backend: 'reference' });
// Ready; wait for "go" on stdin (the parent starts the next child while the current one runs).
const first = await new Promise((resolve) => {
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (d) => {
    input += d;
    const m = /go ([AB])\n/.exec(input);
    if (m) resolve(m[1]);
  });
  process.stdout.write('ready\n');
});
const order = first === 'A' ? [A, B] : [B, A];
for (let i = 1; ; i++) {
  await saveModel(order[(i - 1) % 2], path);
  process.stdout.write(`saved ${i}\n`);
}
