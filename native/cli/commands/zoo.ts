/**
 * `steerlab zoo PLAN.json --out DIR`: trains every cell of a plan (docs/zoo-plan.md) and runs the
 * battery on each model, one session and one battery file per model in DIR as each finishes, a
 * manifest, and at the end the summary (summary.json, battery.csv, answer.md). A rerun skips
 * finished models, so Ctrl-C or a kill loses at most the model being worked on.
 */
import { statSync } from 'node:fs';
import { Command } from 'commander';
import { withEngineFlags, openEngineForCli, type EngineFlags } from '../common.js';
import { checkOutputFile, writeProblem } from '../output-files.js';
import { SessionFileError } from '../../session/format.js';
import { progressReporter, interruptSignal, reportCancelled } from '../progress.js';
import { readUserText } from '../../util/regular-file.js';
import { TrainingCancelled } from '../../train/trainer.js';
import { SweepCancelled } from '../../engine/sweep-cancelled.js';
import { parsePlan, GRID_LIMIT } from '../../zoo/plan.js';
import { runZoo } from '../../zoo/run-zoo.js';
import { writeZooSummary } from '../../zoo/summary-files.js';
// --- concurrency, shards and merge (issue 19, "Speed and scale") ---
import { removeStaleOutputTemps } from '../output-files.js';
import { intFlag } from '../flags.js';
import { parseShard, shardPositions, type Shard } from '../../zoo/shard.js';
import { MAX_JOBS } from '../../zoo/zoo-pool.js';
import { zooMergeCommand, writeFailure } from './zoo-merge.js';
// --- end concurrency, shards and merge ---
import { checkReportFlags, writeReportFor, type ZooReportFlags } from './zoo-report.js';

interface ZooFlags extends EngineFlags, Omit<ZooReportFlags, 'out'> {
  out?: string;
  yes?: boolean;
  jobs?: number;
  shard?: Shard;
}

/** --jobs N: models at once, a whole number from 1 to MAX_JOBS. */
const parseJobs = (text: string) => intFlag('--jobs', text, 1, 1, MAX_JOBS);

export function zooCommand(): Command {
  return withEngineFlags(
    new Command('zoo')
      .description('train every model of a plan (factors crossed into a grid) and measure how each can be steered; see docs/zoo-plan.md')
      .argument('<plan>', 'the plan, a JSON file')
      // Not a requiredOption: commander checks a command's required options for its subcommands too (zoo merge).
      .option('--out <dir>', 'folder for the sessions, batteries, manifest and summary (new, or one a stopped run left: finished models are skipped)')
      .option('--yes', `train a plan of more than ${GRID_LIMIT} models`)
      .option('--jobs <n>', 'models trained and measured at once, each on one core (default: one per core, fewer if memory is short)', parseJobs)
      .option('--shard <i/n>', 'run only every n-th cell, starting at cell i (1-based: 1/n is the first shard), into --out; join the shards\' folders with `steerlab zoo merge`', parseShard)
      .option('--report <dir>', 'also write the study report (report.md and its plots) into this folder when the zoo is done')
      .option('--report-only', 'with --report: train nothing, write the report from the models finished so far')
      .addHelpText('after', '\n--data gives the MNIST folder; Fashion-MNIST is found through STEERLAB_FASHION_DATA, the cache or Debian\'s dataset-fashion-mnist.\nSplitting a plan over machines (Slurm array jobs, a job queue): docs/zoo-plan.md, "Shards".'),
  ).action(async (planFile: string, flags: ZooFlags) => {
    if (flags.out === undefined) throw new Error('Give --out DIR, the folder for the zoo\'s models and summary (new, or one a stopped run left).');
    // The plan and the folder are checked before any engine opens or model trains.
    const plan = parsePlan(await readUserText(planFile, 'zooPlan'), { yes: flags.yes === true });
    const info = statSync(flags.out, { throwIfNoEntry: false });
    if (info && !info.isDirectory()) throw new Error(`--out ${flags.out} is not a folder; give a folder (new, or one a zoo run left) for the models.`);
    if (!info) checkOutputFile('--out', flags.out);
    else await removeStaleOutputTemps(flags.out); // temporaries a kill -9 left mid-write
    checkReportFlags({ ...flags, out: flags.out });
    if (flags.reportOnly) {
      process.stdout.write(`${await writeReportFor(planFile, plan, { ...flags, out: flags.out, report: flags.report! })}\n`);
      return;
    }
    const bar = progressReporter('zoo');
    const interrupt = interruptSignal('the zoo');
    const lines: string[] = [];
    try {
      const models = await runZoo(plan, {
        dir: flags.out,
        jobs: flags.jobs,
        shard: flags.shard,
        // --data names MNIST's folder; other datasets are found by their own settings (data/datasets.ts).
        engineFor: (dataset) => openEngineForCli(dataset === 'mnist' ? flags : { ...flags, data: undefined }, lines.length > 0, dataset),
        signal: interrupt.signal,
        onProgress: (p) => bar.update(Math.round(1000 * p.fraction), 1000, `model ${p.model}/${p.models} ${p.cellId}: ${p.phase}${(p.running ?? 1) > 1 ? ` (${p.running} at once)` : ''}`),
        log: (line) => {
          lines.push(line);
          process.stderr.write(`${line}\n`);
        },
      });
      const shard = flags.shard;
      bar.stop(shard ? `shard ${shard.index}/${shard.count} (${models.length} of the plan's ${plan.cells.length} models, cells ${shardPositions(plan.cells.length, shard).slice(0, 3).map((p) => p + 1).join(', ')}${models.length > 3 ? ', ...' : ''}) done in ${flags.out}; join the shards with steerlab zoo merge` : `zoo of ${models.length} models done in ${flags.out}`);
      const { answer } = await writeZooSummary(flags.out, plan, models);
      process.stdout.write(`${answer.join('\n')}\n`);
      if (flags.report) process.stdout.write(`${await writeReportFor(planFile, plan, { ...flags, out: flags.out, report: flags.report })}\n`);
    } catch (error) {
      bar.stop();
      const failedWrite = writeFailure(error, flags.out);
      if (failedWrite) {
        // A full disk (or a folder that became read-only) stops the zoo; what was written stays.
        process.stderr.write(`${failedWrite}\n`);
        process.exitCode = 1;
      } else {
        reportCancelled(error, [TrainingCancelled, SweepCancelled]);
      }
      process.stderr.write(`Finished models are kept in ${flags.out}; run the same command again to go on.\n`);
    } finally {
      interrupt.dispose();
    }
  })
    // `zoo merge ... --out DIR`: options after the subcommand's name are the subcommand's, not the zoo's.
    .enablePositionalOptions()
    .addCommand(zooMergeCommand().exitOverride());
}
