// The runtime smoke runs' reporting: one line per check (`ok` or `FAIL`, with its time) and a
// closing "N passed, N failed" line. Runtime-neutral: smoke.ts runs it on Bun and Node too.

/** A sequence of named checks under one label (e.g. "node package", "Bun 1.4.5"). */
export class Checks {
  passed = 0;
  failed = 0;
  /** What every line starts with; may change once the runtime's version is known. */
  label: string;

  constructor(label: string) {
    this.label = label;
  }

  /** Runs `body`, printing `ok` or `FAIL` with the error; never throws. */
  async check(name: string, body: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    try {
      await body();
      this.passed++;
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`ok   ${this.label}: ${name} (${secs} s)`);
    } catch (error) {
      this.failed++;
      console.log(`FAIL ${this.label}: ${name}: ${error instanceof Error ? error.stack : error}`);
    }
  }

  /** The closing line. */
  summary(): string {
    return `${this.label}: ${this.passed} passed, ${this.failed} failed`;
  }
}

/** Throws `message` unless `condition` holds. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}
