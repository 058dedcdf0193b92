/**
 * The `steerlab` command line: train, steer and sweep from a terminal, no UI needed.
 *
 * Errors a user can fix are printed as one sentence (no stack trace) with exit code 1; set
 * STEERLAB_DEBUG=1 to see the stack.
 */
import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../version.js';

/**
 * The commands, in the order help lists them, each with the module that defines it. A command's
 * module (and what it imports: sessions, sweeps, reports, the server) is loaded only when that
 * command runs, so `steerlab sweep` does not pay for d3, the server or the zoo at start-up.
 */
const COMMAND_MODULES: { names: string[]; load: () => Promise<Command[]> }[] = [
  { names: ['doctor'], load: async () => [(await import('./commands/doctor.js')).doctorCommand()] },
  { names: ['train'], load: async () => [(await import('./commands/train.js')).trainCommand()] },
  { names: ['export', 'import'], load: async () => { const m = await import('./commands/model-io.js'); return [m.exportCommand(), m.importCommand()]; } },
  { names: ['sweep', 'layers', 'coeffs'], load: async () => { const m = await import('./commands/sweeps.js'); return [m.sweepCommand(), m.layersCommand(), m.coeffsCommand()]; } },
  { names: ['reproduce'], load: async () => [(await import('./commands/reproduce.js')).reproduceCommand()] },
  { names: ['serve'], load: async () => [(await import('./commands/serve.js')).serveCommand()] },
  { names: ['bench'], load: async () => [(await import('./commands/bench.js')).benchCommand()] },
  // Robustness: source images, mean-difference convergence, training-seed ensembles.
  { names: ['sources', 'converge', 'compare'], load: async () => { const m = await import('./commands/robustness.js'); return [m.sourcesCommand(), m.convergeCommand(), m.compareCommand()]; } },
  // The vector analyses (issue 14).
  {
    names: ['geometry', 'intervene', 'steerability', 'place', 'vector'],
    load: async () => { const m = await import('./commands/analysis.js'); return [m.geometryCommand(), m.interveneCommand(), m.steerabilityCommand(), m.placeCommand(), m.vectorCommand()]; },
  },
  // Many models at once (issue 19).
  { names: ['zoo'], load: async () => [(await import('./commands/zoo.js')).zooCommand()] },
];

/**
 * The program with the commands `argv` (as process.argv) can reach: the one it names, none for
 * `--version`, and all of them otherwise (help, a mistyped name that commander suggests a fix for)
 * or when `argv` is not given.
 */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command('steerlab')
    .description('SteerLab: activation-addition (steering vector) experiments on an MNIST MLP')
    .version(APP_VERSION)
    // Options after a command's name are that command's: `zoo merge A B --out DIR` gives --out to merge, not to zoo.
    .enablePositionalOptions()
    .exitOverride();
  const first = argv?.[2];
  const named = COMMAND_MODULES.filter((m) => first !== undefined && m.names.includes(first));
  const wanted = first === '--version' || first === '-V' ? [] : named.length > 0 ? named : COMMAND_MODULES;
  for (const module of wanted) for (const cmd of await module.load()) program.addCommand(cmd.exitOverride());
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`steerlab: ${message}\n`);
    if (process.env.STEERLAB_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}
