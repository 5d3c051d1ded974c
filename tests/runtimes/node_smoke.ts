// Node on the built package, as a Node user gets it: `deno task build` (scripts/build_node.ts)
// into dist/, `npm pack` of dist/, and `npm install` of that tarball into a fresh project in a
// temporary directory outside the checkout. There:
//
// - tsc (Node's side: @types/node 20, `module: nodenext`, no skipLibCheck) type-checks
//   tests/runtimes/node_consumer.ts against the package's .d.ts files;
// - Node runs tests/runtimes/smoke.ts, bundled to plain JS with the library left out and
//   imported as "@imaplib/imaplib" from the installed package: always against a scripted
//   server over loopback TCP (tests/_scripted.ts, served by this script), and against the
//   Dovecot fixture when IMAPLIB_FIXTURE is set (as under `deno task test`);
// - examples/node/fetch_subjects.mjs is parsed by Node, and with the fixture run from the
//   checkout (against dist/, as the README shows) on a mailbox seeded here.
//
// A Deno script, not a test file: `deno run -A tests/runtimes/node_smoke.ts`. Needs `node`
// (20 or later) and `npm`/`npx` on PATH, and the npm registry (TypeScript, @types/node). The
// temporary directory is removed afterwards. Prints one line per check and a closing
// "N passed, N failed" line; exits 1 on a failure.

import { IMAP4 } from "../../mod.ts";
import { fixtureFromEnv } from "../../scripts/dovecot.ts";
import { buildNode, TYPESCRIPT } from "../../scripts/build_node.ts";
import { serve, ServerSide } from "../_scripted.ts";
import { assert, Checks } from "./_checks.ts";

/** Node's own types for the consumer check (pinned; Node 20 is the oldest runtime supported). */
const TYPES_NODE = "@types/node@20.19.43";
const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const info = fixtureFromEnv();
const text = new TextDecoder();
const checks = new Checks("node package");
const check = checks.check.bind(checks);

/**
 * Runs a command to completion within `ms`; returns its stdout, throws with its output on a
 * failure. `show` copies stdout to ours as well (the smoke's own check lines).
 */
async function output(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; ms?: number; show?: boolean } = {},
): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd: options.cwd ?? root,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.ms ?? 120_000),
  }).output();
  const stdout = text.decode(out.stdout);
  if (options.show) console.log(stdout.trimEnd().replace(/^/gm, "     "));
  if (out.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(" ")}: exit ${out.code}\n${text.decode(out.stderr)}${stdout}`,
    );
  }
  return stdout;
}

/**
 * A scripted server (tests/_scripted.ts) on a loopback TCP port: each connection's bytes are
 * bridged to a ServerSide that smoke.ts's scripted scenario talks to.
 */
function scriptedServer(): { port: number; close(): Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const sessions: Promise<void>[] = [];
  const session = async (conn: Deno.Conn) => {
    const server = new ServerSide();
    const up = conn.readable.pipeTo(server.transport.writable).catch(() => {});
    const down = server.transport.readable.pipeTo(conn.writable).catch(() => {});
    try {
      await serve(server, {
        capabilities: "IDLE",
        handlers: {
          FETCH: async (s, c) => {
            const header = "Subject: scripted\r\n\r\n";
            s.send(`* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {${header.length}}\r\n`);
            await new Promise((resolve) => setTimeout(resolve, 20)); // the literal arrives later
            s.send(header.slice(0, 5), header.slice(5), ")\r\n");
            s.line(`${c.tag} OK FETCH completed`);
          },
          IDLE: async (s, c) => {
            s.line("+ idling");
            s.line("* 3 EXISTS");
            const done = await s.readLine();
            s.line(done === "DONE" ? `${c.tag} OK IDLE terminated` : `${c.tag} BAD expected DONE`);
          },
        },
      });
    } catch (error) {
      console.log(`     scripted server: ${error instanceof Error ? error.message : error}`);
    } finally {
      server.end();
      await Promise.all([up, down]);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) sessions.push(session(conn));
    } catch {
      // the listener was closed
    }
  })();
  return {
    port: (listener.addr as Deno.NetAddr).port,
    close: async () => {
      listener.close();
      await accepting;
      await Promise.all(sessions);
    },
  };
}

const nodeVersion = (await output("node", ["--version"])).trim();
console.log(`     Node ${nodeVersion}, ${TYPESCRIPT}, ${TYPES_NODE}`);
if (Number(/^v(\d+)/.exec(nodeVersion)?.[1]) < 20) {
  throw new Error(`Node ${nodeVersion} on PATH; the package needs Node 20 or later`);
}
const tmp = await Deno.makeTempDir({ prefix: "imaplib-node-" });
const project = `${tmp}/project`;
const dist = `${root}/dist`;
let built = false;
let installed = false;
try {
  await check("deno task build: dist/ with .js, .d.ts and package.json", async () => {
    await buildNode(dist);
    const pkg = JSON.parse(await Deno.readTextFile(`${dist}/package.json`));
    assert(pkg.type === "module" && pkg.exports["."].types === "./mod.d.ts", "package.json");
    built = true;
  });

  if (built) {
    await check("npm pack of dist/, npm install of the tarball into a fresh project", async () => {
      const pack = ["pack", dist, "--json", "--ignore-scripts", "--pack-destination", tmp];
      const [packed] = JSON.parse(await output("npm", pack));
      await Deno.mkdir(project);
      await Deno.writeTextFile(
        `${project}/package.json`,
        JSON.stringify({ name: "imaplib-node-smoke", private: true, type: "module" }),
      );
      await output("npm", [
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        `${tmp}/${packed.filename}`,
        TYPESCRIPT,
        TYPES_NODE,
      ], { cwd: project });
      const where = await output("node", [
        "--input-type=module",
        "-e",
        'console.log(import.meta.resolve("@imaplib/imaplib"))',
      ], { cwd: project });
      assert(where.trim().startsWith(`file://${project}/node_modules/`), `resolved ${where}`);
      installed = true;
    });
  }

  if (installed) {
    await check("tsc: a Node consumer type-checks against the package's .d.ts", async () => {
      await Deno.copyFile(`${root}/tests/runtimes/node_consumer.ts`, `${project}/consumer.ts`);
      await Deno.writeTextFile(
        `${project}/tsconfig.json`,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module: "nodenext",
            target: "es2022",
            types: ["node"],
            skipLibCheck: false,
          },
          files: ["consumer.ts"],
        }),
      );
      await output(`${project}/node_modules/.bin/tsc`, ["-p", project], { cwd: project });
    });

    await check("node: smoke.ts on the installed package", async () => {
      await output(Deno.execPath(), [
        "bundle",
        "--quiet",
        "--format=esm",
        `--output=${project}/smoke.mjs`,
        "tests/runtimes/smoke.ts",
      ]);
      const bundle = await Deno.readTextFile(`${project}/smoke.mjs`);
      assert(!/\bclass IMAP4\b/.test(bundle), "the smoke bundle contains the library itself");
      const server = scriptedServer();
      try {
        const env: Record<string, string> = {
          IMAPLIB_SMOKE_MODULE: "@imaplib/imaplib",
          IMAPLIB_SMOKE_SCRIPTED: `127.0.0.1:${server.port}`,
        };
        await output("node", ["smoke.mjs"], { cwd: project, env, show: true });
      } finally {
        await server.close();
      }
      if (!info) console.log("     IMAPLIB_FIXTURE not set: the Dovecot checks did not run");
    });
  }

  await check("examples/node/fetch_subjects.mjs on Node from dist/", async () => {
    const example = "examples/node/fetch_subjects.mjs";
    await output("node", ["--check", example]);
    if (!info) {
      console.log("     IMAPLIB_FIXTURE not set: parsed by Node only, not run");
      return;
    }
    assert(built, "no dist/");
    const { user, password } = info.users[1];
    const box = `NodeExample-${Math.random().toString(36).slice(2, 10)}`;
    const M = await IMAP4.connect(info.host, info.imapPort, {
      starttls: true,
      tls: { caCerts: [info.caCertPem] },
      timeout: 10,
    });
    try {
      await M.login(user, password);
      await M.create(box);
      for (const subject of ["first from node", "second from node"]) {
        await M.append(box, null, null, `Subject: ${subject}\r\n\r\nbody\r\n`);
      }
      const stdout = await output("node", [example], {
        env: {
          IMAP_HOST: info.host,
          IMAP_PORT: String(info.imapPort),
          IMAP_USER: user,
          IMAP_PASSWORD: password,
          IMAP_CA_FILE: info.caCertPath,
          MAILBOX: box,
          COUNT: "5",
          IDLE_SECONDS: "1",
        },
        show: true,
      });
      assert(/\b1\s+first from node\b/.test(stdout), "first subject not printed");
      assert(/\b2\s+second from node\b/.test(stdout), "second subject not printed");
    } finally {
      await M.delete(box).catch(() => {});
      await M.logout();
    }
  });
} finally {
  await Deno.remove(tmp, { recursive: true });
}

console.log(checks.summary());
if (checks.failed) Deno.exit(1);
