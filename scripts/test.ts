// The runner behind `deno task test`: prepares Dovecot (downloaded and unpacked into the
// checkout's `.fixture/`, never installed), starts the private fixture, then runs fmt --check,
// lint, check, the README's code blocks (type-checked), doc --lint, the doc examples and the
// tests (with IMAPLIB_FIXTURE set), then the runtime smokes (Bun, Node on the built package,
// workerd), and stops the fixture whatever happens. Exits with the first failing step's code.
// Last, it checks that the machine is as it was before (scripts/_machine.ts) and fails the run
// if it is not.
//
//   deno run -A scripts/test.ts                      # everything, tests/ for the tests
//   deno run -A scripts/test.ts tests/x_test.ts      # only that file (an existing path given)
//   deno run -A scripts/test.ts --filter idle        # tests/ with a filter
//
// Extra arguments go to `deno test`; `tests/` is added unless one of them is an existing path.
import {
  type DovecotFixture,
  FIXTURE_ENV,
  fixtureToEnv,
  prepareDovecot,
  shellQuote,
  startDovecot,
} from "./dovecot.ts";
import { opensslCommand } from "./_dovecot_config.ts";
import { checkMachineUnchanged, snapshotMachine } from "./_machine.ts";
import { which } from "./_process.ts";

const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
// Bun for the runtime smoke tests, from the npm registry (pinned).
const BUN = "bun@1.4.5";
const deno = Deno.execPath();

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path.startsWith("/") ? path : `${root}/${path}`);
    return true;
  } catch {
    return false;
  }
}

/** Whether `dir` holds any file `deno check` would look at. */
async function hasSources(dir: string): Promise<boolean> {
  for await (const e of Deno.readDir(dir)) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    if (e.isFile && /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(e.name)) return true;
    if (e.isDirectory && await hasSources(`${dir}/${e.name}`)) return true;
  }
  return false;
}

async function checkTargets(): Promise<string[]> {
  const out = [];
  for (const p of ["mod.ts", "scripts/", "tests/", "examples/", "bench/"]) {
    const full = `${root}/${p}`;
    if (!await exists(full)) continue;
    if (p.endsWith("/") && !await hasSources(full)) continue;
    out.push(p);
  }
  return out;
}

let current: Deno.ChildProcess | null = null;
let interrupted: Deno.Signal | null = null;

// Totals of every `deno test` summary line (`ok | 263 passed | 0 failed`), for the closing line.
const totals = { passed: 0, failed: 0 };
const SUMMARY = /\b(\d+) passed\b.*?\b(\d+) failed\b/;

// Copies a child's stdout to ours while reading the test summaries out of it.
async function relay(
  stdout: ReadableStream<Uint8Array>,
  sink: { write(bytes: Uint8Array): Promise<number> } = Deno.stdout,
): Promise<void> {
  const text = new TextDecoder();
  let pending = "";
  for await (const chunk of stdout) {
    await sink.write(chunk);
    pending += text.decode(chunk, { stream: true });
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      // deno colours its summary; strip the escapes (ESC [ ... m) before matching.
      const match = SUMMARY.exec(
        line.replace(new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g"), ""),
      );
      if (match) {
        totals.passed += Number(match[1]);
        totals.failed += Number(match[2]);
      }
      // bun test closes with ` N pass` and ` N fail` lines.
      const bun = /^\s*(\d+) (pass|fail)\s*$/.exec(line);
      if (bun) totals[bun[2] === "pass" ? "passed" : "failed"] += Number(bun[1]);
    }
  }
}

async function step(
  name: string,
  args: string[],
  env?: Record<string, string>,
  command: string = deno,
): Promise<number> {
  const shown = command === deno ? "deno" : command;
  console.error(`\n==> ${name}: ${shown} ${args.map(shellQuote).join(" ")}`);
  const t0 = performance.now();
  current = new Deno.Command(command, {
    args,
    cwd: root,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const [{ code, signal }] = await Promise.all([
    current.status,
    relay(current.stdout),
    relay(current.stderr, Deno.stderr),
  ]);
  current = null;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const result = code === 0 ? "ok" : `FAILED (exit ${code}${signal ? `, ${signal}` : ""})`;
  console.error(`==> ${name}: ${result} in ${secs} s`);
  return code;
}

async function main(extra: string[]): Promise<number> {
  let fixture: DovecotFixture | null = null;
  const onSignal = (sig: Deno.Signal) => () => {
    if (interrupted) return;
    interrupted = sig;
    console.error(`\n==> ${sig}: stopping`);
    try {
      current?.kill("SIGTERM");
    } catch {
      // already exited
    }
  };
  const handlers = (["SIGINT", "SIGTERM"] as const).map((sig) => [sig, onSignal(sig)] as const);
  for (const [sig, h] of handlers) Deno.addSignalListener(sig, h);
  try {
    console.error("==> dovecot: prepare (download and unpack into .fixture/ when needed), start");
    await prepareDovecot();
    if (interrupted) return 130;
    fixture = await startDovecot();
    if (interrupted) return 130;
    // Tests run openssl too: without a system one, the fixture's unpacked one (a wrapper script).
    const fixtureEnv: Record<string, string> = { [FIXTURE_ENV]: fixtureToEnv(fixture) };
    if (!await which("openssl")) {
      const openssl = await opensslCommand();
      fixtureEnv.PATH = `${openssl.slice(0, openssl.lastIndexOf("/"))}:${Deno.env.get("PATH")}`;
    }

    const testPaths = [];
    for (const a of extra) if (!a.startsWith("-") && await exists(a)) testPaths.push(a);
    const steps: [string, string[], Record<string, string>?, string?][] = [
      ["fmt", ["fmt", "--check"]],
      ["lint", ["lint"]],
    ];
    const targets = await checkTargets();
    // deno.json says "lock": false, so that `deno task` does not fetch the lockfile's npm
    // packages (fast-check, test-only) before every task; the steps that load the tests name it.
    if (targets.length > 0) steps.push(["check", ["check", "--lock=deno.lock", ...targets]]);
    // Every ```ts block of the README type-checks on its own, as a reader would copy it
    // ("@imaplib/imaplib" resolves to mod.ts through deno.json's name); nothing runs.
    steps.push(["readme blocks", ["check", "--doc-only", "README.md"]]);
    // Every public symbol documented (JSR), and every runnable doc example passes.
    steps.push(["doc lint", ["doc", "--lint", "mod.ts"]]);
    if (testPaths.length === 0) steps.push(["doc tests", ["test", "--doc", "mod.ts", "src/"]]);
    steps.push([
      "test",
      ["test", "-A", "--lock=deno.lock", ...extra, ...(testPaths.length > 0 ? [] : ["tests/"])],
      fixtureEnv,
    ]);
    if (testPaths.length === 0) {
      // The same test files under Bun's runner, the typed layer's parser tests included
      // (tests that need Deno's own APIs are skipped there, each with its reason;
      // fuzz_test.ts and typed/property_test.ts build fast-check's generators as they load,
      // through an `npm:` specifier, which Bun does not resolve).
      const portable = [];
      for (const dir of ["tests", "tests/typed"]) {
        for await (const entry of Deno.readDir(`${root}/${dir}`)) {
          if (
            entry.name.endsWith("_test.ts") && entry.name !== "fuzz_test.ts" &&
            entry.name !== "property_test.ts"
          ) {
            portable.push(`${dir}/${entry.name}`);
          }
        }
      }
      steps.push(["bun test", ["-y", BUN, "test", ...portable.sort()], fixtureEnv, "npx"]);
      // The library on Bun (from npm), against the same fixture.
      steps.push(["bun smoke", ["-y", BUN, "tests/runtimes/smoke.ts"], fixtureEnv, "npx"]);
      // On Node, the package as a Node user gets it: `deno task build` (dist/), npm pack and
      // install into a temporary project, tsc on a consumer, then the same smoke there (Node 20
      // runs no TypeScript), and examples/node/ run against dist/.
      steps.push(["node package", ["run", "-A", "tests/runtimes/node_smoke.ts"], fixtureEnv]);
      // examples/edge/worker.ts on workerd (from npm), through cloudflare:sockets.
      steps.push(["workerd smoke", ["run", "-A", "tests/runtimes/workerd_smoke.ts"], fixtureEnv]);
    }
    for (const [name, args, env, command] of steps) {
      const code = await step(name, args, env, command);
      if (interrupted) return 130;
      if (code !== 0) return code;
    }
    console.error("\n==> all steps passed");
    return 0;
  } finally {
    if (fixture) {
      try {
        await fixture.stop();
      } catch (e) {
        console.error(`==> stopping Dovecot failed: ${(e as Error).message}`);
      }
    }
    for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
  }
}

let exitCode: number;
const machine = await snapshotMachine();
try {
  exitCode = await main(Deno.args);
} catch (e) {
  console.error(`==> error: ${e instanceof Error ? e.message : String(e)}`);
  exitCode = 1;
}
if (!await checkMachineUnchanged(machine, "deno task test") && exitCode === 0) exitCode = 1;
// One plain closing line over every test step (unit, doc and integration tests).
console.log(`\ntests: ${totals.passed} passed, ${totals.failed} failed`);
Deno.exit(exitCode);
