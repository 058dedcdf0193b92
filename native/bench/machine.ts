/**
 * What a benchmark ran on: the machine, the runtime and backend, and the code (version, commit).
 */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { tf } from '../util/tfjs.js';
import type { BackendReport } from '../backend/select.js';
import { APP_VERSION, APP_ROOT } from '../version.js';
import type { MachineInfo } from './types.js';

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.platform()}/${os.arch()})`,
    hostname: os.hostname(),
    node: process.version,
  };
}

/** A short, file-name-safe form of the host name ("my-laptop"), at most 24 characters. */
export function hostSlug(hostname: string = os.hostname()): string {
  const slug = hostname.toLowerCase().split('.')[0].replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
  return slug || 'host';
}

/** The short commit of the working tree and whether it had uncommitted changes; nulls without git. */
export function gitState(cwd: string = APP_ROOT): { commit: string | null; dirty: boolean | null } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    let dirty: boolean | null = null;
    try {
      dirty = git('status', '--porcelain', '--untracked-files=no').length > 0;
    } catch {
      dirty = null;
    }
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** tfjs flags that explain wasm speed; absent flags are left out. */
function backendFlags(): Record<string, boolean> {
  const flags: Record<string, boolean> = {};
  for (const name of ['WASM_HAS_SIMD_SUPPORT', 'WASM_HAS_MULTITHREAD_SUPPORT']) {
    try {
      if (tf.env().getFlags()[name] !== undefined || tf.getBackend() === 'wasm') flags[name] = tf.env().getBool(name);
    } catch {
      // The flag is not registered on this backend.
    }
  }
  return flags;
}

/** The runtime section of a SteerLab result: versions, backend choice and why others were skipped. */
export function runtimeInfo(backend: BackendReport, sweepThreads: number): Record<string, unknown> {
  return {
    steerlab: APP_VERSION,
    tfjs: tf.version_core,
    backend: backend.name,
    tfjsBackend: backend.tfjsBackend,
    forced: backend.forced,
    skipped: backend.skipped,
    ...(backend.native ? { native: backend.native } : {}),
    backendFlags: backendFlags(),
    sweepThreads,
  };
}
