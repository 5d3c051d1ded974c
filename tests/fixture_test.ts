// Checks the real-server fixture that `deno task test` starts (scripts/dovecot.ts): the plain
// port greets and offers STARTTLS, and the preauthenticated stream command works.
import assert from "node:assert/strict";
import { denoOnly, test } from "./_harness.ts";
import { fixtureFromEnv, type FixtureInfo, streamCommandFor } from "../scripts/dovecot.ts";

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
