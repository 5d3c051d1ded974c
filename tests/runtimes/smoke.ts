// A smoke run of the library on a runtime other than Deno: Bun on the checkout's sources, and
// Node on the built npm package (tests/runtimes/node_smoke.ts bundles this file, installs
// dist/ into a temporary project and runs it there). Against the Dovecot fixture of
// `deno task test` (IMAPLIB_FIXTURE): STARTTLS verified, LOGIN, APPEND, SELECT, FETCH, IDLE
// woken by a second connection's APPEND, COMPRESS=DEFLATE, IMAP4_SSL, an unknown CA refused,
// IMAP4_stream, LOGOUT. With IMAPLIB_SMOKE_SCRIPTED=host:port, also against a scripted server over plain TCP
// (node_smoke.ts serves tests/_scripted.ts there), which needs no fixture.
// Written for Node 20 as well, which cannot parse `await using`: disposal is in `finally`.
// Prints one line per check and a closing "N passed, N failed" line; exits 1 on a failure.

import { assert, Checks } from "./_checks.ts";

declare const process: { env: Record<string, string | undefined>; exit(code: number): never };

// The library: the checkout's mod.ts, or the module IMAPLIB_SMOKE_MODULE names (Node:
// "@imaplib/imaplib", the package installed from dist/). A variable, so that bundling this
// file leaves the import alone.
const specifier = process.env.IMAPLIB_SMOKE_MODULE ?? "../../mod.ts";
const { compress, cramMd5Auth, IMAP4, IMAP4_SSL, IMAP4_stream, IMAP4TlsError, plainAuth } =
  await import(specifier) as typeof import("../../mod.ts");

const info = JSON.parse(process.env.IMAPLIB_FIXTURE ?? "null");
const scripted = process.env.IMAPLIB_SMOKE_SCRIPTED; // host:port
if (!info && !scripted) {
  throw new Error(
    "neither IMAPLIB_FIXTURE nor IMAPLIB_SMOKE_SCRIPTED is set: run through `deno task test`",
  );
}
const runtime = (globalThis as { Bun?: { version: string } }).Bun
  ? `Bun ${(globalThis as unknown as { Bun: { version: string } }).Bun.version}`
  : `Node ${(globalThis as unknown as { process: { version: string } }).process.version}`;
const text = new TextDecoder();
const checks = new Checks(runtime);
const check = checks.check.bind(checks);

console.log(`${runtime}: the library from ${specifier}`);

if (scripted) {
  // The scripted server (node_smoke.ts): LOGIN, SELECT (2 EXISTS), a FETCH whose literal
  // arrives in pieces, IDLE answered with `* 3 EXISTS`, LOGOUT. No TLS: none is needed to see
  // the runtime's socket transport carry the protocol.
  await check("scripted server over TCP: LOGIN, SELECT, FETCH, IDLE, LOGOUT", async () => {
    const [host, port] = scripted.split(":");
    const M = await IMAP4.connect(host, Number(port), { timeout: 10 });
    try {
      assert(M.capabilities.includes("IDLE"), `capabilities ${M.capabilities}`);
      await M.login("smoke", "secret");
      const [, [exists]] = await M.select("INBOX");
      assert(text.decode(exists as Uint8Array) === "2", "EXISTS from SELECT");
      const [, data] = await M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
      const pair = data[0] as [Uint8Array, Uint8Array];
      assert(text.decode(pair[1]) === "Subject: scripted\r\n\r\n", "FETCH literal");
      const idler = await M.idle({ duration: 5 });
      try {
        const next = await idler.next();
        assert(next?.[0] === "EXISTS", `IDLE delivered ${next?.[0]}, not EXISTS`);
        assert(text.decode(next[1][0] as Uint8Array) === "3", "EXISTS count");
      } finally {
        await idler.done(); // DONE, then the tagged reply
      }
    } finally {
      const [bye] = await M.logout();
      assert(bye === "BYE", `LOGOUT answered ${bye}`);
    }
  });
}

if (info) {
  const tls = { caCerts: [info.caCertPem] };
  const { user, password } = info.users[1];
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
    const idler = await M.idle({ duration: 5 });
    try {
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
    } finally {
      await idler.done();
    }
    await M.close();
    await M.delete(box);
    const [bye] = await M.logout();
    assert(bye === "BYE", `LOGOUT answered ${bye}`);
  });

  // COMPRESS=DEFLATE: Bun's and Node's CompressionStream hold output until closed, so the
  // library compresses with node:zlib there; this is that path against the real server.
  await check("COMPRESS=DEFLATE over STARTTLS: APPEND 1 MB, SELECT, FETCH, LOGOUT", async () => {
    const M = await IMAP4.connect(info.host, info.imapPort, { starttls: true, tls, timeout: 10 });
    const compressedBox = `${box}-z`;
    try {
      await M.login(user, password);
      await compress(M);
      await M.create(compressedBox);
      const body = "Subject: compressed\r\n\r\n" + "a line of mail text\r\n".repeat(50_000);
      const [appended] = await M.append(compressedBox, null, null, body);
      assert(appended === "OK", `APPEND answered ${appended}`);
      await M.select(compressedBox);
      const [, data] = await M.fetch("1", "(BODY.PEEK[])");
      const pair = data[0] as [Uint8Array, Uint8Array];
      assert(text.decode(pair[1]) === body, "FETCH of the compressed literal");
      await M.close();
      await M.delete(compressedBox);
    } finally {
      const [bye] = await M.logout();
      assert(bye === "BYE", `LOGOUT answered ${bye}`);
    }
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

  // Base64 in both directions (Node 20 has no Uint8Array.prototype.toBase64/fromBase64).
  await check("AUTHENTICATE PLAIN and CRAM-MD5 over IMAP4_SSL", async () => {
    const exchanges = [["PLAIN", plainAuth(user, password)], [
      "CRAM-MD5",
      cramMd5Auth(user, password),
    ]] as const;
    for (const [mechanism, auth] of exchanges) {
      const S = await IMAP4_SSL.connect(info.host, info.imapsPort, { tls, timeout: 10 });
      try {
        const [type] = await S.authenticate(mechanism, auth);
        assert(type === "OK", `AUTHENTICATE ${mechanism} answered ${type}`);
        assert(S.state === "AUTH", `state ${S.state} after AUTHENTICATE ${mechanism}`);
      } finally {
        await S.logout();
      }
    }
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
}

console.log(checks.summary());
if (checks.failed) process.exit(1);
