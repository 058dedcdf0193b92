/** Words for the data panel (plain functions, tested without a page). */
import type { DataStatus } from '../../../native/service/workbench-types.js';

const MB = 1024 * 1024;

/** "Downloading train-images-idx3-ubyte.gz (file 1 of 4): 3.2 of 9.5 MB". */
export function downloadLine(status: Extract<DataStatus, { state: 'downloading' }>): string {
  const got = (status.receivedBytes / MB).toFixed(1);
  const size = status.totalBytes ? ` of ${(status.totalBytes / MB).toFixed(1)} MB` : ' MB';
  return `Downloading ${status.file} (file ${status.fileIndex} of ${status.fileCount}): ${got}${size}`;
}
