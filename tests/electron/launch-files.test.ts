/**
 * Session files from the OS (electron/launch-files.ts): which argument of a launch is the session
 * file and what path it names, and the queue that holds files until the workbench can open them.
 */
import { describe, expect, it } from 'vitest';
import { LaunchFileQueue, sessionFileIn } from '../../electron/launch-files.js';

const EXE = '/opt/SteerLab/steerlab';

describe('sessionFileIn', () => {
  it('decodes the file: URL a Linux .desktop entry passes for %U', () => {
    expect(sessionFileIn([EXE, 'file:///home/u/My%20run.steerlab'], '/')).toBe('/home/u/My run.steerlab');
    expect(sessionFileIn([EXE, 'file:///home/u/Caf%C3%A9%231.steerlab'], '/')).toBe('/home/u/Café#1.steerlab');
    expect(sessionFileIn([EXE, 'FILE://localhost/srv/x.steerlab'], '/')).toBe('/srv/x.steerlab');
  });

  it('takes a relative path from the launch’s working directory and keeps an absolute one', () => {
    expect(sessionFileIn([EXE, 'runs/a.steerlab'], '/home/u')).toBe('/home/u/runs/a.steerlab');
    expect(sessionFileIn([EXE, '/data/b.steerlab'], '/home/u')).toBe('/data/b.steerlab');
  });

  it('skips argv[0], flags, other files, other URL schemes and file: URLs of another host', () => {
    expect(sessionFileIn(['/x/weird.steerlab', '--inspect=x.steerlab', 'notes.txt', 'https://example.org/a.steerlab', 'file://server/share/c.steerlab'], '/h')).toBeNull();
    expect(sessionFileIn([EXE, '--flag', 'notes.txt', 'second.steerlab', 'third.steerlab'], '/h')).toBe('/h/second.steerlab');
    expect(sessionFileIn([EXE, 'file:///tmp/notes.txt'], '/h')).toBeNull();
  });
});

describe('LaunchFileQueue', () => {
  /** An opener that records files and finishes each only when the test says so. */
  function slowOpener() {
    const started: string[] = [];
    const finish: (() => void)[] = [];
    const open = (file: string) => {
      started.push(file);
      return new Promise<void>((resolve) => finish.push(resolve));
    };
    return { started, finish, open };
  }
  const tick = () => new Promise((resolve) => setImmediate(resolve));

  it('holds files until ready, then opens them in arrival order, one at a time', async () => {
    const queue = new LaunchFileQueue();
    queue.request('/a.steerlab');
    queue.request('/b.steerlab');
    expect(queue.waiting).toEqual(['/a.steerlab', '/b.steerlab']);
    const opener = slowOpener();
    void queue.ready(opener.open);
    expect(queue.waiting).toEqual([]);
    await tick();
    expect(opener.started).toEqual(['/a.steerlab']); // b waits: opening a may still be asking to save
    opener.finish[0]();
    await tick();
    expect(opener.started).toEqual(['/a.steerlab', '/b.steerlab']);
  });

  it('opens a file asked for after start-up straight away, and a failed open does not block the next', async () => {
    const queue = new LaunchFileQueue();
    const opened: string[] = [];
    await queue.ready(async (file) => {
      opened.push(file);
      if (file === '/bad.steerlab') throw new Error('corrupt');
    });
    queue.request('/bad.steerlab');
    queue.request('/good.steerlab');
    await tick();
    expect(opened).toEqual(['/bad.steerlab', '/good.steerlab']);
    expect(queue.waiting).toEqual([]);
  });
});
