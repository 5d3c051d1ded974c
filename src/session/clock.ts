/**
 * The time source of a connection, injectable for tests.
 *
 * @module
 */

/**
 * The time source of a connection: every deadline and timer (the `timeout` option, IDLE
 * durations, keep-alive and watchdog) goes through it. Tests inject a fake one to run minutes
 * of IDLE in milliseconds.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (the default is `performance.now()`). */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a handle for `clearTimer`. */
  setTimer(fn: () => void, ms: number): unknown;
  /** Cancels a timer made by `setTimer`. */
  clearTimer(handle: unknown): void;
}

/** The real clock: `performance.now()` and the runtime's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
