// Child process for test/checkpoint.test.ts ("a training process killed with SIGKILL resumes from its
// checkpoint"). argv: the compiled package's index.js, a JSON file { X, y, options } (the network's
// constructor options and the fit's options), the checkpoint path, and the OpenBLAS thread count.
// It trains "forever" (the fit's epochs are effectively unbounded) with a checkpoint after every
// epoch, printing "training" once started, until the parent kills it.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [dist, dataFile, checkpoint, threads] = process.argv.slice(2);
// Never outlive the test: exit when the parent goes away (stdin closes), and after 60 s at most.
process.stdin.on('end', () => process.exit(2));
process.stdin.resume();
setTimeout(() => process.exit(3), 60_000);
const { Matrix, NeuralNetwork, setThreads, info } = await import(pathToFileURL(dist).href);
const { X, y, model, fit } = JSON.parse(readFileSync(dataFile, 'utf8'));
if (info().backend === 'native') setThreads(Number(threads));
const net = new NeuralNetwork(model);
process.stdout.write('training\n');
await net.fit(Matrix.from(X), y, { ...fit, epochs: 1_000_000, checkpoint: { path: checkpoint, every: 1 } });
process.stdout.write('finished\n');
