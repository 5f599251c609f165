// The `blasnet` command: its subcommands and options (commander), and the one error boundary that
// turns every user mistake into a one-line message on stderr and an exit code (1: bad data or
// files, 2: bad usage). The work itself is in train.ts and commands.ts.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type ActivationName, type ActivationOption } from '../spec.js';
import { evaluate, exportModel, predict, showInfo } from './commands.js';
import { CliError } from './errors.js';
import { train, type TrainOptions } from './train.js';

function int(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const v = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(`expected an integer${max < Number.MAX_SAFE_INTEGER ? ` in [${min}, ${max}]` : ` ≥ ${min}`}.`);
    }
    return v;
  };
}

function number(check: (v: number) => boolean, expected: string) {
  return (value: string): number => {
    const v = Number(value);
    if (value.trim() === '' || !Number.isFinite(v) || !check(v)) throw new InvalidArgumentError(`expected ${expected}.`);
    return v;
  };
}

function layerSizes(value: string): number[] {
  if (value === 'none') return [];
  const parts = value.split(',');
  return parts.map((p) => int(1, 1e7)(p));
}

function activation(allowed: readonly string[]) {
  return (value: string): ActivationOption<ActivationName> => {
    const [name, alpha, extra] = value.split(':');
    if (!allowed.includes(name!) || extra !== undefined) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')} (leaky-relu:α for a slope).`);
    if (alpha === undefined) return name as ActivationName;
    const a = Number(alpha);
    if (name !== 'leaky-relu' || alpha.trim() === '' || !Number.isFinite(a) || a < 0) throw new InvalidArgumentError('a slope is written leaky-relu:α with a number α ≥ 0.');
    return { name: 'leaky-relu', alpha: a };
  };
}

function activationList(value: string): ActivationOption<ActivationName>[] {
  return value.split(',').map(activation(HIDDEN_ACTIVATIONS));
}

function classWeights(value: string): 'balanced' | number[] {
  if (value === 'balanced') return 'balanced';
  return value.split(',').map((p) => number((v) => v >= 0, "'balanced' or weights ≥ 0 separated by commas")(p));
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--target <column>', 'the CSV column to predict')
    .option('--idx-images <file>', 'MNIST-style IDX images (n × rows × cols bytes; .gz allowed) instead of a CSV')
    .option('--idx-labels <file>', 'the IDX labels that go with --idx-images');
}

/** Builds the program; `stdout` receives every report (the progress bar too, when it is a terminal). */
export function program(stdout: NodeJS.WriteStream): Command {
  const p = new Command('blasnet')
    .description('Train, evaluate and export logistic regression and dense neural networks (float64, OpenBLAS).')
    .version(version(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: (s, write) => write(`blasnet: ${s.trimEnd()}\n`) });

  dataOptions(p.command('train')
    .summary('train a model on a CSV (with --target) or an IDX pair')
    .description('Train a model. Features are standardized with the training split\'s mean and standard deviation (stored in the model) unless --no-standardize.')
    .argument('[data]', 'a CSV file whose first line names the columns'))
    .addOption(new Option('--model <kind>', 'logistic regression (binary) or a dense network').choices(['logistic', 'network']).default('network'))
    .option('--layers <sizes>', 'hidden layer sizes, e.g. 64,32 ("none" for no hidden layer) [32]', layerSizes)
    .option('--hidden <activation>', `hidden activation, one or one per layer: ${HIDDEN_ACTIVATIONS.join(', ')}; leaky-relu:α [tanh]`, activationList)
    .option('--output <activation>', `output activation: ${OUTPUT_ACTIVATIONS.join(', ')} [sigmoid for 2 classes, softmax for more, linear for a numeric target]`, activation(OUTPUT_ACTIVATIONS))
    .addOption(new Option('--loss <loss>', 'loss [cross-entropy for classes, mse for a numeric target]').choices(['cross-entropy', 'mse']))
    .option('--epochs <n>', 'passes over the training data (network) [up to 200, stopping when the training cost stalls]; for logistic the same as --iterations', int(1, 1e7))
    .option('--iterations <n>', 'gradient-descent steps (logistic) [2000; lbfgs 100]', int(1, 1e8))
    .option('--batch-size <n>', 'examples per step (network) [200]', int(1))
    .option('--learning-rate <rate>', 'step size [network: 0.002 adam, 0.01 gd/momentum; logistic: 0.001]', number((v) => v > 0, 'a number > 0'))
    .addOption(new Option('--optimizer <name>', 'network: gd, momentum, adam or lbfgs [adam]; logistic: gd or lbfgs [gd]').choices(['gd', 'momentum', 'adam', 'lbfgs']))
    .addOption(new Option('--solver <name>', 'the same as --optimizer').choices(['gd', 'momentum', 'adam', 'lbfgs']))
    .option('--l2 <lambda>', 'L2 penalty λ on the weights', number((v) => v >= 0, 'a number ≥ 0'))
    .option('--seed <n>', 'seed of the weight initialization, the shuffles and the validation split', int(0, 0xffffffff), 0)
    .option('--threads <n>', 'OpenBLAS threads', int(1, 1024))
    .option('--standardize', 'standardize the features, stored in the model (the default)')
    .option('--no-standardize', 'take the features as they are')
    .option('--validation <fraction>', 'hold out this fraction of the rows as a validation set (seeded by --seed), evaluated every epoch', number((v) => v > 0 && v < 1, 'a fraction in (0, 1)'))
    .option('--early-stopping <patience>', 'stop after this many epochs (records) without a better validation cost (training cost without --validation); keep the best parameters', int(1, 1e7))
    .option('--class-weight <weights>', "weigh each class's examples: 'balanced' (n / (k · n_c)) or one weight per class, e.g. 1,3", classWeights)
    .option('--out <file>', 'write the model (JSON) here')
    .option('--plot <file>', 'write the learning curve (SVG) here')
    .action(async function (this: Command, data: string | undefined) {
      const o = this.opts() as TrainOptions & { solver?: TrainOptions['optimizer']; standardize?: boolean };
      if (o.solver !== undefined) {
        if (o.optimizer !== undefined && o.optimizer !== o.solver) throw new CliError(`--solver ${o.solver} and --optimizer ${o.optimizer} disagree`, 2);
        o.optimizer = o.solver;
      }
      const given = (key: string) => this.getOptionValueSource(key) === 'cli';
      await train(data, { ...o, standardize: o.standardize !== false }, given, stdout);
    });

  dataOptions(p.command('evaluate')
    .summary('accuracy, per-class precision/recall/F1 and the confusion matrix (MSE and R² for regression)')
    .argument('<model>', 'a model file written by blasnet train')
    .argument('[data]', 'a CSV file with the model\'s feature columns and the target column'))
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, model: string, data: string | undefined) {
      await evaluate(model, data, this.opts(), stdout);
    });

  dataOptions(p.command('predict')
    .summary('predictions as CSV: the class (or value), with --proba the class probabilities')
    .argument('<model>', 'a model file written by blasnet train')
    .argument('[data]', 'a CSV file with the model\'s feature columns (a target column is ignored)'))
    .option('--proba', 'add one probability column per class')
    .option('--out <file>', 'write the CSV here instead of stdout')
    .action(async function (this: Command, model: string, data: string | undefined) {
      await predict(model, data, this.opts(), stdout);
    });

  p.command('export')
    .summary('export a model to ONNX')
    .argument('<model>', 'a model file written by blasnet train')
    .option('--onnx <file>', 'write the ONNX model here')
    .option('--float32', 'tensor(float) instead of tensor(double)')
    .action(async function (this: Command, model: string) {
      await exportModel(model, this.opts(), stdout);
    });

  p.command('info')
    .summary('the backend, BLAS library, core, threads and SIMD level')
    .option('--json', 'machine-readable output')
    .action(function (this: Command) {
      showInfo(this.opts(), stdout);
    });
  return p;
}

/** Messages quote the user's files (a JSON parser's excerpt may hold a newline): keep them on one line. */
function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

/**
 * Runs the command line and returns the exit code: 0, 1 for bad data or files, 2 for bad usage.
 * @param argv - the arguments after the program name
 */
export async function main(argv: string[], stdout: NodeJS.WriteStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  try {
    await program(stdout).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has printed its message (or the help) already: --help and --version exit 0, the rest
      // (an unknown option or command, a bad value, no command at all: help on stderr) are usage errors.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      stderr.write(`blasnet: ${oneLine(e.message)}\n`);
      return e.exitCode;
    }
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_BLASNET')) {
      stderr.write(`blasnet: ${oneLine((e as Error).message)}\n`);
      return 1;
    }
    // A bug, not a user mistake: say so, and keep the stack for a report.
    stderr.write(`blasnet: internal error: ${(e as Error)?.message ?? String(e)}\n${process.env.BLASNET_DEBUG ? `${(e as Error)?.stack}\n` : '(set BLASNET_DEBUG=1 for the stack trace)\n'}`);
    return 70;
  }
}
