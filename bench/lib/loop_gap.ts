// The event loop's responsiveness during one call: a 5 ms interval timer ticks in the same
// process, and the longest gap between its ticks is what a server or handler sharing the loop
// would have waited (from the call's start to the first tick, between ticks, and from the last
// tick to the end). Used by bench/typed_loop.ts and bench/append_loop.ts (Deno and Bun).

/** One call's time and the longest gap between the timer's ticks. */
export interface LoopSample {
  seconds: number;
  maxGapMs: number;
  ticks: number;
}

/** Runs `call` with a 5 ms interval timer ticking. */
export async function timedWithTimer(call: () => Promise<unknown>): Promise<LoopSample> {
  let last = performance.now();
  let maxGap = 0;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 5);
  const start = performance.now();
  last = start;
  try {
    await call();
  } finally {
    clearInterval(timer);
  }
  const end = performance.now();
  maxGap = Math.max(maxGap, end - last);
  return { seconds: (end - start) / 1000, maxGapMs: maxGap, ticks };
}
