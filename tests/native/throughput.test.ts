/**
 * The benchmark's throughput arithmetic on a network small enough to count by hand, and the line
 * it adds to the result page. (Nothing here is timed: the benchmark itself is `npm run bench`.)
 */
import { describe, it, expect } from 'vitest';
import { forwardFlops, phaseFlops, throughputOf, pairSweepFlopsAt, trainingEpochFlops } from '../../native/bench/throughput.js';
import { geluSweepFlops, geluTrainingFlops } from '../../native/bench/gelu-phase.js';

describe('benchmark throughput figures', () => {
  // [784, 2, 2, 10]: one forward pass is 784*2 + 2*2 + 2*10 = 1,592 multiply-adds = 3,184 FLOPs;
  // layer 1 alone is 1,568 multiply-adds = 3,136 FLOPs.
  const sizes = [784, 2, 2, 10];

  it('counts one forward pass', () => {
    expect(forwardFlops(sizes)).toBe(3184);
  });

  it('counts each phase: training (forward, weight and input gradients, test pass), pair sweep, layer sweep', () => {
    const flops = phaseFlops(sizes, { trainImages: 1, testImages: 1, batchSize: 64, learningRate: 0.001, steerReps: 1 });
    // Training: 2 x 3,184 (forward + weight gradients) + (3,184 - 3,136) (input gradients of layers 2, 3) + 3,184 (test image).
    expect(flops.train).toBe(6368 + 48 + 3184);
    // Pair sweep: the prefix once (3,136), then 91 distinct vectors x the remaining 48.
    expect(flops.pairSweep).toBe(3136 + 91 * 48);
    // Layer sweep: one shared full pass (3,184), then layers 2 + 3 (8 + 40) after hooks 0 and 1
    // and layer 3 (40) after hooks 2 and 3.
    expect(flops.layerSweep).toBe(3184 + 2 * 48 + 2 * 40);
  });

  it('counts the GELU network\'s pair sweep at each hidden hook: prefix products once, the rest per distinct vector', () => {
    // [784, 256, 128, 64, 10]: products 2*784*256 = 401,408; 2*256*128 = 65,536; 2*128*64 = 16,384; 2*64*10 = 1,280.
    const gelu = geluSweepFlops(1);
    // Hooks 0 and 1 (Linear 1, GELU 1): 401,408 once, then 91 x (65,536 + 16,384 + 1,280 = 83,200).
    expect(gelu.geluSweep0).toBe(401408 + 91 * 83200);
    expect(gelu.geluSweep1).toBe(gelu.geluSweep0);
    // Hooks 2 and 3: 466,944 once, 91 x 17,664. Hooks 4 and 5: 483,328 once, 91 x 1,280.
    expect(gelu.geluSweep3).toBe(466944 + 91 * 17664);
    expect(gelu.geluSweep5).toBe(483328 + 91 * 1280);
    expect(Object.keys(gelu)).toHaveLength(6);
    // The seed's layer-0 sweep is the same count as phaseFlops's.
    expect(pairSweepFlopsAt(sizes, 1, 1)).toBe(3136 + 91 * 48);
  });

  it('counts a training epoch of any Linear list: forward, weight gradients, input gradients of every Linear but the first, test passes', () => {
    // [784, 256, 128, 64, 10]: products 401,408 + 65,536 + 16,384 + 1,280 = 484,608 FLOPs per image.
    // Per training image 3 x 484,608 - 401,408 = 1,052,416; per test image 484,608.
    expect(geluTrainingFlops(1, 0)).toBe(1052416);
    expect(geluTrainingFlops(2, 3)).toBe(2 * 1052416 + 3 * 484608);
    // The seed-shaped count is phaseFlops's training figure.
    expect(trainingEpochFlops(sizes, 1, 1)).toBe(6368 + 48 + 3184);
  });

  it('reports each phase as GFLOP/s and a fraction of the measured sgemm rate', () => {
    const t = throughputOf({ sgemmGflops: 100, blas: 'OpenBLAS 0.3.21', threads: 2 }, { train: 150e9, pairSweep: 80e9 }, { train: 3, pairSweep: 1, layerSweep: 0 });
    expect(t.phases).toEqual({ train: { gflops: 50, fraction: 0.5 }, pairSweep: { gflops: 80, fraction: 0.8 } });
  });
});
