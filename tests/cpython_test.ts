// CPython 3.14's Lib/test/test_imaplib.py, ported test by test. Each scenario runs against the
// scripted in-memory server (tests/_scripted.ts), driven by a port of CPython's
// SimpleIMAPHandler and its handlers (tests/_cpython.ts, shared with tests/cpython_tls_test.ts)
// that sends the same bytes as the original handlers. The scenarios of NewIMAPTests and
// ThreadedNetworkedTests are written once, in tests/_cpython_scenarios.ts, and registered here
// over the in-memory transport (and in tests/cpython_tls_test.ts over TLS); the tests below them
// are this file's own. Test names start with the CPython name; where CPython has two tests of the
// same name (NewIMAPTests and ThreadedNetworkedTests), the class follows in parentheses.
//
// CPython 3.14's test_imaplib.py defines 64 test methods: 59 local ones (TestImaplib 5,
// NewIMAPTestsMixin 31, NewIMAPSSLTests 2, ThreadedNetworkedTests 20, ThreadedNetworkedTestsSSL
// 1) and 5 remote ones. This file and tests/_cpython_scenarios.ts hold the scripted scenarios. The
// rest:
//
// Ported in tests/functions_test.ts (module functions):
//   test_Internaldate2tuple, test_Internaldate2tuple_issue10941, test_Time2Internaldate,
//   test_that_Time2Internaldate_returns_a_result.
//
// Ported in tests/idle_scripted_test.ts (IMAP4.idle(), CPython's IdleCmd*Handler):
//   test_idle_capability, test_idle_denied, test_idle_iter, test_idle_burst,
//   test_idle_delayed_packet.
//
// TLS variants: NewIMAPSSLTests and ThreadedNetworkedTestsSSL run every scenario of their base
// class again over TLS (SecureTCPServer). The in-memory transport has no TLS, so each scenario
// runs once here, over the plain scripted transport. tests/cpython_tls_test.ts runs most of them
// again over real TLS (IMAP4_SSL against a loopback Deno.listenTls server bridged to the same
// scripted handlers, with a certificate made for the test), together with
// NewIMAPSSLTests.test_ssl_raises/test_ssl_verified and ThreadedNetworkedTestsSSL.test_ssl_verified
// (a localhost-only certificate, as CPython's, gives the same mismatch for 127.0.0.1);
// tests/dovecot_tls_idle_test.ts repeats the certificate checks against a real Dovecot.
// Verification is on by default here, where CPython's default context does not verify (README,
// "Deliberate differences").
//
// Not applicable:
//   test_file_property_should_not_be_accessed: `IMAP4.file` does not exist. The transport is
//     reached through `socket()`, and there is no file object whose direct use could bypass
//     the decoder.
//   test_dump_ur: it tests the private debug helper `_dump_ur` by mocking `_mesg`. There is no
//     such helper; debug output goes through the public `logger`.
//   test_login_cram_md5_blocked: it mocks `hmac.HMAC` to raise ValueError, as under FIPS, and
//     expects "CRAM-MD5 authentication is not supported". HMAC-MD5 comes from `node:crypto`,
//     which implements MD5 on every runtime, and an ES module binding cannot be mocked. The part
//     that can be ported is below: an authobject that throws makes authenticate() reject with
//     that error. Its follow-up checks the connection stays usable (a difference from CPython).
//   RemoteIMAPTest.test_logincapa/test_logout, RemoteIMAP_STARTTLSTest.test_logincapa,
//   RemoteIMAP_SSLTest.test_logincapa/test_logout: they need cyrus.andrew.cmu.edu, and CPython
//     skips them unconditionally ("cyrus.andrew.cmu.edu blocks connections"). Their checks
//     (capabilities, LOGIN, LOGOUT answered BYE, STARTTLS) run against Dovecot in
//     tests/dovecot_commands_test.ts and tests/dovecot_tls_idle_test.ts.
//
// Not in CPython 3.14's test_imaplib.py at all: test_certfile_arg_warn (it went in 3.12, with the
// keyfile/certfile arguments) and test_with_statement_quit (smtplib has a test with a similar
// name).
//
// Where the port deliberately differs (README, "Deliberate differences"), the test asserts the
// documented behaviour here and a comment says so. The differences that apply: the constructor
// is `IMAP4.fromTransport()`/`connect()` (async), `with` is `await using`, bytes are
// `Uint8Array`, limits are per instance (`maxLineBytes`, not a module global `_MAXLINE`), a
// timeout is `IMAP4TimeoutError` (an abort), a bad timeout is a `RangeError`, UTF-8 APPEND is an
// RFC 6855 literal8.

import assert from "node:assert/strict";
import {
  type Authenticator,
  IMAP4,
  IMAP4_PORT,
  IMAP4ConnectionError,
  IMAP4Error,
  type Transport,
} from "../mod.ts";
import { assertRaises, denoOnly, test } from "./_harness.ts";
import { ServerSide, str } from "./_scripted.ts";
import {
  AuthHandler_CRAM_MD5,
  CRAM_MD5_CHALLENGE,
  type HandlerClass,
  handlerOn,
  type HandlerRun,
  type Served as ServedBase,
  SimpleIMAPHandler,
} from "./_cpython.ts";
import { cpythonScenarios } from "./_cpython_scenarios.ts";

// ---- The in-memory transport: one ServerSide a connection ------------------------------------

/** One accepted connection: the server side, the handler's state, the running handler. */
interface Served extends ServedBase {
  serving: Promise<void>;
  reap: HandlerRun["reap"];
}

/** Accepts one connection with `handler`; the connection closes when `handle` returns. */
function serveWith(handler: HandlerClass): Served {
  const s = new ServerSide();
  const { server, handle, reap } = handlerOn(handler, s);
  return { s, server, serving: handle(), reap };
}

/**
 * ThreadedNetworkedTests.reaped_server(handler): a server; `body` makes the connection. The
 * transport is closed afterwards (a failed connect has closed it already).
 */
function withServer(handler: HandlerClass, body: (served: Served) => Promise<void>) {
  const served = serveWith(handler);
  return served.reap(() => body(served), () => served.s.transport.close());
}

/** `imap_class(*server.server_address)` for the constructor tests. */
function imapClass(served: Served, options?: Parameters<typeof IMAP4.fromTransport>[1]) {
  return IMAP4.fromTransport(served.s.transport, options);
}

// ---- The scenarios of NewIMAPTests and ThreadedNetworkedTests --------------------------------

// NewIMAPTests (NewIMAPTestsMixin._setup: client shut down afterwards) and ThreadedNetworkedTests
// (reaped_pair: client logged out afterwards); `withSetup` serves this file's own tests too.
const { withSetup } = cpythonScenarios({
  names: ["NewIMAPTests", "ThreadedNetworkedTests"],
  tls: false,
  withServer,
  imapClass,
  clientClass: IMAP4,
  // The client's close reaches the ServerSide at once.
  closed: (served) => Promise.resolve(served.s.closedByClient),
  // The client's bytes reach the ServerSide at once: a refused call added none.
  assertNothingSentSince(_client, s, before) {
    assert.equal(s.received.length, before, "nothing is sent");
    return Promise.resolve();
  },
  // Every size of CPython's range.
  literalExponents: Array.from({ length: 64 - 15 }, (_, i) => 15 + i),
  // CPython's TimeoutHandler sleeps 1 s; 0.2 s here keeps the file fast. The failing client's
  // timeout is CPython's 0.001 s.
  greetingDelayMs: 200,
  greetingTimeout: 0.001,
});

// ---- TestImaplib -----------------------------------------------------------------------------

test(
  "test_imap4_host_default_value: IMAP4.connect() without a host is localhost:143, refused",
  async () => {
    // CPython skips the test when something listens on IMAP4_PORT.
    try {
      const probe = await Deno.connect({ hostname: "localhost", port: IMAP4_PORT });
      probe.close();
      console.log("skipped: an IMAP server is running on localhost:143");
      return;
    } catch {
      // Nothing listens: the case under test.
    }
    // CPython: OSError with errno ECONNREFUSED. Here: IMAP4ConnectionError (an IMAP4.abort),
    // the runtime's own error kept as `cause` (README, "Errors").
    const error = await assertRaises(IMAP4.connect(), IMAP4ConnectionError, /localhost:143/);
    // CPython accepts the errnos of socket_helper.get_socket_conn_refused_errs().
    assert.ok(
      error.cause instanceof Deno.errors.ConnectionRefused ||
        error.cause instanceof Deno.errors.AddrNotAvailable,
      String(error.cause),
    );
  },
  // Deno.connect and Deno.errors: Deno only.
  denoOnly,
);

// ---- Timeouts --------------------------------------------------------------------------------

test("test_imaplib_timeout_test: timeout None and a number reach open(); 0 is refused", async () => {
  // CPython checks `client.sock.timeout`; here the observable end is the `timeout` that
  // connect() hands to the overridable open(). timeout=0 is ValueError in CPython; ours
  // (README: "Bad options throw RangeError") is RangeError, thrown before open() runs.
  // CPython's None is `timeout: null` here; left unset, connecting is still bounded by
  // connectTimeoutSeconds (30 s, a deliberate difference in the README).
  const opened: (number | undefined)[] = [];
  const servings: Promise<void>[] = [];
  class Client extends IMAP4 {
    override open(_host: string, _port: number, timeout?: number): Promise<Transport> {
      opened.push(timeout);
      const served = serveWith(SimpleIMAPHandler);
      servings.push(served.serving);
      return Promise.resolve(served.s.transport);
    }
  }
  const LOOPBACK_TIMEOUT = 10; // test.support.LOOPBACK_TIMEOUT
  {
    await using client = await Client.connect("localhost", IMAP4_PORT, { timeout: null });
    assert.equal(client.state, "NONAUTH");
  }
  {
    await using client = await Client.connect("localhost", IMAP4_PORT);
    assert.equal(client.state, "NONAUTH");
  }
  {
    await using client = await Client.connect("localhost", IMAP4_PORT, {
      timeout: LOOPBACK_TIMEOUT,
    });
    assert.equal(client.state, "NONAUTH");
  }
  assert.deepEqual(opened, [undefined, 30, LOOPBACK_TIMEOUT]);
  await assertRaises(Client.connect("localhost", IMAP4_PORT, { timeout: 0 }), RangeError);
  assert.equal(opened.length, 3);
  await Promise.all(servings);
});

// ---- CRAM-MD5 --------------------------------------------------------------------------------

test("test_login_cram_md5_blocked (partial): an authobject that throws rejects authenticate()", async () => {
  // CPython makes HMAC-MD5 unavailable with mock.patch("hmac.HMAC") and expects IMAP4.error
  // "CRAM-MD5 authentication is not supported" from login_cram_md5(). node:crypto cannot be
  // made to lack MD5, so the authobject raises the error that _CRAM_MD5_AUTH raises instead.
  await withSetup(AuthHandler_CRAM_MD5, async ({ client }) => {
    assert.ok(client.capabilities.includes("AUTH=CRAM-MD5"));
    const blocked: Authenticator = () => {
      throw new IMAP4Error("CRAM-MD5 authentication is not supported");
    };
    await assertRaises(
      client.authenticate("CRAM-MD5", blocked),
      IMAP4.error,
      /^CRAM-MD5 authentication is not supported$/,
    );
  });
});

test(
  "test_login_cram_md5_blocked (follow-up): after the authobject throws, the exchange is cancelled",
  async () => {
    // CPython desynchronises here (the next command's line becomes the SASL answer); the
    // design promises no deadlock, so the client cancels with `*` (RFC 3501 section 6.2.2),
    // reads the tagged reply, then rethrows the authobject's error.
    const answers: string[] = [];
    const Handler: HandlerClass = {
      ...AuthHandler_CRAM_MD5,
      commands: {
        async AUTHENTICATE(self, tag) {
          self._send_textline(CRAM_MD5_CHALLENGE);
          answers.push(str(await self.next()));
          self._send_tagged(tag, "NO", "No access");
        },
      },
    };
    await withServer(Handler, async (server) => {
      // The timeout would turn a hang into a failure.
      const client = await imapClass(server, { timeout: 1 });
      const blocked: Authenticator = () => {
        throw new IMAP4Error("CRAM-MD5 authentication is not supported");
      };
      await assertRaises(client.authenticate("CRAM-MD5", blocked), IMAP4.error, /not supported/);
      assert.equal(client.state, "NONAUTH");
      const [typ, data] = await client.logout();
      assert.deepEqual(answers, ["*\r\n"]);
      assert.deepEqual([typ, str(data[0])], ["BYE", "IMAP4ref1 Server logging out"]);
    });
  },
);
