// One test API for every runtime: Deno.test under Deno (sanitizers on), bun:test under Bun.
// Test files import `test` from here instead of calling Deno.test directly, so the same files
// run under `deno test` and `bun test`.

import assert from "node:assert/strict";

/** A test body. */
export type TestFn = () => void | Promise<void>;

interface TestOptions {
  /** Skip the test, with the reason in the test file. */
  ignore?: boolean;
}

type Register = (name: string, fn: TestFn, options?: TestOptions) => void;

const deno = (globalThis as { Deno?: typeof Deno }).Deno;

async function resolveRegister(): Promise<Register> {
  if (deno && typeof deno.test === "function") {
    return (name, fn, options) => deno.test({ name, fn, ignore: options?.ignore ?? false });
  }
  const specifier = "bun:test";
  const bun = await import(specifier);
  return (name, fn, options) => (options?.ignore ? bun.test.skip : bun.test)(name, fn);
}

const register: Register = await resolveRegister();

/** Registers a test with the running test runner. */
export function test(name: string, fn: TestFn, options?: TestOptions): void {
  register(name, fn, options);
}

/**
 * Options for a test that needs Deno's own APIs (its subprocess, listener or TLS server APIs,
 * the Dovecot fixture's start-up): it is skipped under Bun. Every use names the API in a
 * comment at the test.
 */
export const denoOnly: TestOptions = { ignore: deno === undefined };

/**
 * CPython's `assertRaises(cls)`, with an optional `assertRaisesRegex` pattern, for a promise: it
 * rejects with an instance of `cls` whose message matches `pattern`. Returns the error, for
 * checks of its other fields.
 */
export async function assertRaises<E extends Error>(
  promise: Promise<unknown>,
  cls: abstract new (...args: never[]) => E,
  pattern?: RegExp,
): Promise<E> {
  let caught: unknown;
  await assert.rejects(promise, (error: unknown) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${caught}`);
  if (pattern) assert.match(caught.message, pattern);
  return caught;
}

/** Resident memory in bytes, on Deno or on Bun/Node. */
export function rssBytes(): number {
  if (deno) return deno.memoryUsage().rss;
  return (globalThis as unknown as { process: { memoryUsage(): { rss: number } } }).process
    .memoryUsage().rss;
}
