/** A progress bar over a sweep's total steps (steps/s, ETA) on a terminal; plain lines per run otherwise. */
import cliProgress from 'cli-progress';
import { formatRate } from '../analysis/speed.js';

/** What the runner reports progress to. */
export interface ProgressSink {
  addSteps(n: number): void;
  setRun(label: string): void;
  line(text: string): void;
  stop(): void;
}

/** A sink that draws a bar on a TTY (stderr) and prints lines otherwise. `quiet` prints nothing. */
export function makeProgress(totalSteps: number, quiet = false): ProgressSink {
  if (quiet) return { addSteps() {}, setRun() {}, line() {}, stop() {} };
  const tty = Boolean(process.stderr.isTTY);
  if (!tty) return { addSteps() {}, setRun() {}, line: (t) => console.log(t), stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} steps | {speed} steps/s | ETA {eta_formatted} | {run}',
      stream: process.stderr,
      etaBuffer: 200,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  let run = '';
  bar.start(totalSteps, 0, { speed: '0', run });
  const speed = () => formatRate(done / Math.max(1e-3, (performance.now() - started) / 1000));
  const lines: string[] = [];
  return {
    addSteps(n) {
      done += n;
      bar.update(done, { speed: speed(), run });
    },
    setRun(label) {
      run = label;
      bar.update(done, { speed: speed(), run });
    },
    line(text) {
      lines.push(text);
    },
    stop() {
      bar.stop();
      for (const l of lines) console.log(l);
    },
  };
}
