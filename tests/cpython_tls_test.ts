// CPython 3.14's TLS test classes of Lib/test/test_imaplib.py, over real TLS: NewIMAPSSLTests and
// ThreadedNetworkedTestsSSL run the scenarios of NewIMAPTests and ThreadedNetworkedTests again
// with the server wrapped in an SSL context and the client an IMAP4_SSL with a verifying
// context. tests/cpython_test.ts runs those scenarios over the in-memory transport; this file
// runs them through a loopback `Deno.listenTls` server with a certificate made for the file.
//
// Each accepted TLS connection is bridged to a scripted `ServerSide` (tests/_scripted.ts): the
// bridge relays the client's decrypted bytes into the ServerSide's client end and the handler's
// bytes back, so the same port of CPython's SimpleIMAPHandler and its subclasses
// (tests/_cpython.ts, shared with tests/cpython_test.ts) serves over TLS. The client is
// `IMAP4_SSL.connect("localhost", port, { tls: { caCerts } })`, with certificate and host name
// verification on.
//
// Differences from the in-memory runs:
// - The client's bytes and its close reach the server asynchronously, so a check that the client
//   closed the connection waits for the bridge to see it (`clientGone`), and a check that a
//   refused call sent nothing makes a round trip (CAPABILITY) first and then looks at everything
//   the server received since.
// - What a handler sends in one step goes out in one TLS write (see `relayToClient`).
// - test_imaplib_timeout_functionality_test gives the failing client 0.5 s, not 0.001 s, which
//   would expire inside the TLS handshake, before the wait for the greeting the test is about.
//
// NewIMAPSSLTests.test_ssl_raises and the first half of ThreadedNetworkedTestsSSL.test_ssl_verified
// connect to 127.0.0.1, which CPython's keycert.pem does not name; a second leaf certificate
// here names only localhost, as keycert.pem does, to get the same IP address mismatch.

import assert from "node:assert/strict";
import {
  type Authenticator,
  DEFAULT_MAX_LINE_BYTES,
  IMAP4,
  IMAP4_SSL,
  IMAP4ConnectionError,
  IMAP4LimitError,
  IMAP4ProtocolError,
  IMAP4TimeoutError,
  IMAP4TlsError,
} from "../mod.ts";
import { EC, makeCa, openssl } from "./_certs.ts";
import { test } from "./_harness.ts";
import { ServerSide, str } from "./_scripted.ts";
import {
  AbortedAuthServer,
  assertRaises,
  assertTruncatedLiteralAbort,
  authenticators,
  AuthHandler_CRAM_MD5,
  BadAuthNameServer,
  BadNewlineHandler,
  bracketFlagHandler,
  encoder,
  EOFHandler,
  fake,
  fixtures,
  type HandlerClass,
  handlerOn,
  InvalidAuthServer,
  LsubCmd,
  MyAuthServer,
  NoEnableServer,
  passwords,
  type Served as ServedBase,
  SimpleIMAPHandler,
  timeoutHandler,
  TooLongHandler,
  TooLongHandler_MAXLINE,
  truncatedLiteralHandler,
  utf8AppendServer,
  UTF8Server,
} from "./_cpython.ts";

const deno = (globalThis as { Deno?: typeof Deno }).Deno;
// Deno.listenTls and openssl: Deno only.
const ignore = deno === undefined;

// ---- The certificates: a throwaway CA, a leaf for localhost and 127.0.0.1, a localhost-only leaf

interface KeyPair {
  cert: string;
  key: string;
}

interface Certificates {
  caPem: string;
  /** Names localhost and 127.0.0.1. */
  leaf: KeyPair;
  /** Names only localhost, as CPython's keycert.pem. */
  localhostOnly: KeyPair;
}

function leafExtensions(subjectAltName: string): string {
  return [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    `subjectAltName=${subjectAltName}`,
    "subjectKeyIdentifier=hash",
    "authorityKeyIdentifier=keyid,issuer",
    "",
  ].join("\n");
}

async function makeLeaf(dir: string, name: string, subjectAltName: string): Promise<KeyPair> {
  await Deno.writeTextFile(`${dir}/${name}.ext`, leafExtensions(subjectAltName));
  await openssl(
    [
      "req",
      "-new",
      ...EC,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      "/CN=localhost",
    ],
    dir,
  );
  await openssl([
    "x509",
    "-req",
    "-in",
    `${name}.csr`,
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    `${name}.pem`,
    "-days",
    "30",
    "-extfile",
    `${name}.ext`,
  ], dir);
  return {
    cert: await Deno.readTextFile(`${dir}/${name}.pem`),
    key: await Deno.readTextFile(`${dir}/${name}.key`),
  };
}

async function makeCertificates(dir: string): Promise<Certificates> {
  return {
    caPem: await makeCa(dir, "imaplib cpython_tls_test CA"),
    leaf: await makeLeaf(dir, "leaf", "DNS:localhost,IP:127.0.0.1"),
    localhostOnly: await makeLeaf(dir, "localhost-only", "DNS:localhost"),
  };
}

// Made once for the file, before the tests run; the directory goes when the module unloads.
let certificates: Certificates | null = null;
if (deno) {
  const dir = await deno.makeTempDir({ prefix: "imaplib-cpython-tls-" });
  addEventListener("unload", () => deno.removeSync(dir, { recursive: true }));
  certificates = await makeCertificates(dir);
}
const certs = (): Certificates => certificates!;

// ---- The TLS server: Deno.listenTls, each connection bridged to a ServerSide -----------------

/** One TLS server with one connection's handler, as CPython's SecureTCPServer + handler. */
interface Served extends ServedBase {
  /** The port on 127.0.0.1. */
  port: number;
  /**
   * Waits (up to 5 s) until the bridge has seen the client close the TLS connection, then
   * returns `s.closedByClient`.
   */
  clientGone(): Promise<boolean>;
}

/** Resolves with `promise`, or with `fallback` after `ms` (the timer is always cleared). */
async function within<T>(promise: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<T>((resolve) => timer = setTimeout(() => resolve(fallback), ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A macrotask turn, as a promise of `TURN`; `cancel` clears its timer. */
const TURN = Symbol("turn");
function nextTurn(): { promise: Promise<typeof TURN>; cancel: () => void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<typeof TURN>((resolve) => timer = setTimeout(() => resolve(TURN)));
  return { promise, cancel: () => clearTimeout(timer) };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/**
 * The handler's bytes to the client. What the handler sends in one step (a `* CAPABILITY`
 * line and its tagged OK) goes out as one write: a connection accepted by Deno keeps Nagle's
 * algorithm on, and no TlsConn can turn it off, so a second small write would wait for the
 * client's delayed ACK (some 40 ms a response). Ends with close_notify once the handler ended.
 */
async function relayToClient(readable: ReadableStream<Uint8Array>, conn: Deno.TlsConn) {
  const reader = readable.getReader();
  try {
    let next = reader.read();
    for (let done = false; !done;) {
      const first = await next;
      if (first.done) break;
      const batch = [first.value];
      for (;;) {
        next = reader.read();
        const turn = nextTurn();
        const more = await Promise.race([next, turn.promise]);
        turn.cancel();
        if (more === TURN) break;
        if (more.done) {
          done = true;
          break;
        }
        batch.push(more.value);
      }
      const bytes = concat(batch);
      for (let written = 0; written < bytes.length;) {
        written += await conn.write(bytes.subarray(written));
      }
    }
    await conn.closeWrite();
  } catch {
    // The client is gone (its EOF closed the connection, or a reset): the ServerSide sees its
    // client end close.
    await reader.cancel().catch(() => {});
  }
}

/**
 * Relays between an accepted TLS connection and `s`: the client's bytes go into `s.transport`'s
 * writable (what the handler reads), the handler's bytes from its readable into the connection.
 * When the handler ends, the server sends close_notify (EOF for the client); when the client
 * closes (EOF or a TLS error), the ServerSide sees its client end close. `done` resolves once
 * both directions have ended and the connection is closed; `inbound` when the client's side
 * has ended.
 */
function bridge(
  conn: Deno.TlsConn,
  s: ServerSide,
): { inbound: Promise<void>; done: Promise<void> } {
  // A read error (the client's alert, a reset) aborts the writable: closedByClient as well.
  const inbound = conn.readable.pipeTo(s.transport.writable).catch(() => {});
  const outbound = relayToClient(s.transport.readable, conn);
  const done = Promise.all([inbound, outbound]).then(() => {
    try {
      conn.close();
    } catch {
      // Closed by the readable at EOF or on an error.
    }
  });
  return { inbound, done };
}

/**
 * A TLS server on 127.0.0.1 serving one connection with `handler` (CPython's
 * `reaped_server(handler)` and `_setup(handler, connect=False)`); `body` makes the connection.
 * Afterwards the listener is closed, the connection ends (forced if the client left it open)
 * and the handler is awaited.
 */
async function withServer(
  handler: HandlerClass,
  body: (served: Served) => Promise<void>,
  keyPair: KeyPair = certs().leaf,
): Promise<void> {
  const s = new ServerSide();
  const { server, handle } = handlerOn(handler, s);
  // The handler runs once a connection is accepted, as CPython's handler class does.
  let serving: Promise<void> = Promise.resolve();
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...keyPair });
  const accepted: { conn: Deno.TlsConn; inbound: Promise<void>; done: Promise<void> }[] = [];
  const inboundEnded = Promise.withResolvers<void>();
  const accepting = listener.accept().then((conn) => {
    serving = handle();
    const bridged = bridge(conn, s);
    accepted.push({ conn, ...bridged });
    bridged.inbound.then(inboundEnded.resolve);
  }, () => {
    // The listener closed before a client came.
    inboundEnded.resolve();
  }).finally(() => {
    try {
      listener.close();
    } catch {
      // already closed
    }
  });
  const served: Served = {
    port: listener.addr.port,
    s,
    server,
    async clientGone() {
      await within(inboundEnded.promise, 5000, undefined);
      return s.closedByClient;
    },
  };
  let failed = false;
  try {
    await body(served);
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    try {
      listener.close();
    } catch {
      // closed after the accept
    }
    await accepting;
    for (const { conn, done } of accepted) {
      // A client left open (a failed test) must not hang the file: force the close.
      if (!(await within(done.then(() => true), 3000, false))) {
        try {
          conn.close();
        } catch {
          // closed meanwhile
        }
        await done;
      }
    }
    await serving.catch((error) => {
      if (!failed) throw error;
    });
  }
}

/** `imap_class("localhost", port, ssl_context=...)`: IMAP4_SSL verifying against the test CA. */
function imapClass(served: Served, options: Parameters<typeof IMAP4_SSL.connect>[2] = {}) {
  return IMAP4_SSL.connect("localhost", served.port, {
    tls: { caCerts: [certs().caPem] },
    timeout: 5,
    ...options,
  });
}

/**
 * "Nothing is sent" over TLS: bytes may still be in flight when the refused call returns, so a
 * CAPABILITY round trip follows and the server must have received only that since `before`.
 */
async function assertNothingSentSince(client: IMAP4, s: ServerSide, before: number) {
  await client.capability();
  assert.match(str(s.received.subarray(before)), /^[A-P]{4}\d+ CAPABILITY\r\n$/);
}

// NewIMAPSSLTests (client shut down afterwards) and ThreadedNetworkedTestsSSL (client logged out
// afterwards, reaped_pair): the TLS classes of CPython, with their fixtures.
const { withSetup, withPair, CLASSES } = fixtures(withServer, (served) => imapClass(served), [
  "NewIMAPSSLTests",
  "ThreadedNetworkedTestsSSL",
]);

// ---- Certificates: NewIMAPSSLTests and ThreadedNetworkedTestsSSL -----------------------------

/** The IP address mismatch of CPython's tests: 127.0.0.1 against a localhost-only certificate. */
async function assertIpMismatch(served: Served): Promise<void> {
  const error = await assertRaises(
    IMAP4_SSL.connect("127.0.0.1", served.port, {
      tls: { caCerts: [certs().caPem] },
      timeout: 5,
    }),
    IMAP4TlsError,
    /127\.0\.0\.1/,
  );
  // CPython: ssl.CertificateError "IP address mismatch, certificate is not valid for
  // '127.0.0.1'". Ours: IMAP4TlsError (an IMAP4.abort) with rustls' reason.
  assert.ok(error instanceof IMAP4.abort);
  assert.match(error.message, /not valid for name|NotValidForName/i);
  // The handler never got a line: the handshake failed before the greeting was read.
  assert.ok(await served.clientGone());
  assert.equal(served.s.received.length, 0);
}

test(
  "test_ssl_raises (TLS, NewIMAPSSLTests): 127.0.0.1 against a localhost-only certificate, an untrusted CA",
  async () => {
    await withServer(SimpleIMAPHandler, assertIpMismatch, certs().localhostOnly);
    // The other failures a verifying context must report: no trusted CA, and a host name the
    // certificate does not name (connecting to 127.0.0.1, verifying another name).
    await withServer(SimpleIMAPHandler, async (served) => {
      const error = await assertRaises(
        IMAP4_SSL.connect("localhost", served.port, { timeout: 5 }),
        IMAP4TlsError,
        /UnknownIssuer|unknown issuer/i,
      );
      assert.ok(error instanceof IMAP4.abort);
      assert.ok(await served.clientGone());
      assert.equal(served.s.received.length, 0);
    });
    await withServer(SimpleIMAPHandler, async (served) => {
      await assertRaises(
        IMAP4_SSL.connect("127.0.0.1", served.port, {
          tls: { caCerts: [certs().caPem], hostname: "imap.example.org" },
          timeout: 5,
        }),
        IMAP4TlsError,
        /imap\.example\.org.*(not valid for name|NotValidForName)/i,
      );
      assert.ok(await served.clientGone());
    });
  },
  { ignore },
);

test(
  "test_ssl_verified (TLS, NewIMAPSSLTests): localhost verifies against the CA; shutdown()",
  async () => {
    await withServer(SimpleIMAPHandler, async (served) => {
      const client = await imapClass(served);
      assert.equal(client.state, "NONAUTH");
      await client.shutdown();
      assert.ok(await served.clientGone());
    }, certs().localhostOnly);
  },
  { ignore },
);

test(
  "test_ssl_verified (TLS, ThreadedNetworkedTestsSSL): 127.0.0.1 fails, then localhost verifies",
  async () => {
    await withServer(SimpleIMAPHandler, assertIpMismatch, certs().localhostOnly);
    await withServer(SimpleIMAPHandler, async (served) => {
      const client = await imapClass(served);
      assert.equal(str(client.welcome), "* OK IMAP4rev1");
      await client.shutdown();
      assert.ok(await served.clientGone());
    }, certs().localhostOnly);
  },
  { ignore },
);

// ---- Connecting: greetings and framing -------------------------------------------------------

test(
  "test_connect (TLS): connect reads the greeting and CAPABILITY; shutdown() closes",
  async () => {
    await withServer(SimpleIMAPHandler, async (server) => {
      const client = await imapClass(server);
      assert.ok(client instanceof IMAP4_SSL);
      assert.equal(client.state, "NONAUTH");
      assert.equal(str(client.welcome), "* OK IMAP4rev1");
      assert.deepEqual(client.capabilities, ["IMAP4REV1"]);
      await client.shutdown();
      assert.ok(await server.clientGone());
      assert.match(server.s.receivedText, /^[A-P]{4}0 CAPABILITY\r\n$/);
    });
  },
  { ignore },
);

test(
  "test_EOF_without_complete_welcome_message (TLS): EOF inside the greeting is an abort",
  async () => {
    await withServer(EOFHandler, async (server) => {
      await assertRaises(imapClass(server), IMAP4.abort);
      assert.ok(await server.clientGone());
    });
  },
  { ignore },
);

test(
  "test_issue5949 (TLS): EOF (close_notify) without a complete welcome message is an abort",
  async () => {
    await withServer(EOFHandler, async (server) => {
      // Ours: the abort is IMAP4ConnectionError "socket error: EOF", as over the plain transport:
      // the server's close_notify is a clean EOF.
      await assertRaises(imapClass(server), IMAP4ConnectionError, /EOF/);
      assert.ok(await server.clientGone());
    });
  },
  { ignore },
);

for (const name of CLASSES.map(([name]) => name)) {
  test(
    `test_line_termination (TLS, ${name}): a CAPABILITY line ending in bare LF aborts`,
    async () => {
      await withServer(BadNewlineHandler, async (server) => {
        const error = await assertRaises(imapClass(server), IMAP4.abort);
        // Ours: IMAP4ProtocolError, an IMAP4.abort naming the bare LF; the connection is closed.
        assert.ok(error instanceof IMAP4ProtocolError, String(error));
        assert.match(error.message, /bare LF/);
        assert.ok(await server.clientGone());
      });
    },
    { ignore },
  );
}

test(
  "test_linetoolong (TLS, NewIMAPSSLTests): a line over maxLineBytes 10 is IMAP4LimitError",
  async () => {
    // CPython patches `imaplib._MAXLINE` to 10; ours is the per-instance `maxLineBytes`.
    await withServer(TooLongHandler, async (server) => {
      const error = await assertRaises(
        imapClass(server, { maxLineBytes: 10 }),
        IMAP4.error,
        /maxLineBytes exceeded: \d+ bytes, limit 10$/,
      );
      assert.ok(error instanceof IMAP4LimitError);
      assert.equal(error.limitBytes, 10);
      assert.ok(error.sizeBytes > 10);
      assert.ok(await server.clientGone());
    });
  },
  { ignore },
);

test(
  "test_linetoolong (TLS, ThreadedNetworkedTestsSSL): a line past the default limit is refused",
  async () => {
    // CPython sends `b'* OK ' + _MAXLINE * b'x'` against its default `_MAXLINE`; ours is the
    // default `maxLineBytes` (8 MiB), which the line crosses over some 500 TLS records of 16 KiB.
    await withServer(TooLongHandler_MAXLINE, async (server) => {
      const error = await assertRaises(imapClass(server), IMAP4.error);
      assert.ok(error instanceof IMAP4LimitError, String(error));
      assert.equal(error.limitName, "maxLineBytes");
      assert.equal(error.limitBytes, DEFAULT_MAX_LINE_BYTES);
      assert.ok(await server.clientGone());
    });
  },
  { ignore },
);

test(
  "test_truncated_large_literal (TLS): greetings announcing literals of 2**15..2**63 bytes, then EOF, abort",
  async () => {
    // As in tests/cpython_test.ts: up to maxLiteralBytes (2**27) the EOF is IMAP4ConnectionError,
    // above it IMAP4LimitError, from 2**53 on IMAP4ProtocolError; all are IMAP4.abort. The sizes
    // are those around each boundary and the ends of CPython's range.
    for (const exponent of [15, 16, 26, 27, 28, 52, 53, 54, 63]) {
      await withServer(truncatedLiteralHandler(1n << BigInt(exponent)), async (server) => {
        const error = await assertRaises(imapClass(server), IMAP4.abort);
        assertTruncatedLiteralAbort(error, exponent);
        assert.ok(await server.clientGone(), `size=2**${exponent}: connection left open`);
      });
    }
  },
  { ignore },
);

test(
  "test_imaplib_timeout_functionality_test (TLS): a greeting later than the timeout times out",
  async () => {
    // CPython's TimeoutHandler sleeps 1 s before SimpleIMAPHandler.handle; the first client (from
    // _setup) waits for the greeting without a timeout, a second one with timeout=0.001 fails.
    // Here 0.001 s would expire inside the TLS handshake, in connect() instead of the wait for
    // the greeting, so the second client has 0.5 s: the handshake completes, the greeting does
    // not come in time. Ours: IMAP4TimeoutError (an IMAP4.abort), the connection closed.
    const TimeoutHandler = timeoutHandler(1000);
    await withServer(TimeoutHandler, async (first) => {
      const connecting = imapClass(first);
      connecting.catch(() => {}); // awaited below
      await withServer(TimeoutHandler, async (second) => {
        const error = await assertRaises(imapClass(second, { timeout: 0.5 }), IMAP4TimeoutError);
        assert.doesNotMatch(error.message, /connect/);
        assert.ok(await second.clientGone());
        assert.equal(second.s.received.length, 0);
      });
      const client = await connecting;
      assert.equal(client.state, "NONAUTH");
      await client.shutdown();
    });
  },
  { ignore },
);

// ---- with statements -------------------------------------------------------------------------

for (const name of CLASSES.map(([name]) => name)) {
  test(
    `test_simple_with_statement (TLS, ${name}): leaving an 'await using' scope logs out`,
    async () => {
      await withServer(SimpleIMAPHandler, async (server) => {
        {
          await using _imap = await imapClass(server);
        }
        assert.match(server.s.receivedText, /^[A-P]{4}0 CAPABILITY\r\n[A-P]{4}1 LOGOUT\r\n$/);
        assert.ok(await server.clientGone());
      });
    },
    { ignore },
  );

  test(
    `test_with_statement (TLS, ${name}): login inside the scope, LOGOUT at its end`,
    async () => {
      await withServer(SimpleIMAPHandler, async (server) => {
        {
          await using imap = await imapClass(server);
          await imap.login("user", "pass");
          assert.equal(server.server.logged, "user");
        }
        assert.equal(server.server.logged, null);
        assert.ok(await server.clientGone());
      });
    },
    { ignore },
  );

  test(
    `test_with_statement_logout (TLS, ${name}): an explicit logout() inside the scope is legal`,
    async () => {
      // It is legal to log out explicitly inside the with block
      await withServer(SimpleIMAPHandler, async (server) => {
        {
          await using imap = await imapClass(server);
          await imap.login("user", "pass");
          assert.equal(server.server.logged, "user");
          await imap.logout();
          assert.equal(server.server.logged, null);
        }
        assert.equal(server.server.logged, null);
        assert.ok(await server.clientGone());
        // Scope exit after logout() sends nothing more.
        assert.equal(server.s.receivedText.match(/ LOGOUT\r\n/g)?.length, 1);
      });
    },
    { ignore },
  );
}

// ---- ENABLE and UTF-8 mode -------------------------------------------------------------------

for (const [name, setup] of CLASSES) {
  test(
    `test_enable_raises_error_if_not_AUTH (TLS, ${name}): ENABLE in NONAUTH is an error`,
    async () => {
      await setup(UTF8Server, async ({ client }) => {
        assert.equal(client.utf8_enabled, false);
        await assertRaises(client.enable("foo"), IMAP4.error, /ENABLE.*NONAUTH/);
        assert.equal(client.utf8_enabled, false);
      });
    },
    { ignore },
  );

  test(
    `test_enable_raises_error_if_no_capability (TLS, ${name}): 'does not support ENABLE'`,
    async () => {
      // NewIMAPSSLTests uses SimpleIMAPHandler, ThreadedNetworkedTestsSSL a UTF8Server with 'AUTH'.
      const handler = name === "NewIMAPSSLTests" ? SimpleIMAPHandler : NoEnableServer;
      await setup(handler, async ({ client, s }) => {
        const before = s.received.length;
        await assertRaises(client.enable("foo"), IMAP4.error, /does not support ENABLE/);
        await assertNothingSentSince(client, s, before);
      });
    },
    { ignore },
  );

  test(
    `test_enable_UTF8_raises_error_if_not_supported (TLS, ${name}): after login, still refused`,
    async () => {
      await setup(SimpleIMAPHandler, async ({ client }) => {
        const [typ] = await client.login("user", "pass");
        assert.equal(typ, "OK");
        await assertRaises(client.enable("UTF8=ACCEPT"), IMAP4.error, /does not support ENABLE/);
      });
    },
    { ignore },
  );

  test(
    `test_enable_UTF8_True_append (TLS, ${name}): UTF-8 mode after ENABLE; APPEND as literal8`,
    async () => {
      const UTF8AppendServer = utf8AppendServer(
        name === "NewIMAPSSLTests" ? "ENABLE UTF8=ACCEPT" : UTF8Server.capabilities,
      );
      await setup(UTF8AppendServer, async ({ client, server, s }) => {
        assert.equal(client.utf8_enabled, false);
        const [code] = await client.authenticate("MYAUTH", fake);
        assert.equal(code, "OK");
        assert.equal(str(server.response), "ZmFrZQ==\r\n"); // b64 encoded 'fake'
        const [code2] = await client.enable("UTF8=ACCEPT");
        assert.equal(code2, "OK");
        assert.equal(client.utf8_enabled, true);
        const msg = encoder.encode("Subject: üñí©öðé");
        const [typ] = await client.append(null, null, null, msg);
        assert.equal(typ, "OK");
        // Ours (RFC 6855, as in tests/cpython_test.ts): `APPEND INBOX UTF8 (~{N}`, the message as
        // the literal, then `)` and CRLF, so the handler's line after `+` is msg + b')\r\n'.
        assert.ok(
          s.receivedText.includes(` APPEND INBOX UTF8 (~{${msg.length}}\r\n`),
          s.receivedText,
        );
        assert.deepEqual(server.response, new Uint8Array([...msg, ...encoder.encode(")\r\n")]));
      });
    },
    { ignore },
  );

  test(
    `test_search_disallows_charset_in_utf8_mode (TLS, ${name}): a charset is an error`,
    async () => {
      await setup(UTF8Server, async ({ client, s }) => {
        const [typ] = await client.authenticate("MYAUTH", fake);
        assert.equal(typ, "OK");
        const [typ2] = await client.enable("UTF8=ACCEPT");
        assert.equal(typ2, "OK");
        assert.equal(client.utf8_enabled, true);
        const before = s.received.length;
        await assertRaises(client.search("foo", "bar"), IMAP4.error, /charset.*UTF8/);
        await assertNothingSentSince(client, s, before);
      });
    },
    { ignore },
  );
}

// ---- AUTHENTICATE and CRAM-MD5 ---------------------------------------------------------------

for (const [name, setup] of CLASSES) {
  test(
    `test_bad_auth_name (TLS, ${name}): NO to AUTHENTICATE raises the server's text`,
    async () => {
      await setup(BadAuthNameServer, async ({ client }) => {
        const never: Authenticator = () => {
          throw new Error("the authobject must not be called");
        };
        const error = await assertRaises(
          client.authenticate("METHOD", never),
          IMAP4.error,
          /^unrecognized authentication type METHOD$/,
        );
        assert.ok(!(error instanceof IMAP4.abort));
        assert.equal(client.state, "NONAUTH");
      });
    },
    { ignore },
  );

  test(
    `test_invalid_authentication (TLS, ${name}): NO after the exchange raises its text`,
    async () => {
      await setup(InvalidAuthServer, async ({ client }) => {
        await assertRaises(
          client.authenticate("MYAUTH", fake),
          IMAP4.error,
          /\[AUTHENTICATIONFAILED\] invalid/,
        );
      });
    },
    { ignore },
  );

  test(
    `test_aborted_authentication (TLS, ${name}): an authobject returning null cancels with '*'`,
    async () => {
      await setup(AbortedAuthServer, async ({ client }) => {
        await assertRaises(
          client.authenticate("MYAUTH", () => null),
          IMAP4.error,
          /\[AUTHENTICATIONFAILED\] aborted/,
        );
      });
    },
    { ignore },
  );
}

for (const [kind, authobject] of authenticators) {
  test(
    `test_valid_authentication_${kind} (TLS): the answer goes base64-encoded, 'ZmFrZQ=='`,
    async () => {
      await withSetup(MyAuthServer, async ({ client, server }) => {
        const [code] = await client.authenticate("MYAUTH", authobject);
        assert.equal(code, "OK");
        assert.equal(str(server.response), "ZmFrZQ==\r\n"); // b64 encoded 'fake'
        assert.equal(client.state, "AUTH");
      });
    },
    { ignore },
  );
}

test(
  "test_valid_authentication (TLS, ThreadedNetworkedTestsSSL): bytes and str answers, 'ZmFrZQ=='",
  async () => {
    for (const [, authobject] of authenticators) {
      await withPair(MyAuthServer, async ({ client, server }) => {
        const [code] = await client.authenticate("MYAUTH", authobject);
        assert.equal(code, "OK");
        assert.equal(str(server.response), "ZmFrZQ==\r\n"); // b64 encoded 'fake'
      });
    }
  },
  { ignore },
);

for (const [kind, password] of passwords) {
  test(
    `test_login_cram_md5_${kind} (TLS): login_cram_md5 answers the RFC 2195 vector`,
    async () => {
      await withSetup(AuthHandler_CRAM_MD5, async ({ client }) => {
        assert.ok(client.capabilities.includes("AUTH=CRAM-MD5"));
        const [ret] = await client.login_cram_md5("tim", password);
        assert.equal(ret, "OK");
      });
    },
    { ignore },
  );
}

test("test_login_cram_md5 (TLS, ThreadedNetworkedTestsSSL): str and bytes passwords", async () => {
  for (const [, password] of passwords) {
    await withPair(AuthHandler_CRAM_MD5, async ({ client }) => {
      assert.ok(client.capabilities.includes("AUTH=CRAM-MD5"));
      const [ret] = await client.login_cram_md5("tim", password);
      assert.equal(ret, "OK");
    });
  }
}, { ignore });

// ---- Commands --------------------------------------------------------------------------------

test("test_login (TLS): login returns OK 'LOGIN completed' and the state is AUTH", async () => {
  await withSetup(SimpleIMAPHandler, async ({ client }) => {
    const [typ, data] = await client.login("user", "pass");
    assert.equal(typ, "OK");
    assert.equal(str(data[0]), "LOGIN completed");
    assert.equal(client.state, "AUTH");
  });
}, { ignore });

test("test_logout (TLS): logout returns the server's BYE and the state is LOGOUT", async () => {
  await withSetup(SimpleIMAPHandler, async ({ client, clientGone }) => {
    const [typ, data] = await client.login("user", "pass");
    assert.equal(typ, "OK");
    assert.equal(str(data[0]), "LOGIN completed");
    const [typ2, data2] = await client.logout();
    assert.equal(typ2, "BYE");
    assert.equal(str(data2[0]), "IMAP4ref1 Server logging out");
    assert.equal(client.state, "LOGOUT");
    assert.ok(await clientGone());
  });
}, { ignore });

test("test_lsub (TLS): LSUB data is the text after 'LSUB '", async () => {
  await withSetup(LsubCmd, async ({ client }) => {
    await client.login("user", "pass");
    const [typ, data] = await client.lsub();
    assert.equal(typ, "OK");
    assert.equal(str(data[0]), '() "." directoryA');
  });
}, { ignore });

test(
  "test_unselect (TLS): select() gives the EXISTS count; unselect() returns to AUTH",
  async () => {
    await withSetup(SimpleIMAPHandler, async ({ client }) => {
      await client.login("user", "pass");
      const [typ, data] = await client.select();
      assert.equal(typ, "OK");
      assert.equal(str(data[0]), "2");
      assert.equal(client.state, "SELECTED");
      const [typ2, data2] = await client.unselect();
      assert.equal(typ2, "OK");
      assert.equal(str(data2[0]), "Returned to authenticated state. (Success)");
      assert.equal(client.state, "AUTH");
    });
  },
  { ignore },
);

test(
  "test_bracket_flags (TLS): flags containing '[' and ']' in FETCH and PERMANENTFLAGS",
  async () => {
    // See issue #21815 and tests/cpython_test.ts.
    const BracketFlagHandler = bracketFlagHandler();
    await withPair(BracketFlagHandler, async ({ client, server }) => {
      const [code] = await client.authenticate("MYAUTH", fake);
      assert.equal(code, "OK");
      assert.equal(str(server.response), "ZmFrZQ==\r\n");
      await client.select("test");
      const [, [stored]] = await client.store(encoder.encode("1"), "+FLAGS", "[test]");
      assert.ok(str(stored).includes("[test]"), str(stored));
      await client.select("test");
      const [, [permanent]] = client.response("PERMANENTFLAGS");
      assert.ok(str(permanent).includes("[test]"), str(permanent));
      assert.equal(str(permanent), "Answered \\Flagged \\Deleted \\Seen \\Draft \\[test] \\*)");
    });
  },
  { ignore },
);
