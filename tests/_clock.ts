// A fake Clock: time moves only when a test advances it, so minutes of IDLE take milliseconds.

import type { Clock } from "../mod.ts";

interface Timer {
  id: number;
  atMs: number;
  fn: () => void;
}

/** A {@linkcode Clock} whose time moves only through {@linkcode FakeClock.advance}. */
export class FakeClock implements Clock {
  #nowMs = 1_000_000;
  #timers: Timer[] = [];
  #nextId = 1;

  now(): number {
    return this.#nowMs;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const timer = { id: this.#nextId++, atMs: this.#nowMs + Math.max(0, ms), fn };
    this.#timers.push(timer);
    return timer.id;
  }

  clearTimer(handle: unknown): void {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and letting the code they wake run
   * (a macrotask turn after each) before the next one fires.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#nowMs + ms;
    for (;;) {
      await settle();
      this.#timers.sort((a, b) => a.atMs - b.atMs || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.atMs > target) break;
      this.#timers.shift();
      this.#nowMs = next.atMs;
      next.fn();
    }
    this.#nowMs = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O of the in-memory transport run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
