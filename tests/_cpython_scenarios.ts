// The scenarios of CPython 3.14's NewIMAPTests and ThreadedNetworkedTests
// (Lib/test/test_imaplib.py), written once and registered over a transport: tests/cpython_test.ts
// runs them over the in-memory transport, tests/cpython_tls_test.ts over real loopback TLS
// (NewIMAPSSLTests and ThreadedNetworkedTestsSSL). The handlers are those of tests/_cpython.ts.
//
// Test names start with the CPython name; the class follows in parentheses where CPython has
// two tests of the same name, after "TLS" in the TLS runs. Where the TLS runs differ (see the
// header of tests/cpython_tls_test.ts), the transport says how: how a closed connection is seen,
// how "nothing is sent" is checked, which literal sizes and which timeout the slower runs use.

import assert from "node:assert/strict";
import {
  type Authenticator,
  type ConnectOptions,
  DEFAULT_MAX_LINE_BYTES,
  IMAP4,
  IMAP4ConnectionError,
  IMAP4LimitError,
  IMAP4ProtocolError,
  IMAP4TimeoutError,
} from "../mod.ts";
import { assertRaises, test } from "./_harness.ts";
import { type ServerSide, str } from "./_scripted.ts";
import { show } from "./_bytes.ts";
import {
  AbortedAuthServer,
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
  InvalidAuthServer,
  LsubCmd,
  MyAuthServer,
  NoEnableServer,
  passwords,
  type Served,
  type ServerState,
  SimpleIMAPHandler,
  timeoutHandler,
  TooLongHandler,
  TooLongHandler_MAXLINE,
  truncatedLiteralHandler,
  utf8AppendServer,
  UTF8Server,
  type WithServer,
} from "./_cpython.ts";

/** What the scenarios need of a transport, and how its runs differ. */
export interface ScenarioTransport<S extends Served> {
  /** The names of the two classes: NewIMAPTests' first, ThreadedNetworkedTests' second. */
  names: readonly [string, string];
  /** The TLS runs: "TLS" in every test name. */
  tls: boolean;
  /** The options of every test (the TLS runs need Deno). */
  options?: { ignore?: boolean };
  /** ThreadedNetworkedTests.reaped_server(handler): a server; `body` makes the connection. */
  withServer: WithServer<S>;
  /** `imap_class(*server.server_address)`, with the client's options. */
  imapClass(served: S, options?: ConnectOptions): Promise<IMAP4>;
  /** The class the connected client is an instance of. */
  clientClass: typeof IMAP4;
  /** Whether the client has closed the connection (over TLS, once the server has seen it). */
  closed(served: S): Promise<boolean>;
  /** "Nothing is sent": the server received nothing from the refused call after `before`. */
  assertNothingSentSince(client: IMAP4, s: ServerSide, before: number): Promise<void>;
  /** test_truncated_large_literal's sizes, as exponents of 2 (CPython's: 15 to 63). */
  literalExponents: readonly number[];
  /** test_imaplib_timeout_functionality_test: TimeoutHandler's delay (CPython's: 1 s). */
  greetingDelayMs: number;
  /** test_imaplib_timeout_functionality_test: the failing client's timeout (CPython's: 0.001). */
  greetingTimeout: number;
}

/**
 * Registers every scenario over `t`, with the fixtures of CPython's two classes (`fixtures`),
 * and returns those fixtures for the file's own tests.
 */
export function cpythonScenarios<S extends Served>(
  t: ScenarioTransport<S>,
): ReturnType<typeof fixtures<S>> {
  /** `base (TLS, cls): what`, the parts in parentheses where they apply. */
  const named = (base: string, cls: string | null, what: string) => {
    const tags = [...(t.tls ? ["TLS"] : []), ...(cls ? [cls] : [])];
    return `${base}${tags.length > 0 ? ` (${tags.join(", ")})` : ""}: ${what}`;
  };
  const scenario = (
    base: string,
    cls: string | null,
    what: string,
    fn: () => Promise<void>,
  ) => test(named(base, cls, what), fn, t.options);
  const { withServer, imapClass } = t;
  const classes = fixtures(withServer, (served) => imapClass(served), t.names);
  const { withSetup, withPair, CLASSES } = classes;
  const classNames = CLASSES.map(([name]) => name);

  // ---- Connecting: greetings and framing -----------------------------------------------------

  scenario(
    "test_connect",
    null,
    "connect reads the greeting and CAPABILITY; shutdown() closes",
    async () => {
      await withServer(SimpleIMAPHandler, async (server) => {
        const client = await imapClass(server);
        assert.ok(client instanceof t.clientClass);
        assert.equal(client.state, "NONAUTH");
        assert.equal(str(client.welcome), "* OK IMAP4rev1");
        assert.deepEqual(client.capabilities, ["IMAP4REV1"]);
        await client.shutdown();
        assert.ok(await t.closed(server));
        assert.ok(!server.s.receivedText.includes("LOGOUT"));
        assert.match(server.s.receivedText, /^[A-P]{4}0 CAPABILITY\r\n$/);
      });
    },
  );

  scenario(
    "test_EOF_without_complete_welcome_message",
    null,
    "EOF inside the greeting is an abort",
    async () => {
      // http://bugs.python.org/issue5949
      await withServer(EOFHandler, async (server) => {
        await assertRaises(imapClass(server), IMAP4.abort);
        assert.ok(await t.closed(server));
      });
    },
  );

  scenario(
    "test_issue5949",
    null,
    t.tls
      ? "EOF (close_notify) without a complete welcome message is an abort"
      : "EOF without a complete welcome message is an abort",
    async () => {
      await withServer(EOFHandler, async (server) => {
        // Ours: the abort is IMAP4ConnectionError "socket error: EOF"; over TLS, the server's
        // close_notify is a clean EOF, as over the plain transport.
        await assertRaises(imapClass(server), IMAP4ConnectionError, /EOF/);
        assert.ok(await t.closed(server));
      });
    },
  );

  for (const name of classNames) {
    scenario(
      "test_line_termination",
      name,
      "a CAPABILITY line ending in bare LF aborts",
      async () => {
        await withServer(BadNewlineHandler, async (server) => {
          const error = await assertRaises(imapClass(server), IMAP4.abort);
          // Ours: IMAP4ProtocolError, an IMAP4.abort naming the bare LF; the connection is closed.
          assert.ok(error instanceof IMAP4ProtocolError, String(error));
          assert.match(error.message, /bare LF/);
          assert.ok(await t.closed(server));
        });
      },
    );
  }

  scenario(
    "test_linetoolong",
    classNames[0],
    t.tls
      ? "a line over maxLineBytes 10 is IMAP4LimitError"
      : "a line over the limit is an error, 'more than 10 bytes'",
    async () => {
      // CPython patches the module global `imaplib._MAXLINE` to 10 and expects IMAP4.error
      // "got more than 10 bytes". Ours says the same words first; deliberate difference: the
      // limit is the per-instance `maxLineBytes` option, CRLF included, and exceeding it is
      // IMAP4LimitError, a subclass of IMAP4.abort (so also of IMAP4.error), which closes the
      // connection.
      await withServer(TooLongHandler, async (server) => {
        const error = await assertRaises(
          imapClass(server, { maxLineBytes: 10 }),
          IMAP4.error,
          /^got more than 10 bytes: maxLineBytes exceeded: \d+ bytes, limit 10$/,
        );
        assert.ok(error instanceof IMAP4LimitError);
        assert.equal(error.limitBytes, 10);
        assert.ok(error.sizeBytes > 10);
        assert.ok(await t.closed(server));
      });
    },
  );

  scenario(
    "test_linetoolong",
    classNames[1],
    t.tls
      ? "a line past the default limit is refused"
      : "a line of the default limit's size is refused",
    async () => {
      // CPython sends `b'* OK ' + _MAXLINE * b'x'` against the default 1 MB `_MAXLINE`. Ours: the
      // default `maxLineBytes` (8 MiB, DEFAULT_MAX_LINE_BYTES) instead (deliberate difference),
      // which over TLS the line crosses over some 500 records of 16 KiB.
      await withServer(TooLongHandler_MAXLINE, async (server) => {
        const error = await assertRaises(imapClass(server), IMAP4.error);
        assert.ok(error instanceof IMAP4LimitError, String(error));
        assert.equal(error.limitName, "maxLineBytes");
        assert.equal(error.limitBytes, DEFAULT_MAX_LINE_BYTES);
        assert.ok(await t.closed(server));
      });
    },
  );

  scenario(
    "test_truncated_large_literal",
    null,
    t.tls
      ? "greetings announcing literals of 2**15..2**63 bytes, then EOF, abort"
      : "a greeting announcing a literal of 2**15..2**63 bytes, then EOF, aborts",
    async () => {
      // CPython sends '* OK {size}' and 'IMAP4rev1', then closes, for size = 1 << 15 .. 1 << 63.
      // Ours: up to `maxLiteralBytes` (128 MiB by default) the decoder waits for the literal and
      // the EOF is IMAP4ConnectionError; above it the marker itself is refused with
      // IMAP4LimitError before anything is allocated, and from 2**53 on (beyond an exact JS
      // number) it is IMAP4ProtocolError. All are IMAP4.abort, as CPython expects.
      for (const exponent of t.literalExponents) {
        await withServer(truncatedLiteralHandler(1n << BigInt(exponent)), async (server) => {
          const error = await assertRaises(imapClass(server), IMAP4.abort);
          assertTruncatedLiteralAbort(error, exponent);
          assert.ok(await t.closed(server), `size=2**${exponent}: connection left open`);
        });
      }
    },
  );

  // ---- Timeouts ------------------------------------------------------------------------------

  scenario(
    "test_imaplib_timeout_functionality_test",
    null,
    "a greeting later than the timeout times out",
    async () => {
      // CPython's TimeoutHandler sleeps 1 s before SimpleIMAPHandler.handle; the first client
      // (from _setup) waits for the greeting without a timeout, a second one with
      // timeout=0.001 fails. CPython expects the builtin TimeoutError; ours is
      // IMAP4TimeoutError, an IMAP4.abort, and the connection is closed (README, "timeout
      // bounds each wait").
      const TimeoutHandler = timeoutHandler(t.greetingDelayMs);
      await withServer(TimeoutHandler, async (first) => {
        const connecting = imapClass(first);
        connecting.catch(() => {}); // awaited below
        await withServer(TimeoutHandler, async (second) => {
          const error = await assertRaises(
            imapClass(second, { timeout: t.greetingTimeout }),
            IMAP4TimeoutError,
          );
          assert.doesNotMatch(error.message, /connect/);
          assert.ok(await t.closed(second));
          assert.equal(second.s.received.length, 0);
        });
        const client = await connecting;
        assert.equal(client.state, "NONAUTH");
        await client.shutdown();
      });
    },
  );

  // ---- with statements -----------------------------------------------------------------------

  for (const name of classNames) {
    scenario(
      "test_simple_with_statement",
      name,
      "leaving an 'await using' scope logs out",
      async () => {
        await withServer(SimpleIMAPHandler, async (server) => {
          {
            await using _imap = await imapClass(server);
          }
          assert.match(server.s.receivedText, /^[A-P]{4}0 CAPABILITY\r\n[A-P]{4}1 LOGOUT\r\n$/);
          assert.ok(await t.closed(server));
        });
      },
    );

    scenario("test_with_statement", name, "login inside the scope, LOGOUT at its end", async () => {
      await withServer(SimpleIMAPHandler, async (server) => {
        {
          await using imap = await imapClass(server);
          await imap.login("user", "pass");
          assert.equal(server.server.logged, "user");
        }
        assert.equal(server.server.logged, null);
        assert.ok(await t.closed(server));
      });
    });

    scenario(
      "test_with_statement_logout",
      name,
      "an explicit logout() inside the scope is legal",
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
          assert.ok(await t.closed(server));
          // Scope exit after logout() sends nothing more.
          assert.equal(server.s.receivedText.match(/ LOGOUT\r\n/g)?.length, 1);
        });
      },
    );
  }

  // ---- ENABLE and UTF-8 mode -----------------------------------------------------------------

  for (const [name, setup] of CLASSES) {
    // Where the two classes differ: NewIMAPTests' variant (the first class, fixture _setup).
    const newIMAPTests = setup === withSetup;

    scenario(
      "test_enable_raises_error_if_not_AUTH",
      name,
      "ENABLE in NONAUTH is an error",
      async () => {
        await setup(UTF8Server, async ({ client }) => {
          assert.equal(client.utf8_enabled, false);
          await assertRaises(client.enable("foo"), IMAP4.error, /ENABLE.*NONAUTH/);
          assert.equal(client.utf8_enabled, false);
        });
      },
    );

    scenario(
      "test_enable_raises_error_if_no_capability",
      name,
      "'does not support ENABLE'",
      async () => {
        // NewIMAPTests uses SimpleIMAPHandler, ThreadedNetworkedTests a UTF8Server with 'AUTH'.
        const handler = newIMAPTests ? SimpleIMAPHandler : NoEnableServer;
        await setup(handler, async ({ client, s }) => {
          const before = s.received.length;
          await assertRaises(client.enable("foo"), IMAP4.error, /does not support ENABLE/);
          await t.assertNothingSentSince(client, s, before);
        });
      },
    );

    scenario(
      "test_enable_UTF8_raises_error_if_not_supported",
      name,
      "after login, still refused",
      async () => {
        await setup(SimpleIMAPHandler, async ({ client }) => {
          assert.equal((await client.login("user", "pass"))[0], "OK");
          await assertRaises(client.enable("UTF8=ACCEPT"), IMAP4.error, /does not support ENABLE/);
        });
      },
    );

    scenario(
      "test_enable_UTF8_True_append",
      name,
      "UTF-8 mode after ENABLE; APPEND as literal8",
      async () => {
        const UTF8AppendServer = utf8AppendServer(
          newIMAPTests ? "ENABLE UTF8=ACCEPT" : UTF8Server.capabilities,
        );
        await setup(UTF8AppendServer, async ({ client, server, s }) => {
          // CPython checks client._encoding: 'ascii', then 'utf-8'.
          assert.equal(client.utf8_enabled, false);
          assert.equal((await client.authenticate("MYAUTH", fake))[0], "OK");
          assert.equal(str(server.response), "ZmFrZQ==\r\n"); // b64 encoded 'fake'
          assert.equal((await client.enable("UTF8=ACCEPT"))[0], "OK");
          assert.equal(client.utf8_enabled, true);
          const msg = encoder.encode("Subject: üñí©öðé");
          assert.equal((await client.append(null, null, null, msg))[0], "OK");
          // CPython 3.14.2 sends `APPEND INBOX {N}` and a literal `UTF8 (msg)`, so its handler's
          // line after `+` is b'UTF8 (msg)\r\n'. Ours (deliberate difference, RFC 6855) sends
          // `APPEND INBOX UTF8 (~{N}`, the message as the literal, then `)` and CRLF, so the same
          // handler reads msg + b')\r\n'.
          assert.ok(
            s.receivedText.includes(` APPEND INBOX UTF8 (~{${msg.length}}\r\n`),
            s.receivedText,
          );
          assert.deepEqual(server.response, new Uint8Array([...msg, ...encoder.encode(")\r\n")]));
        });
      },
    );

    scenario(
      "test_search_disallows_charset_in_utf8_mode",
      name,
      "a charset is an error",
      async () => {
        await setup(UTF8Server, async ({ client, s }) => {
          assert.equal((await client.authenticate("MYAUTH", fake))[0], "OK");
          assert.equal((await client.enable("UTF8=ACCEPT"))[0], "OK");
          assert.equal(client.utf8_enabled, true);
          const before = s.received.length;
          await assertRaises(client.search("foo", "bar"), IMAP4.error, /charset.*UTF8/);
          await t.assertNothingSentSince(client, s, before);
        });
      },
    );
  }

  // ---- AUTHENTICATE and CRAM-MD5 -------------------------------------------------------------

  for (const [name, setup] of CLASSES) {
    scenario(
      "test_bad_auth_name",
      name,
      "NO to AUTHENTICATE raises the server's text",
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
    );

    scenario(
      "test_invalid_authentication",
      name,
      "NO after the exchange raises its text",
      async () => {
        await setup(InvalidAuthServer, async ({ client }) => {
          await assertRaises(
            client.authenticate("MYAUTH", fake),
            IMAP4.error,
            /\[AUTHENTICATIONFAILED\] invalid/,
          );
        });
      },
    );

    scenario(
      "test_aborted_authentication",
      name,
      "an authobject returning null cancels with '*'",
      async () => {
        await setup(AbortedAuthServer, async ({ client }) => {
          await assertRaises(
            client.authenticate("MYAUTH", () => null),
            IMAP4.error,
            /\[AUTHENTICATIONFAILED\] aborted/,
          );
        });
      },
    );
  }

  /** test_valid_authentication's check of one authobject. */
  const validAuthentication = (authobject: Authenticator) =>
  async ({ client, server }: {
    client: IMAP4;
    server: ServerState;
  }) => {
    assert.equal((await client.authenticate("MYAUTH", authobject))[0], "OK");
    assert.equal(str(server.response), "ZmFrZQ==\r\n"); // b64 encoded 'fake'
  };

  for (const [kind, authobject] of authenticators) {
    scenario(
      `test_valid_authentication_${kind}`,
      null,
      "the answer goes base64-encoded, 'ZmFrZQ=='",
      async () => {
        await withSetup(MyAuthServer, async (setup) => {
          await validAuthentication(authobject)(setup);
          assert.equal(setup.client.state, "AUTH");
        });
      },
    );
  }

  scenario(
    "test_valid_authentication",
    classNames[1],
    "bytes and str answers, 'ZmFrZQ=='",
    async () => {
      for (const [, authobject] of authenticators) {
        await withPair(MyAuthServer, validAuthentication(authobject));
      }
    },
  );

  /** test_login_cram_md5's check of one password. */
  const loginCramMd5 = (password: string | Uint8Array) => async ({ client }: { client: IMAP4 }) => {
    assert.ok(client.capabilities.includes("AUTH=CRAM-MD5"));
    assert.equal((await client.login_cram_md5("tim", password))[0], "OK");
  };

  for (const [kind, password] of passwords) {
    scenario(
      `test_login_cram_md5_${kind}`,
      null,
      "login_cram_md5 answers the RFC 2195 vector",
      async () => {
        await withSetup(AuthHandler_CRAM_MD5, loginCramMd5(password));
      },
    );
  }

  scenario("test_login_cram_md5", classNames[1], "str and bytes passwords", async () => {
    for (const [, password] of passwords) {
      await withPair(AuthHandler_CRAM_MD5, loginCramMd5(password));
    }
  });

  // ---- Commands ------------------------------------------------------------------------------

  scenario(
    "test_login",
    null,
    "login returns OK 'LOGIN completed' and the state is AUTH",
    async () => {
      await withSetup(SimpleIMAPHandler, async ({ client }) => {
        assert.deepEqual(show(await client.login("user", "pass")), ["OK", ["LOGIN completed"]]);
        assert.equal(client.state, "AUTH");
      });
    },
  );

  scenario(
    "test_logout",
    null,
    "logout returns the server's BYE and the state is LOGOUT",
    async () => {
      await withSetup(SimpleIMAPHandler, async (setup) => {
        const { client } = setup;
        assert.deepEqual(show(await client.login("user", "pass")), ["OK", ["LOGIN completed"]]);
        assert.deepEqual(show(await client.logout()), ["BYE", ["IMAP4ref1 Server logging out"]]);
        assert.equal(client.state, "LOGOUT");
        assert.ok(await t.closed(setup));
      });
    },
  );

  scenario("test_lsub", null, "LSUB data is the text after 'LSUB '", async () => {
    await withSetup(LsubCmd, async ({ client }) => {
      await client.login("user", "pass");
      assert.deepEqual(show(await client.lsub()), ["OK", ['() "." directoryA']]);
    });
  });

  scenario(
    "test_unselect",
    null,
    "select() gives the EXISTS count; unselect() returns to AUTH",
    async () => {
      await withSetup(SimpleIMAPHandler, async ({ client }) => {
        await client.login("user", "pass");
        assert.deepEqual(show(await client.select()), ["OK", ["2"]]);
        assert.equal(client.state, "SELECTED");

        assert.deepEqual(show(await client.unselect()), ["OK", [
          "Returned to authenticated state. (Success)",
        ]]);
        assert.equal(client.state, "AUTH");
      });
    },
  );

  scenario(
    "test_bracket_flags",
    null,
    "flags containing '[' and ']' in FETCH and PERMANENTFLAGS",
    async () => {
      // This violates RFC 3501, which disallows ']' characters in tag names, but imaplib has
      // allowed producing such tags forever, other programs also produce them (eg: OtherInbox's
      // Organizer app as of 20140716), and Gmail, for example, accepts them and produces them.
      // So we support them. See issue #21815.
      const BracketFlagHandler = bracketFlagHandler();
      await withPair(BracketFlagHandler, async ({ client, server }) => {
        assert.equal((await client.authenticate("MYAUTH", fake))[0], "OK");
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
  );
  return classes;
}
