// One test API for every runtime: Deno.test under Deno (sanitizers on), bun:test under Bun.
// Test files import `test` from here instead of calling Deno.test directly, so the same files
// run under `deno test` and `bun test`.

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
