/**
 * How a session is named in the Open dialog and the Recent menu: its name, when it was last saved
 * and which model it holds (from the file's header, native/session/session-listing.ts), so two
 * runs are told apart without opening them. Only formats the engine's fields.
 */
import type { RecentSession } from '../../../native/api/contract.js';
import { FORMAT } from '../config.js';

/** "saved 3 Dec 2026, 16:02 · model 784-32-32-10 · test accuracy 97.62 %"; "" when the header told nothing. */
export function recentDetails(r: RecentSession): string {
  const parts: string[] = [];
  if (r.savedAt) parts.push(`saved ${new Date(r.savedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}`);
  if (r.modelSizes) parts.push(`model ${r.modelSizes.join('-')}`);
  else if (r.savedAt) parts.push('no model');
  if (typeof r.testAccuracy === 'number') parts.push(`test accuracy ${FORMAT.accuracy(r.testAccuracy)}`);
  return parts.join(' · ');
}

/** One line for a menu: the name, then the details. */
export function recentLine(r: RecentSession): string {
  const details = recentDetails(r);
  return details ? `${r.name} — ${details}` : r.name;
}
