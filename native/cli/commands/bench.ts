/**
 * `steerlab bench`: times training, sweeps and steering on the backend in use and writes the
 * figures (JSON + Markdown, beside the newest PyTorch reference) into bench/results/.
 * The measuring is in native/bench/; this file only parses flags and reports progress.
 */
import { Command } from 'commander';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { progressReporter, interruptSignal, type ProgressReporter } from '../progress.js';
import { runBench } from '../../bench/run.js';
import { writeResultFiles } from '../../bench/results.js';
import { PHASES, type BenchResult } from '../../bench/types.js';
import { removeStaleOutputTemps, writeProblem } from '../output-files.js';

export function benchCommand(): Command {
  return withEngineFlags(
    new Command('bench')
      .description('time one training epoch, the 100-pair sweep, the layer sweep and single steers; write bench/results/')
      .option('--out <dir>', 'folder for the result files', 'bench/results')
      .option('--quick', 'tiny sizes (2,000 training and 1,000 test images) to check that it runs'),
  ).action(async (flags: EngineFlags & { out: string; quick?: boolean }) => {
    const engine = await openEngineForCli(flags);
    const interrupt = interruptSignal('the benchmark');
    let bar: ProgressReporter | null = null;
    try {
      const result = await runBench(engine, {
        quick: flags.quick,
        signal: interrupt.signal,
        onPhase: (phase) => {
          bar?.stop();
          bar = progressReporter(PHASES.find((p) => p.key === phase)?.label ?? phase);
        },
        onProgress: (_phase, p) => bar?.update(p.done, p.total, p.label),
        onPhaseDone: (_phase, line) => {
          bar?.stop(line);
          bar = null;
        },
        onNote: (line) => process.stderr.write(`${line}\n`),
      });
      const files = await writeBenchFiles(flags.out, result);
      process.stderr.write(
        [`wrote ${files.json}`, `wrote ${files.markdown}`, files.latest && `updated ${files.latest}`, files.reference ? `compared with ${files.reference}` : 'no PyTorch reference result found to compare with']
          .filter(Boolean)
          .join('\n') + '\n',
      );
    } catch (error) {
      (bar as ProgressReporter | null)?.stop();
      if (interrupt.signal.aborted) {
        process.stderr.write('The benchmark was stopped; nothing was written.\n');
        process.exitCode = 130;
        return;
      }
      throw error;
    } finally {
      interrupt.dispose();
    }
  });
}

/**
 * Writes the result files into --out; if that fails (a full disk), into a folder in the temp
 * folder instead, so a measured run is not lost, and reports the failure naming --out.
 */
async function writeBenchFiles(dir: string, result: BenchResult): ReturnType<typeof writeResultFiles> {
  await removeStaleOutputTemps(dir);
  try {
    return await writeResultFiles(dir, result);
  } catch (error) {
    const rescue = path.join(tmpdir(), `steerlab-bench-${process.pid}-${Date.now()}`);
    const kept = await writeResultFiles(rescue, result).then(
      () => `The results were written to ${rescue} instead.`,
      (again) => `They could not be written to ${rescue} either (${writeProblem(again)}).`,
    );
    throw new Error(`Could not write --out ${dir}: ${writeProblem(error)}.\n${kept}`, { cause: error });
  }
}
