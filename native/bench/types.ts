/**
 * The shape of a benchmark result file, shared by `steerlab bench` and bench/pytorch_reference.py
 * (which writes the same `figures` names), so the Markdown table can put the two side by side.
 */

/** Where the figures came from: the machine, as reported by the runtime. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  totalMemoryBytes: number;
  os: string;
  hostname: string;
  /** Node's version for SteerLab, Python's for the reference. */
  node?: string;
  python?: string;
}

/** The headline numbers. Times are wall-clock; memory is peak resident set size per phase. */
export interface BenchFigures {
  /** The whole one-epoch training call: the steps plus the test-set evaluation at its end. */
  trainSeconds: number;
  /** Up to the last optimisation step (SteerLab: the last step event). */
  trainStepsSeconds: number;
  /** The test-set evaluation after the epoch. */
  testEvalSeconds: number;
  /** All 100 (a, b) pairs at layer 0, coefficient 1, first-image vectors, over the test set. */
  pairSweepSeconds: number;
  /** The 3-1 vector at each of the five layers (unpatched and patched run per layer). */
  layerSweepSeconds: number;
  /** One image steered (unpatched and steered inference), after a warm-up. */
  steerMedianMs: number;
  steerP95Ms: number;
  /** The layer-0 table over N = 10 source images per digit (steerlab sources; SteerLab only). */
  sourcesSeconds?: number;
  /** `steerlab sweep` from process start to its first sweep step (data on disk); full runs only. */
  startupSeconds?: number;
  /** `steerlab reproduce` end to end (3 epochs, table, layer sweep, report); full runs only. */
  reproduceSeconds?: number;
  /**
   * Whole commands, as processes, interleaved (end-to-end.ts benchInterveneCommands; SteerLab only, full
   * runs): `steerlab sweep` (100 pairs, layer 0) and `steerlab intervene` over the same pairs with
   * --ablate, --relative and --random-control 0 (side effects included).
   */
  sweepCommandSeconds?: number;
  interveneAblateCommandSeconds?: number;
  interveneRelativeCommandSeconds?: number;
  interveneRandomCommandSeconds?: number;
  /**
   * The default training (3 epochs): SteerLab's whole `steerlab train` command as a process, start-up
   * and saving included; PyTorch's 3-epoch loop (no start-up, no data loading). Full runs only.
   */
  trainCommandSeconds?: number;
  /** Each epoch of that training, with its test-set evaluation. */
  trainEpochSeconds?: number[];
  /** The same command with STEERLAB_KEEP_SUBNORMALS=1 (native only): what flushing subnormals saves. */
  trainKeptSubnormalsCommandSeconds?: number;
  trainKeptSubnormalsEpochSeconds?: number[];
  /** One training epoch of 784-256-128-64-10 GELU with its test evaluation (gelu-phase.ts), seconds. */
  geluTrainSeconds?: number;
  /** The 100-pair sweep of 784-256-128-64-10 GELU at each hidden hook 0..5 (gelu-phase.ts), seconds. */
  geluPairSweepSeconds?: number[];
  /** The 100-pair sweep of the residual 784-512-res(512)-10 at each hook 0..4 (residual-phase.ts) on the engine in use, seconds. */
  residualPairSweepSeconds?: number[];
  /** The same sweeps on the tfjs engine, when the engine in use is native (SteerLab only). */
  residualTfjsPairSweepSeconds?: number[];
  /** The zoo phases (zoo-phase.ts): the bench plan's model count, and its seconds at --jobs 1 and --jobs 2 (keys "1", "2"). */
  zooModels?: number;
  zooSeconds?: Record<string, number>;
  /**
   * `steerlab zoo` as a whole process on seed-sized models (zoo-command.ts; full runs only): the
   * model count, the command's seconds, each model's training and battery seconds from its battery
   * file, and the process's peak RSS (worker threads included).
   */
  zooCommandModels?: number;
  zooCommandSeconds?: number;
  zooCommandTrainSeconds?: number[];
  zooCommandBatterySeconds?: number[];
  zooCommandPeakRssBytes?: number;
  /** Peak RSS in bytes by phase: train, pairSweep, layerSweep, steer, sources, geluTrain, geluSweeps, residualSweeps, zooJobs1, zooJobs2. */
  peakRssBytes: Record<string, number>;
}

/** Memory seen during one phase. */
export interface PhaseMemory {
  /** The larger of the kernel's peak (VmHWM, reset at the phase start; Linux) and the sampled RSS. */
  peakRssBytes: number;
  /** The largest RSS among the 50 ms samples (the sampler runs when the event loop is free). */
  sampledPeakRssBytes: number;
  /** The largest heapUsed + arrayBuffers among the samples (JS heap and typed-array memory). */
  sampledPeakHeapPlusArrayBuffersBytes?: number;
  samples: number;
}

export interface PercentileSummary {
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  reps: number;
}

export interface BenchSizes {
  trainImages: number;
  testImages: number;
  batchSize: number;
  learningRate: number;
  steerReps: number;
}

/** A result file of either tool. The fields beyond `figures` are for reading, not comparing. */
export interface BenchResult {
  tool: 'steerlab' | 'pytorch';
  schema: 1;
  quick: boolean;
  timestamp: string;
  gitCommit: string | null;
  machine: MachineInfo;
  runtime: Record<string, unknown>;
  sizes: BenchSizes;
  figures: BenchFigures;
  memory: Record<string, PhaseMemory>;
  steer: PercentileSummary;
  /** Results of the work itself (losses, CE), to see both tools did the same job. */
  checks: Record<string, unknown>;
  /** The machine's measured sgemm rate and each phase's fraction of it (when the native addon loads). */
  throughput?: Throughput;
}

/** The phases, in run order, with the words the Markdown table uses. */
export const PHASES = [
  { key: 'train', label: 'training epoch' },
  { key: 'pairSweep', label: '100-pair sweep' },
  { key: 'layerSweep', label: '3-1 layer sweep' },
  { key: 'steer', label: 'single steers' },
  { key: 'sources', label: 'N = 10 sources' },
  { key: 'geluTrain', label: 'GELU training epoch' },
  { key: 'geluSweeps', label: 'GELU pair sweeps' },
  { key: 'residualSweeps', label: 'residual pair sweeps' },
  { key: 'zooJobs1', label: 'zoo, --jobs 1' },
  { key: 'zooJobs2', label: 'zoo, --jobs 2' },
] as const;
export type PhaseKey = (typeof PHASES)[number]['key'];

/** The machine's sgemm rate and each phase's share of it (throughput.ts measures them). */
export interface Throughput {
  /** Measured cblas_sgemm rate, [2000 x 512] x [512 x 512] (the sweep's product), all BLAS threads. */
  sgemmGflops: number;
  blas: string;
  threads: number;
  /** Per phase: achieved GFLOP/s and its fraction of sgemmGflops. */
  phases: Record<string, { gflops: number; fraction: number }>;
}
