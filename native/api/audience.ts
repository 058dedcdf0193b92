/**
 * Every page connected to one workbench: a job's progress, its end and the workbench's own news
 * (data loading, autosave trouble) go to all of them, so a reloaded page or a second tab sees
 * the running job and can cancel it.
 *
 * A page is known by the `emit` its connection passes to `dispatch`. Pages are held weakly: a
 * closed connection's emit is dropped once nothing else references it, so a long-running server
 * does not accumulate dead pages. The page that started a job is also held strongly by that job
 * (`send`'s `also`), so it hears the end even if it is the only reference.
 */
import type { ApiEvent } from './contract.js';
import type { Workbench } from '../service/workbench-types.js';

/** Sends one event to a page. */
export type Emit = (event: ApiEvent) => void;

export class Audience {
  private readonly pages: WeakRef<Emit>[] = [];
  private readonly known = new WeakSet<Emit>();
  private readonly watched = new WeakSet<Workbench>();

  /** Adds a page (idempotent). */
  join(emit: Emit): void {
    if (this.known.has(emit)) return;
    this.known.add(emit);
    this.pages.push(new WeakRef(emit));
  }

  /** Forwards the workbench's pushed events to every page (once per workbench). */
  watch(workbench: Workbench): void {
    if (this.watched.has(workbench) || !workbench.onEvent) return;
    this.watched.add(workbench);
    workbench.onEvent((event) => this.send(event));
  }

  /** Sends `event` to every live page, and to `also` if it is not among them. */
  send(event: ApiEvent, also?: Emit): void {
    const targets = new Set<Emit>();
    for (let i = this.pages.length - 1; i >= 0; i--) {
      const emit = this.pages[i].deref();
      if (emit) targets.add(emit);
      else this.pages.splice(i, 1);
    }
    if (also) targets.add(also);
    for (const emit of targets) {
      try {
        emit(event);
      } catch {
        // One page's broken connection must not keep the event from the others.
      }
    }
  }

  /** Pages currently held (for tests). */
  get size(): number {
    return this.pages.filter((p) => p.deref() !== undefined).length;
  }
}
