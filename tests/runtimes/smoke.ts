// A smoke run of the library on a runtime other than Deno (Bun, or Node on a bundle of this
// file), against the Dovecot fixture of `deno task test` (IMAPLIB_FIXTURE): STARTTLS verified,
// LOGIN, APPEND, SELECT, FETCH, IDLE woken by a second connection's APPEND, IMAP4_SSL, LOGOUT.
// Prints one line per check and a closing "N passed, N failed" line; exits 1 on a failure.

import { IMAP4, IMAP4_SSL, IMAP4_stream, IMAP4TlsError } from "../../mod.ts";

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

const info = JSON.parse(process.env.IMAPLIB_FIXTURE ?? "null");
if (!info) throw new Error("IMAPLIB_FIXTURE is not set: run through `deno task test`");
const runtime = (globalThis as { Bun?: { version: string } }).Bun
  ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `Node ${(globalThis as unknown as { process: { version: string } }).process.version}`;
const tls = { caCerts: [info.caCertPem] };
const { user, password } = info.users[1];
const text = new TextDecoder();
let passed = 0;
let failed = 0;

async function check(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
    passed++;
    console.log(`ok   ${runtime}: ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${runtime}: ${name}: ${error instanceof Error ? error.stack : error}`);
  }
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

const box = `Smoke-${Math.random().toString(36).slice(2, 10)}`;

await check("STARTTLS, LOGIN, APPEND, SELECT, FETCH, IDLE, LOGOUT", async () => {
  const M = await IMAP4.connect(info.host, info.imapPort, { starttls: true, tls, timeout: 10 });
  assert(!M.capabilities.includes("STARTTLS"), "capabilities not asked again over TLS");
  await M.login(user, password);
  await M.create(box);
  await M.append(box, "\\Seen", null, "Subject: smoke\r\n\r\nbody\r\n");
  const [, [exists]] = await M.select(box);
  assert(text.decode(exists as Uint8Array) === "1", "EXISTS after APPEND");
  const [, data] = await M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
  const pair = data[0] as [Uint8Array, Uint8Array];
  assert(text.decode(pair[1]) === "Subject: smoke\r\n\r\n", "FETCH literal");
  {
    await using idler = await M.idle({ duration: 5 });
    const other = await IMAP4.connect(info.host, info.imapPort, { starttls: true, tls });
    await other.login(user, password);
    await other.append(box, null, null, "Subject: during idle\r\n\r\nx\r\n");
    await other.logout();
    let woke = false;
    for await (const [type] of idler) {
      if (type === "EXISTS") {
        woke = true;
        break;
      }
    }
    assert(woke, "IDLE did not deliver EXISTS");
  }
  await M.close();
  await M.delete(box);
  const [bye] = await M.logout();
  assert(bye === "BYE", `LOGOUT answered ${bye}`);
});

await check("IMAP4_SSL verified; an unknown CA is an IMAP4TlsError", async () => {
  const S = await IMAP4_SSL.connect(info.host, info.imapsPort, { tls, timeout: 10 });
  await S.login(user, password);
  await S.logout();
  let refused = false;
  try {
    await IMAP4_SSL.connect(info.host, info.imapsPort, { timeout: 10 });
  } catch (error) {
    refused = error instanceof IMAP4TlsError;
  }
  assert(refused, "a certificate from an unknown CA was accepted");
});

await check("IMAP4_stream over Dovecot's preauthenticated imap binary", async () => {
  const command = info.streamCommandTemplate.replace("{user}", user);
  const P = await IMAP4_stream.connect(command, { stderr: "null", timeout: 10 });
  assert(P.state === "AUTH", `state ${P.state} after PREAUTH`);
  const [, [count]] = await P.status("INBOX", "(MESSAGES)");
  assert(/MESSAGES \d+/.test(text.decode(count as Uint8Array)), "STATUS over the pipe");
  const [bye] = await P.logout();
  assert(bye === "BYE", `LOGOUT answered ${bye}`);
});

console.log(`${runtime}: ${passed} passed, ${failed} failed`);
if (failed) process.exit(1);
