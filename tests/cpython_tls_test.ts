// CPython 3.14's TLS test classes of Lib/test/test_imaplib.py, over real TLS: NewIMAPSSLTests and
// ThreadedNetworkedTestsSSL run the scenarios of NewIMAPTests and ThreadedNetworkedTests again
// with the server wrapped in an SSL context and the client an IMAP4_SSL with a verifying
// context. The scenarios are written once, in tests/_cpython_scenarios.ts: tests/cpython_test.ts
// registers them over the in-memory transport, this file through a loopback `Deno.listenTls`
// server with a certificate made for the file.
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
// - test_truncated_large_literal tries the sizes around each boundary and the ends of CPython's
//   range, not every power of two between.
// These are the fields of the transport handed to `cpythonScenarios` below.
//
// NewIMAPSSLTests.test_ssl_raises and the first half of ThreadedNetworkedTestsSSL.test_ssl_verified
// connect to 127.0.0.1, which CPython's keycert.pem does not name; a second leaf certificate
// here names only localhost, as keycert.pem does, to get the same IP address mismatch.

import assert from "node:assert/strict";
import { type ConnectOptions, IMAP4, IMAP4_SSL, IMAP4TlsError } from "../mod.ts";
import { EC, makeCa, openssl } from "./_certs.ts";
import { assertRaises, test } from "./_harness.ts";
import { ServerSide, str } from "./_scripted.ts";
import { concat } from "./_bytes.ts";
import {
  type HandlerClass,
  handlerOn,
  type Served as ServedBase,
  SimpleIMAPHandler,
} from "./_cpython.ts";
import { cpythonScenarios } from "./_cpython_scenarios.ts";

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
  const { server, handle, reap } = handlerOn(handler, s);
  // The handler runs once a connection is accepted, as CPython's handler class does.
  const listener = Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...keyPair });
  const accepted: { conn: Deno.TlsConn; inbound: Promise<void>; done: Promise<void> }[] = [];
  const inboundEnded = Promise.withResolvers<void>();
  const accepting = listener.accept().then((conn) => {
    handle();
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
  const close = async () => {
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
  };
  await reap(() => body(served), close);
}

/** `imap_class("localhost", port, ssl_context=...)`: IMAP4_SSL verifying against the test CA. */
function imapClass(served: Served, options: ConnectOptions = {}) {
  return IMAP4_SSL.connect("localhost", served.port, {
    tls: { caCerts: [certs().caPem] },
    timeout: 5,
    ...options,
  });
}

// ---- The scenarios of NewIMAPSSLTests and ThreadedNetworkedTestsSSL -------------------------

// NewIMAPSSLTests (client shut down afterwards) and ThreadedNetworkedTestsSSL (client logged out
// afterwards, reaped_pair): the TLS classes of CPython, with their fixtures.
cpythonScenarios({
  names: ["NewIMAPSSLTests", "ThreadedNetworkedTestsSSL"],
  tls: true,
  // Deno.listenTls and openssl: Deno only.
  options: { ignore },
  withServer,
  imapClass,
  clientClass: IMAP4_SSL,
  // The client's close reaches the server asynchronously: wait for the bridge to see it.
  closed: (served) => served.clientGone(),
  /**
   * "Nothing is sent" over TLS: bytes may still be in flight when the refused call returns, so a
   * CAPABILITY round trip follows and the server must have received only that since `before`.
   */
  async assertNothingSentSince(client, s, before) {
    await client.capability();
    assert.match(str(s.received.subarray(before)), /^[A-P]{4}\d+ CAPABILITY\r\n$/);
  },
  // The sizes around each boundary (maxLiteralBytes 2**27, exact JS numbers up to 2**53) and
  // the ends of CPython's range.
  literalExponents: [15, 16, 26, 27, 28, 52, 53, 54, 63],
  // The handler sleeps CPython's 1 s. 0.001 s would expire inside the TLS handshake, in
  // connect() instead of the wait for the greeting, so the failing client has 0.5 s: the
  // handshake completes, the greeting does not come in time.
  greetingDelayMs: 1000,
  greetingTimeout: 0.5,
});

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
