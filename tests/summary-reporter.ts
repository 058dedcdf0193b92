/**
 * Prints one plain closing line, "N passed, N failed, N skipped", after vitest's own report, so
 * CI logs (and tools that read them) see the totals in a fixed format.
 */
import type { Reporter, TestCase } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestCaseResult(testCase: TestCase): void {
    const state = testCase.result().state;
    if (state === 'passed') this.passed++;
    else if (state === 'failed') this.failed++;
    else if (state === 'skipped') this.skipped++;
  }

  onTestRunEnd(_modules: unknown, errors: ReadonlyArray<unknown>): void {
    // An unhandled error fails the run even when every test passed; count it so the line agrees.
    const failed = this.failed + errors.length;
    process.stdout.write(`\n${this.passed} passed, ${failed} failed, ${this.skipped} skipped\n`);
  }
}
