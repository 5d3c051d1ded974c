/**
 * Work between two turns of the event loop, bounded in time: the connection's reads and the
 * code that handles a burst of responses ask {@linkcode TimeSlices.turnIfDue} whether the
 * current slice is used up, and if so await the turn it returns.
 *
 * @module
 */

/**
 * A turn of the event loop when the current slice of work is used up, else null: what
 * {@linkcode TimeSlices.turnIfDue} returns, for work done in parts.
 */
export type Turn = () => Promise<void> | null;

// When bytes keep arriving faster than they are processed, reads resolve at once (no wait,
// hence no turn of the loop), and the application's timers and I/O would starve until the burst
// ends (hundreds of ms for a bulk FETCH). After SLICE_MS of work the connection yields with
// setImmediate where the runtime has it (Deno 2, Bun, Node: ~90 µs on Deno, ~10 µs on Bun, and
// due timers run before it returns; a fresh setTimeout(0) would cost 1-2.5 ms). Elsewhere, a
// 0 ms timer armed at the start of each slice fires at the next turn of the loop; if it has not
// fired SLICE_MS later, the connection waits for it (due by then: one turn, not a fresh timer's
// delay). 4 ms rather than 8: with 8, the longest gap of a 5 ms application timer was
// 20.7-24.1 ms on Deno and 25-26 ms on Bun (GC and long chunks add to the slice); with 4,
// 11.5-15.9 ms and 20.6-21.4 ms, with no throughput cost measurable (bench/RESULTS.md,
// 2026-12-05 evening).
const SLICE_MS = 4;
const setImmediateOf = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;

/** The slices of one connection's work (see SLICE_MS). */
export class TimeSlices {
  // The slice in progress: when it started, its timer (undefined once fired), whether that
  // fired, and who waits for it.
  #sliceStart = 0;
  #turnTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #turned = true;
  #turnWaiter: (() => void) | null = null;
  #onTurn = () => {
    this.#turnTimer = undefined;
    this.#turned = true;
    const waiter = this.#turnWaiter;
    this.#turnWaiter = null;
    waiter?.();
  };

  /**
   * A turn of the event loop when the current slice of work has run SLICE_MS, else null (then
   * nothing to await). Called per chunk read, and by consumers of many responses between
   * responses (`fetchIter()`, `fetchMessages()`), whose time counts in the slice too: a
   * burst read at once is handed over in one go, and the code that handles it must let the
   * loop turn as the reading does.
   */
  turnIfDue(): Promise<void> | null {
    if (setImmediateOf) {
      if (performance.now() - this.#sliceStart < SLICE_MS) return null;
      return new Promise<void>((resolve) => setImmediateOf(resolve)).then(() => {
        this.#sliceStart = performance.now();
      });
    }
    if (!this.#turned && performance.now() - this.#sliceStart >= SLICE_MS) {
      return new Promise<void>((resolve) => {
        const before = this.#turnWaiter;
        this.#turnWaiter = before ? () => (before(), resolve()) : resolve;
      }).then(() => this.#newSlice());
    }
    if (this.#turned) this.#newSlice();
    return null;
  }

  /** Clears the slice's timer (the connection closes) and lets its waiters go on. */
  stop(): void {
    if (this.#turnTimer === undefined) return;
    clearTimeout(this.#turnTimer);
    this.#onTurn();
  }

  // Starts a slice: its time, and a 0 ms timer that fires at the next turn of the loop.
  #newSlice(): void {
    if (!this.#turned) return;
    this.#sliceStart = performance.now();
    this.#turned = false;
    this.#turnTimer = setTimeout(this.#onTurn, 0);
  }
}
