// Checks the real-server fixture that `deno task test` starts (scripts/dovecot.ts): the plain
// port greets and offers STARTTLS, the preauthenticated stream command works, Dovecot and the
// stream imap run from the unpacked packages in mount namespaces of their own, and the machine
// check compares as it should.
import assert from "node:assert/strict";
import { denoOnly, test } from "./_harness.ts";
import { fixtureFromEnv, type FixtureInfo, streamCommandFor } from "../scripts/dovecot.ts";
import { compareMachine } from "../scripts/_machine.ts";
import { allPids, processTree, sameProcessAlive } from "../scripts/_process.ts";

function fixture(): FixtureInfo {
  const info = fixtureFromEnv();
  assert.ok(
    info,
    "IMAPLIB_FIXTURE is not set: run the tests with `deno task test` (scripts/test.ts starts " +
      "Dovecot and passes it to the tests)",
  );
  return info;
}

const decoder = new TextDecoder();

/** Reads until `done(text)` holds; throws on EOF. */
async function readUntil(conn: Deno.Conn, done: (text: string) => boolean): Promise<string> {
  const buf = new Uint8Array(8192);
  let text = "";
  while (!done(text)) {
    const n = await conn.read(buf);
    if (n === null) throw new Error(`connection closed; received so far: ${JSON.stringify(text)}`);
    text += decoder.decode(buf.subarray(0, n));
  }
  return text;
}

// Deno only: probes the fixture with Deno.connect.
test("fixture: plain port greets with * OK and offers STARTTLS", async () => {
  const info = fixture();
  const conn = await Deno.connect({ hostname: info.address, port: info.imapPort });
  try {
    const greeting = await readUntil(conn, (t) => t.includes("\r\n"));
    assert.match(greeting, /^\* OK /);
    let capabilities = /\[CAPABILITY ([^\]]*)\]/.exec(greeting)?.[1];
    if (capabilities === undefined) {
      await conn.write(new TextEncoder().encode("a1 CAPABILITY\r\n"));
      const reply = await readUntil(conn, (t) => /(^|\r\n)a1 /.test(t));
      capabilities = /^\* CAPABILITY (.*)$/m.exec(reply)?.[1];
    }
    assert.ok(capabilities, `no capabilities in ${JSON.stringify(greeting)}`);
    assert.ok(capabilities.split(" ").includes("STARTTLS"), `no STARTTLS in: ${capabilities}`);
    await conn.write(new TextEncoder().encode("a2 LOGOUT\r\n"));
    const bye = await readUntil(conn, (t) => /(^|\r\n)a2 /.test(t));
    assert.match(bye, /^\* BYE/m);
  } finally {
    conn.close();
  }
}, denoOnly);

// Deno only: runs the stream command with Deno.Command.
test("fixture: the stream command runs a preauthenticated imap", async () => {
  const info = fixture();
  const user = info.users[0].user;
  const child = new Deno.Command("sh", {
    args: ["-c", streamCommandFor(info, user)],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("a LOGOUT\r\n"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const out = decoder.decode(stdout);
  assert.match(out, new RegExp(`^\\* PREAUTH .*Logged in as ${user}\\r\\n`), out);
  assert.match(out, /\r\na OK /, out);
  assert.equal(code, 0, decoder.decode(stderr));
}, denoOnly);

/** The mount namespace and the mounts of a process, and the program it runs. */
async function procView(pid: number | "self") {
  const read = (f: string) => Deno.readTextFile(`/proc/${pid}/${f}`).catch(() => "");
  return {
    ns: await Deno.readLink(`/proc/${pid}/ns/mnt`).catch(() => ""),
    exe: await Deno.readLink(`/proc/${pid}/exe`).catch(() => ""),
    cmdline: (await read("cmdline")).split("\0"),
    // An overlay mounted on /usr, as the fixture mounts it.
    overlayUsr: (await read("mounts")).split("\n").some((l) => /^overlay \/usr overlay /.test(l)),
  };
}

// Deno only: reads /proc and spawns the stream command with Deno.Command.
test(
  "fixture: Dovecot and the stream imap run over the unpacked /usr in namespaces of their own",
  async () => {
    const info = fixture();
    const here = await procView("self");
    assert.equal(here.overlayUsr, false, "an overlay on /usr is visible outside the fixture");

    // The master: the dovecot whose -c names this fixture's configuration.
    let master = null;
    for (const pid of await allPids()) {
      const view = await procView(pid);
      if (view.exe === "/usr/sbin/dovecot" && view.cmdline.includes(info.configPath)) master = view;
    }
    assert.ok(master, `no Dovecot master with -c ${info.configPath}`);
    assert.notEqual(master.ns, here.ns);
    assert.ok(master.overlayUsr, "the master's namespace has no overlay on /usr");

    const child = new Deno.Command("sh", {
      args: ["-c", streamCommandFor(info, info.users[0].user)],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Read whole, so that a failure shows what the stream command said (it once printed
    // nothing, under heavy load, in a run that had four Dovecot fixtures at once).
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.getReader();
    let text = "";
    while (!text.includes("\r\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    if (!/^\* PREAUTH /.test(text)) {
      const { code } = await child.status;
      assert.fail(
        `no PREAUTH from the stream command (exit ${code}): ${JSON.stringify(text)}; ` +
          `stderr: ${JSON.stringify((await stderr).slice(0, 2000))}`,
      );
    }
    const tree = await processTree(child.pid);
    const views = await Promise.all(tree.map((p) => procView(p.pid)));
    const imap = views.find((v) => v.exe === "/usr/lib/dovecot/imap");
    assert.ok(imap, `no /usr/lib/dovecot/imap under the stream command: ${JSON.stringify(views)}`);
    assert.notEqual(imap.ns, here.ns);
    assert.notEqual(imap.ns, master.ns);
    assert.ok(imap.overlayUsr, "the stream imap's namespace has no overlay on /usr");

    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("a LOGOUT\r\n"));
    await writer.close();
    while (!(await reader.read()).done) { /* drain */ }
    assert.equal((await child.status).code, 0);
    await stderr;
    assert.deepEqual((await Promise.all(tree.map(sameProcessAlive))).filter(Boolean), []);
  },
  denoOnly,
);

test("fixture: the machine check lists what appeared and what went, part by part", () => {
  const before = { "packages": ["a 1 ii", "b 2 ii"], "/etc": ["/etc/x"] };
  assert.deepEqual(compareMachine(before, structuredClone(before)), []);
  const after = { "packages": ["b 2 ii", "c 3 ii"], "/etc": ["/etc/x"] };
  assert.deepEqual(compareMachine(before, after), ["packages: - a 1 ii", "packages: + c 3 ii"]);
});
