/**
 * How busy the rest of the machine was during a phase: CPU time spent by everything else, in
 * cores (0 = only this process ran; 1 = another process kept one core busy). Timings taken while
 * this is well above 0 are not comparable with quiet ones.
 */
import os from 'node:os';

/** Busy CPU milliseconds of the whole machine, all cores. */
function machineBusyMs(): number {
  return os.cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0);
}

/** Starts a measurement; the returned function gives the other processes' average cores busy since. */
export function startContentionMeter(): () => number {
  const busy0 = machineBusyMs();
  const own0 = process.cpuUsage();
  const wall0 = performance.now();
  return () => {
    const wallMs = performance.now() - wall0;
    const own = process.cpuUsage(own0);
    const ownMs = (own.user + own.system) / 1000;
    const others = (machineBusyMs() - busy0 - ownMs) / Math.max(wallMs, 1);
    return Math.max(0, Number(others.toFixed(2)));
  };
}
