// The training progress bar (cli-progress): epoch, cost, validation cost and ETA, redrawn in place on
// a terminal. Silent when stdout is not a TTY (piped, redirected, CI): then nothing is written at all.
import cliProgress from 'cli-progress';

export interface Progress {
  update(epoch: number, cost: number, validationCost?: number): void;
  stop(): void;
}

const fmt = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v.toPrecision(5) : '—');

/**
 * A bar over `total` epochs (or iterations), labelled `unit`, when `stream` is a TTY; a no-op otherwise.
 * @param stream - where the bar goes (process.stdout)
 */
export function progressBar(total: number, unit: string, stream: NodeJS.WriteStream, withValidation: boolean): Progress {
  if (!stream.isTTY || total <= 0) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    stream,
    format: `${unit} {value}/{total} {bar} cost {cost}${withValidation ? ' | validation {val}' : ''} | ETA {eta_formatted}`,
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    etaBuffer: 20,
    fps: 10,
  }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, { cost: '—', val: '—' });
  return {
    update(epoch, cost, validationCost) {
      bar.update(epoch, { cost: fmt(cost), val: fmt(validationCost) });
    },
    stop() {
      bar.stop();
    },
  };
}
