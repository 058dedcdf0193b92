/**
 * Desktop document handling: the title shows the session name and an unsaved marker; replacing
 * an unsaved session asks first, and Cancel keeps it.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../mocks/electron.js'));

const { dialog, mockWindow } = await import('../mocks/electron.js');
const { Documents } = await import('../../electron/documents.js');
const { createFakeWorkbench } = await import('../api/fake-workbench.js');
type BrowserWindow = import('electron').BrowserWindow;

let window: ReturnType<typeof mockWindow>;
let workbench: ReturnType<typeof createFakeWorkbench>;
let documents: InstanceType<typeof Documents>;

beforeEach(() => {
  vi.clearAllMocks();
  window = mockWindow();
  workbench = createFakeWorkbench();
  documents = new Documents(workbench, window as unknown as BrowserWindow, () => documents.updateTitle());
});

describe('electron documents', () => {
  it('titles the window with the session name and marks unsaved changes', () => {
    documents.updateTitle();
    expect(window.title).toBe('Untitled — SteerLab');
    workbench.setNotes('changed');
    documents.updateTitle();
    expect(window.title).toBe('Untitled ● — SteerLab');
    expect(window.edited).toBe(true);
  });

  it('asks before discarding unsaved changes, and Cancel keeps the session', async () => {
    workbench.setNotes('changed');
    dialog.showMessageBox.mockResolvedValue({ response: 2 });
    await documents.newSession();
    expect(dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(workbench.session().notes).toBe('changed');
  });

  it('"Don’t Save" discards and starts a new session', async () => {
    workbench.setNotes('changed');
    dialog.showMessageBox.mockResolvedValue({ response: 1 });
    await documents.newSession();
    expect(workbench.session().notes).toBe('');
  });

  it('"Save" on a never-saved session asks for a file and saves with the extension', async () => {
    workbench.setNotes('changed');
    dialog.showMessageBox.mockResolvedValue({ response: 0 });
    dialog.showSaveDialog.mockResolvedValue({ canceled: false, filePath: '/tmp/exp' });
    expect(await documents.confirmDiscard('closing')).toBe(true);
    expect(workbench.session().path).toBe('/tmp/exp.steerlab');
    expect(window.title).toBe('exp.steerlab — SteerLab');
  });

  it('does not ask when there is nothing unsaved', async () => {
    expect(await documents.confirmDiscard('closing')).toBe(true);
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });
});
