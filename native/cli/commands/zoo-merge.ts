/**
 * `steerlab zoo merge DIR1 DIR2 ... --out DIR`: joins the folders of one plan's shards
 * (`steerlab zoo PLAN --shard i/n`) into one zoo folder with the summary an unsharded run writes
 * (native/zoo/merge-zoo.ts).
 */
import { Command } from 'commander';
import { statSync } from 'node:fs';
import { checkOutputFile, removeStaleOutputTemps, writeProblem } from '../output-files.js';
import { SessionFileError } from '../../session/format.js';
import { mergeZoos } from '../../zoo/merge-zoo.js';

/** The sentence for a file a zoo command could not write in `out` (a session's own, or "Could not write --out DIR: ..."), or null for other errors. */
export function writeFailure(error: unknown, out: string): string | null {
  if (error instanceof SessionFileError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && ['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS'].includes(code)) return `Could not write --out ${out}: ${writeProblem(error)}.`;
  return null;
}

export function zooMergeCommand(): Command {
  return new Command('merge')
    .description('join the folders of one plan\'s shards (steerlab zoo PLAN --shard i/n) into one zoo folder with the whole summary')
    .argument('<dirs...>', 'the shards\' folders')
    .requiredOption('--out <dir>', 'folder for the merged zoo (new, or one an earlier merge of the same plan wrote)')
    .action(async (dirs: string[], flags: { out: string }) => {
      for (const dir of dirs) if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`${dir} is not a folder; give the folders steerlab zoo --shard wrote.`);
      const info = statSync(flags.out, { throwIfNoEntry: false });
      if (info && !info.isDirectory()) throw new Error(`--out ${flags.out} is not a folder; give a new folder for the merged zoo.`);
      if (!info) checkOutputFile('--out', flags.out);
      else await removeStaleOutputTemps(flags.out);
      const result = await mergeZoos(dirs, flags.out, (line) => process.stderr.write(`${line}\n`)).catch((error: unknown) => {
        const failed = writeFailure(error, flags.out);
        throw failed ? new Error(`${failed} What was copied stays; merge again into a folder with room.`, { cause: error }) : error;
      });
      if (!result.summary) {
        process.stderr.write(`${result.finished} of the plan's ${result.planCells} models are finished in these folders; the summary is written once all are (merge again with the missing shards' folders, or run the plan into ${flags.out}).\n`);
        return;
      }
      process.stderr.write(`merged ${result.finished} models into ${flags.out}\n`);
      process.stdout.write(`${result.summary.answer.join('\n')}\n`);
    });
}
