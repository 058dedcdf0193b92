/**
 * Special files an attacker (or an accident) can put where SteerLab expects a data file: a FIFO
 * with no writer, a Unix socket, a symlink to an endless device, a folder. Used by the tests of
 * every reader of user-named files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface SpecialFiles {
  fifos: string[];
  socket: string;
  devZero: string;
  folder: string;
  close(): Promise<void>;
}

/** Makes `fifoCount` FIFOs, a listening socket, a symlink to /dev/zero and a folder in `dir`, each named `<stem>.<ext>`. */
export async function makeSpecialFiles(dir: string, ext: string, fifoCount = 4): Promise<SpecialFiles> {
  const fifos = Array.from({ length: fifoCount }, (_, i) => path.join(dir, `fifo${i}.${ext}`));
  for (const f of fifos) execFileSync('mkfifo', [f]);
  const devZero = path.join(dir, `zero.${ext}`);
  symlinkSync('/dev/zero', devZero);
  const folder = path.join(dir, `folder.${ext}`);
  mkdirSync(folder);
  const socket = path.join(dir, `socket.${ext}`);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { fifos, socket, devZero, folder, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
