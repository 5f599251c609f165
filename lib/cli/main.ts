// The `blasnet` command: its subcommands and options (commander), and the one error boundary that
// turns every user mistake into a one-line message on stderr and an exit code (1: bad data or
// files, 2: bad usage). stdout goes through a Sink (lib/cli/output.ts): a reader that goes away
// (`| head -1`, EPIPE) ends the command quietly with status 0. The work itself is in train.ts, cv.ts
// and commands.ts.
import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, type ActivationName, type ActivationOption } from '../spec.js';
import { evaluate, exportModel, predict, showInfo } from './commands.js';
import { crossValidateCommand, SCORING_NAMES, type CvOptions } from './cv.js';
import { columnListOption, delimiterOption, missingOption } from './data.js';
import { CliError } from './errors.js';
import { oneLine, Sink } from './output.js';
import { STREAM_BYTES } from './stream.js';
import { train, type TrainOptions } from './train.js';

export { routeWarnings } from './output.js';

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

/** How to read a CSV: every command that reads one. */
function csvOptions(cmd: Command, missingDefault: string): Command {
  return cmd
    .option('--delimiter <c>', "the CSV's field delimiter: one character, or tab [detected among , ; tab |]", delimiterOption)
    .option('--missing <tokens>', `the cells that mean "missing", comma-separated, replacing ${missingDefault} (an empty item, as in "NA,", is the empty cell)`, missingOption);
}

function dataOptions(cmd: Command, targetHelp: string, missingDefault: string): Command {
  return csvOptions(cmd.option('--target <column>', targetHelp), missingDefault)
    .option('--idx-images <file>', 'MNIST-style IDX images (n × rows × cols bytes; .gz allowed) instead of a CSV')
    .option('--idx-labels <file>', 'the IDX labels that go with --idx-images');
}

const DEFAULT_MISSING_HELP = 'the default: empty, NA, N/A, NaN, null, ?';
const MODEL_MISSING_HELP = "the model's own list (the training file's)";

/** The data and model options train and cv share. */
function learningOptions(cmd: Command): Command {
  return dataOptions(cmd, 'the CSV column to predict', DEFAULT_MISSING_HELP)
    .option('--features <columns>', 'the feature columns to use, comma-separated [every column but the target and --ignore]', columnListOption)
    .option('--ignore <columns>', 'columns to leave out, comma-separated (an ID, free text, a leak of the target)', columnListOption)
    .addOption(new Option('--task <task>', 'classification or regression [inferred: text and true/false are classes; integers with at most 20 distinct values are classes; other numbers a regression]')
      .choices(['classification', 'regression']))
    .addOption(new Option('--impute <how>', 'fill missing feature cells with the training rows\' mean, median or most frequent value (categories: the most frequent), or drop those rows [mean]')
      .choices(['mean', 'median', 'most-frequent', 'drop']))
    .addOption(new Option('--model <kind>', 'logistic regression (binary or multinomial) or a dense network').choices(['logistic', 'network']).default('network'))
    .option('--layers <sizes>', 'hidden layer sizes, e.g. 64,32 ("none" for no hidden layer) [32]', layerSizes)
    .option('--hidden <activation>', `hidden activation, one or one per layer: ${HIDDEN_ACTIVATIONS.join(', ')}; leaky-relu:α [tanh]`, activationList)
    .option('--output <activation>', `output activation: ${OUTPUT_ACTIVATIONS.join(', ')} [sigmoid for 2 classes, softmax for more, linear for a regression]; linear, relu or tanh force a regression`, activation(OUTPUT_ACTIVATIONS))
    .addOption(new Option('--loss <loss>', 'loss [cross-entropy for classes, mse for a regression]; --loss mse forces a regression, even on integer targets').choices(['cross-entropy', 'mse']))
    .option('--epochs <n>', 'passes over the training data (network) [up to 200, stopping when the training cost stalls]; for logistic the same as --iterations', int(1, 1e7))
    .option('--iterations <n>', 'gradient-descent steps (logistic) [2000; lbfgs 100]', int(1, 1e8))
    .option('--batch-size <n>', 'examples per step (network) [200]', int(1))
    .option('--learning-rate <rate>', 'step size [network: 0.002 adam, 0.01 gd/momentum; logistic: 0.001]', number((v) => v > 0, 'a number > 0'))
    .addOption(new Option('--optimizer <name>', 'network: gd, momentum, adam or lbfgs [adam]; logistic: gd or lbfgs [gd]').choices(['gd', 'momentum', 'adam', 'lbfgs']))
    .addOption(new Option('--solver <name>', 'the same as --optimizer').choices(['gd', 'momentum', 'adam', 'lbfgs']))
    .option('--l2 <lambda>', 'L2 penalty λ on the weights', number((v) => v >= 0, 'a number ≥ 0'))
    .option('--seed <n>', 'seed of the weight initialization, the shuffles and the validation split or folds', int(0, 0xffffffff), 0)
    .option('--threads <n>', 'OpenBLAS threads', int(1, 1024))
    .option('--standardize', 'standardize the numeric features with the training rows\' mean and std, stored in the model (the default)')
    .option('--no-standardize', 'take the numeric features as they are')
    .option('--early-stopping <patience>', 'stop after this many epochs (records) without a better validation cost (training cost without --validation); keep the best parameters', int(1, 1e7))
    .option('--class-weight <weights>', "weigh each class's examples: 'balanced' (n / (k · n_c)) or one weight per class in the classes' order, e.g. 1,3", classWeights);
}

/** The options as train and cv take them: --solver folded into --optimizer, --no-standardize as standardize false. */
function modelOptions<T>(cmd: Command): T {
  const o = cmd.opts() as Record<string, unknown> & { solver?: string; optimizer?: string; standardize?: boolean };
  if (o.solver !== undefined) {
    if (o.optimizer !== undefined && o.optimizer !== o.solver) throw new CliError(`--solver ${o.solver} and --optimizer ${o.optimizer} disagree`, 2);
    o.optimizer = o.solver;
  }
  return { ...o, standardize: o.standardize !== false } as T;
}

/**
 * Builds the program; `out` receives every report (the progress bar too, when it is a terminal), and
 * `warn` the one-line warnings (R² < 0).
 */
export function program(out: Sink, warn: (s: string) => void): Command {
  const p = new Command('blasnet')
    .description('Train, evaluate and export logistic regression and dense neural networks (float64, OpenBLAS).')
    .version(version(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: (s) => out.write(s), outputError: (s, write) => write(`blasnet: ${s.trimEnd()}\n`) });

  learningOptions(p.command('train')
    .summary('train a model on a CSV (with --target) or an IDX pair')
    .description('Train a model on a CSV: the task is inferred from the target (or --task), text and true/false features are one-hot or 0/1 encoded, ' +
      'missing cells filled (--impute), numbers standardized; all of it is learned on the training split and stored in the model. --loss mse forces a regression.')
    .argument('[data]', 'a CSV file whose first line names the columns'))
    .option('--validation <fraction>', 'hold out this fraction of the rows as a validation set (stratified by class for a classifier, seeded by --seed), evaluated every epoch', number((v) => v > 0 && v < 1, 'a fraction in (0, 1)'))
    .option('--out <file>', 'write the model (JSON) here')
    .option('--plot <file>', 'write the learning curve (SVG) here')
    .option('--stream', `read the CSV in a stream (bounded memory: a first pass learns the preprocessing, each epoch reads the file again through a shuffle buffer) [when the file is larger than ${STREAM_BYTES / 2 ** 20} MiB]`)
    .option('--no-stream', 'read the CSV into memory, whatever its size')
    .option('--buffer-rows <n>', 'rows in the shuffle buffer of a streamed file', int(0, 1e9), 65536)
    .option('--checkpoint <file>', 'save the model with its training state here during training (atomically), every --checkpoint-every epochs')
    .option('--checkpoint-every <n>', 'epochs (logistic: iterations) between checkpoints', int(1, 1e9), 1)
    .option('--resume <file>', 'continue the fit saved in this checkpoint: the same data and options, --epochs counting the total')
    .action(async function (this: Command, data: string | undefined) {
      const given = (key: string) => this.getOptionValueSource(key) === 'cli';
      await train(data, modelOptions<TrainOptions>(this), given, out, warn);
    });

  learningOptions(p.command('cv')
    .summary('k-fold cross-validation of the model train would build, one line per fold and the mean ± std')
    .description('k-fold cross-validation: for each fold, the preprocessing and the model are learned on the other folds\' rows only and scored on this one. ' +
      'Takes train\'s data and model options.')
    .argument('[data]', 'a CSV file whose first line names the columns'))
    .option('--folds <k>', 'the number of folds', int(2, 1e6), 5)
    .option('--stratify', 'spread each class evenly over the folds (the default for a classifier)')
    .option('--no-stratify', 'plain folds, whatever the task')
    .addOption(new Option('--scoring <name>', 'the score per fold, greater is better [accuracy for classes, r2 for a regression]').choices(SCORING_NAMES))
    .action(async function (this: Command, data: string | undefined) {
      const given = (key: string) => this.getOptionValueSource(key) === 'cli';
      const o = modelOptions<CvOptions & { stratify?: boolean }>(this);
      if (!given('stratify')) delete o.stratify;
      await crossValidateCommand(data, o, given, out);
    });

  dataOptions(p.command('evaluate')
    .summary('accuracy, per-class precision/recall/F1 and the confusion matrix (R², MSE and MAE for regression)')
    .argument('<model>', 'a model file written by blasnet train')
    .argument('[data]', 'a CSV file with the model\'s feature columns and the target column'), "the target column [the model's]", MODEL_MISSING_HELP)
    .option('--json', 'machine-readable output')
    .action(async function (this: Command, model: string, data: string | undefined) {
      await evaluate(model, data, this.opts(), out, warn);
    });

  dataOptions(p.command('predict')
    .summary('predictions as CSV: the class (or value), with --proba the class probabilities')
    .description('Predictions as CSV (fields quoted where CSV needs it): a header, then one line per data row, in order. A classifier gives the column class ' +
      '(the class as the training data named it), and with --proba one column p(<class>) per class; a regression gives prediction. No row is dropped: ' +
      'missing cells are filled from the training statistics, and a category not seen in training is encoded as all zeros (one warning line).')
    .argument('<model>', 'a model file written by blasnet train')
    .argument('[data]', 'a CSV file with the model\'s feature columns (a target column is ignored)'), 'the target column to leave out (a model saved by the library reads every other column)', MODEL_MISSING_HELP)
    .option('--proba', 'add one probability column per class, named p(<class>)')
    .option('--id <column>', 'copy this column (an ID) into the output, as its first column')
    .option('--out <file>', 'write the CSV here instead of stdout')
    .action(async function (this: Command, model: string, data: string | undefined) {
      await predict(model, data, this.opts(), out);
    });

  p.command('export')
    .summary('export a model to ONNX')
    .argument('<model>', 'a model file written by blasnet train')
    .option('--onnx <file>', 'write the ONNX model here')
    .option('--float32', 'tensor(float) instead of tensor(double)')
    .action(async function (this: Command, model: string) {
      await exportModel(model, this.opts(), out);
    });

  p.command('info')
    .summary('the backend, BLAS library, core, threads and SIMD level')
    .option('--json', 'machine-readable output')
    .action(function (this: Command) {
      showInfo(this.opts(), out);
    });
  return p;
}

/**
 * Runs the command line and returns the exit code: 0, 1 for bad data or files, 2 for bad usage. A
 * stdout whose reader has gone (EPIPE) is not an error: the command stops writing and ends with 0.
 * @param argv - the arguments after the program name
 */
export async function main(argv: string[], stdout: NodeJS.WritableStream = process.stdout, stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  const out = new Sink(stdout);
  const warn = (s: string) => stderr.write(`blasnet: warning: ${oneLine(s)}\n`);
  const code = await run(argv, out, warn, stderr);
  await out.settled();
  const failure = out.failure;
  if (failure !== null && code === 0) {
    stderr.write(`blasnet: ${failure}\n`);
    return 1;
  }
  return code;
}

async function run(argv: string[], out: Sink, warn: (s: string) => void, stderr: NodeJS.WritableStream): Promise<number> {
  try {
    await program(out, warn).parseAsync(argv, { from: 'user' });
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
