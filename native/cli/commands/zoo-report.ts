/**
 * `steerlab zoo PLAN.json --out DIR --report REPORT_DIR [--report-only]`: the study report
 * (report.md and its plots, native/zoo/report-files.ts) of the zoo in DIR, written into REPORT_DIR
 * after the zoo finishes, or at once from the models finished so far with --report-only (which
 * trains nothing, so it can run beside a zoo in progress).
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import type { ZooPlan } from '../../zoo/plan.js';
import { writeZooReport, REPORT_FILE } from '../../zoo/report-files.js';

export interface ZooReportFlags {
  out: string;
  report?: string;
  reportOnly?: boolean;
}

/** Refuses --report-only without --report, and a --report that is not a folder, before any work. */
export function checkReportFlags(flags: ZooReportFlags): void {
  if (flags.reportOnly && !flags.report) throw new Error('--report-only needs --report DIR, the folder the report is written to.');
  const info = flags.report === undefined ? undefined : statSync(flags.report, { throwIfNoEntry: false });
  if (info && !info.isDirectory()) throw new Error(`--report ${flags.report} is not a folder; give a folder for report.md and its plots.`);
}

/** Writes the report; returns the line the CLI prints. */
export async function writeReportFor(planFile: string, plan: ZooPlan, flags: ZooReportFlags & { report: string }): Promise<string> {
  const command = `npx steerlab zoo ${planFile} --out ${flags.out} --report ${flags.report}`;
  const input = await writeZooReport({ zooDir: flags.out, outDir: flags.report, plan, command });
  const missing = input.cells.filter((c) => !c.done).length;
  return `report of ${input.models.length} models${missing > 0 ? ` (${missing} still to run)` : ''} written to ${path.join(flags.report, REPORT_FILE)}`;
}
