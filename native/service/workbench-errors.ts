/**
 * Errors the workbench throws that a front end turns into something other than a plain failure
 * (kept apart from workbench.ts so the API layer can recognise them without loading the engine).
 */
import path from 'node:path';

/** Save As to an existing file that is not the session's own, without `overwrite`. */
export class SessionFileExists extends Error {
  constructor(readonly file: string) {
    super(`"${path.basename(file)}" already exists; choose another name, or confirm that it should be replaced.`);
  }
}
