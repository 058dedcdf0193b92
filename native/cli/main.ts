/**
 * The `steerlab` command line: train, steer and sweep from a terminal, no UI needed.
 *
 * Errors a user can fix are printed as one sentence (no stack trace) with exit code 1; set
 * STEERLAB_DEBUG=1 to see the stack.
 */
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../version.js';
import { doctorCommand } from './commands/doctor.js';
import { trainCommand } from './commands/train.js';
import { exportCommand, importCommand } from './commands/model-io.js';
import { sweepCommand, layersCommand, coeffsCommand } from './commands/sweeps.js';
import { reproduceCommand } from './commands/reproduce.js';
import { serveCommand } from './commands/serve.js';
import { benchCommand } from './commands/bench.js';
import { sourcesCommand, convergeCommand, compareCommand } from './commands/robustness.js';
import { zooCommand } from './commands/zoo.js';
import { geometryCommand, interveneCommand, steerabilityCommand, placeCommand, vectorCommand } from './commands/analysis.js';

export function buildProgram(): Command {
  const program = new Command('steerlab')
    .description('SteerLab: activation-addition (steering vector) experiments on an MNIST MLP')
    .version(APP_VERSION)
    // Options after a command's name are that command's: `zoo merge A B --out DIR` gives --out to merge, not to zoo.
    .enablePositionalOptions()
    .exitOverride();
  for (const cmd of [doctorCommand(), trainCommand(), exportCommand(), importCommand(), sweepCommand(), layersCommand(), coeffsCommand(), reproduceCommand(), serveCommand(), benchCommand()]) {
    program.addCommand(cmd.exitOverride());
  }
  // Robustness: source images, mean-difference convergence, training-seed ensembles.
  for (const cmd of [sourcesCommand(), convergeCommand(), compareCommand()]) program.addCommand(cmd.exitOverride());
  // The vector analyses (issue 14).
  for (const cmd of [geometryCommand(), interveneCommand(), steerabilityCommand(), placeCommand(), vectorCommand()]) program.addCommand(cmd.exitOverride());
  // Many models at once (issue 19).
  program.addCommand(zooCommand().exitOverride());
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`steerlab: ${message}\n`);
    if (process.env.STEERLAB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
