/**
 * The error every phase of a sweep throws when its AbortSignal fires (the vector phase in
 * vectors.ts as well as the passes over the test set in sweep.ts), so callers test for one class.
 */
export class SweepCancelled extends Error {
  constructor() {
    super('The sweep was cancelled; no results were kept.');
  }
}
