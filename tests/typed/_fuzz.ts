// The settings of the typed layer's property tests: FUZZ_RUNS (runs per property, default 200)
// and FUZZ_SEED (an integer, or `random`, which is then printed so that a failure can be
// replayed).

function env(name: string): string | undefined {
  try {
    return (globalThis as { Deno?: typeof Deno }).Deno?.env.get(name);
  } catch {
    return undefined; // no --allow-env
  }
}

/** Runs per property. */
export const RUNS: number = Number(env("FUZZ_RUNS") ?? 200);

/** The seed of every property of a file: FUZZ_SEED, or `fallback`. */
export function fuzzSeed(fallback: number): number {
  if (env("FUZZ_SEED") !== "random") return Number(env("FUZZ_SEED") ?? fallback);
  const seed = Math.floor(Math.random() * 0x7fffffff);
  console.log(`FUZZ_SEED=${seed}`);
  return seed;
}
