/**
 * Peak memory of a benchmark phase.
 *
 * A timer samples process.memoryUsage() every 50 ms (rss, heapUsed + arrayBuffers). The engine's
 * loops yield to the event loop only every few steps, so samples can miss a short peak; on Linux
 * the kernel's own high-water mark (VmHWM, reset at the phase start through /proc/self/clear_refs)
 * catches it, and the reported peak is the larger of the two. RSS is the whole process's,
 * including the sweep's helper threads.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { PhaseMemory } from './types.js';
import { startContentionMeter } from './contention.js';

const SAMPLE_EVERY_MS = 50;

/** The kernel's peak RSS in bytes since the last reset, or null off Linux. */
function kernelPeakRssBytes(): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resets VmHWM to the current RSS; false where that is not possible. */
function resetKernelPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export class MemorySampler {
  private peakRss = 0;
  private peakHeap = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;
  private kernelReset = false;

  /** Starts a new phase: resets the peaks and samples every 50 ms until `stop`. */
  start(): void {
    this.peakRss = 0;
    this.peakHeap = 0;
    this.samples = 0;
    this.kernelReset = resetKernelPeak();
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
  }

  private sample(): void {
    const usage = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, usage.rss);
    this.peakHeap = Math.max(this.peakHeap, usage.heapUsed + usage.arrayBuffers);
    this.samples++;
  }

  /** Ends the phase and returns its peaks. */
  stop(): PhaseMemory {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const kernel = this.kernelReset ? kernelPeakRssBytes() : null;
    return {
      peakRssBytes: Math.max(this.peakRss, kernel ?? 0),
      sampledPeakRssBytes: this.peakRss,
      sampledPeakHeapPlusArrayBuffersBytes: this.peakHeap,
      samples: this.samples,
    };
  }
}

/**
 * Runs `work` as one phase: its wall time in seconds, its memory peaks, and how many cores other
 * processes kept busy meanwhile (see contention.ts).
 */
export async function measurePhase<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number; memory: PhaseMemory; otherCpuCores: number }> {
  const sampler = new MemorySampler();
  sampler.start();
  const contention = startContentionMeter();
  const started = performance.now();
  try {
    const value = await work();
    const seconds = (performance.now() - started) / 1000;
    return { value, seconds, memory: sampler.stop(), otherCpuCores: contention() };
  } catch (error) {
    sampler.stop();
    throw error;
  }
}
