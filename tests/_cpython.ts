// What tests/cpython_test.ts (the in-memory transport) and tests/cpython_tls_test.ts (real TLS)
// share: a port of CPython's SimpleIMAPHandler and the handler classes of Lib/test/test_imaplib.py,
// the fixtures NewIMAPTestsMixin._setup and ThreadedNetworkedTests.reaped_pair over a transport
// each file provides. It registers no tests.
//
// A handler runs on a scripted `ServerSide` (tests/_scripted.ts): in-memory, that ServerSide is
// the connection; over TLS, a bridge relays an accepted TLS connection to it.

import assert from "node:assert/strict";
import {
  type Authenticator,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_MAX_LITERAL_BYTES,
  type IMAP4,
  IMAP4ConnectionError,
  IMAP4LimitError,
  IMAP4ProtocolError,
} from "../mod.ts";
import { type ServerSide, sleep, str } from "./_scripted.ts";

export const encoder = new TextEncoder();

// ---- A port of CPython's SimpleIMAPHandler -------------------------------------------------

/** The attributes CPython's handlers set on `self.server`, which the tests read. */
export interface ServerState {
  logged: string | null;
  is_selected: boolean;
  response: Uint8Array | null;
}

/** `self` of a handler: CPython's `_send*` helpers, plus `next()` for `yield`. */
export class Handler {
  readonly server: ServerState = { logged: null, is_selected: false, response: null };
  constructor(readonly s: ServerSide, readonly capabilities: string) {}

  _send(message: string | Uint8Array): void {
    this.s.send(message);
  }

  _send_line(message: string | Uint8Array): void {
    if (typeof message === "string") {
      this._send(message + "\r\n");
      return;
    }
    const line = new Uint8Array(message.length + 2);
    line.set(message, 0);
    line.set([0x0d, 0x0a], message.length);
    this._send(line);
  }

  _send_textline(message: string): void {
    this._send_line(message);
  }

  _send_tagged(tag: string, code: string, message: string): void {
    this._send_textline([tag, code, message].join(" "));
  }

  /** What a `cmd_X` generator gets from `yield`: the next line, CRLF included. */
  next(): Promise<Uint8Array | null> {
    return this.s.readRawLine();
  }
}

/** A `cmd_X(self, tag, args)` method. */
export type Cmd = (self: Handler, tag: string, args: string[]) => void | Promise<void>;

/** A handler class: SimpleIMAPHandler's `capabilities`, `cmd_X` overrides, or its own `handle`. */
export interface HandlerClass {
  capabilities?: string;
  commands?: Record<string, Cmd>;
  handle?: (self: Handler, commands: Record<string, Cmd>) => void | Promise<void>;
}

const SIMPLE_COMMANDS: Record<string, Cmd> = {
  CAPABILITY(self, tag) {
    const caps = self.capabilities ? "IMAP4rev1 " + self.capabilities : "IMAP4rev1";
    self._send_textline("* CAPABILITY " + caps);
    self._send_tagged(tag, "OK", "CAPABILITY completed");
  },
  LOGOUT(self, tag) {
    self.server.logged = null;
    self._send_textline("* BYE IMAP4ref1 Server logging out");
    self._send_tagged(tag, "OK", "LOGOUT completed");
  },
  LOGIN(self, tag, args) {
    self.server.logged = args[0];
    self._send_tagged(tag, "OK", "LOGIN completed");
  },
  SELECT(self, tag) {
    self.server.is_selected = true;
    self._send_line(encoder.encode("* 2 EXISTS"));
    self._send_tagged(tag, "OK", "[READ-WRITE] SELECT completed.");
  },
  UNSELECT(self, tag) {
    if (self.server.is_selected) {
      self.server.is_selected = false;
      self._send_tagged(tag, "OK", "Returned to authenticated state. (Success)");
    } else {
      self._send_tagged(tag, "BAD", "No mailbox selected");
    }
  },
};

/** SimpleIMAPHandler.handle: the greeting, then one command per CRLF-terminated line. */
export async function simpleHandle(self: Handler, commands: Record<string, Cmd>): Promise<void> {
  self._send_textline("* OK IMAP4rev1");
  for (;;) {
    const line = await self.next();
    if (line === null) return; // the client closed
    const [tag, cmd, ...args] = str(line).trim().split(/\s+/);
    const method = commands[cmd];
    if (method) await method(self, tag, args);
    else self._send_tagged(tag, "BAD", cmd + " unknown");
  }
}

export const SimpleIMAPHandler: HandlerClass = {};

/** How one connection's handler is run and reaped; see {@linkcode handlerOn}. */
export interface HandlerRun {
  /** The handler's `self.server` attributes. */
  server: ServerState;
  /** Runs the handler, and ends `s` when it returns. */
  handle(): Promise<void>;
  /**
   * The end of ThreadedNetworkedTests.reaped_server: after `body`, `close()` ends the connection
   * and the handler's run (if `handle()` was called) is awaited; its error fails the test unless
   * `body` failed first.
   */
  reap(body: () => Promise<void>, close: () => void | Promise<void>): Promise<void>;
}

/**
 * `handler` for one connection on `s`: its `self.server`, `handle()`, which runs it (its own
 * `handle`, or SimpleIMAPHandler's with its `cmd_X` overrides), and `reap()`.
 */
export function handlerOn(handler: HandlerClass, s: ServerSide): HandlerRun {
  const self = new Handler(s, handler.capabilities ?? "");
  const commands = { ...SIMPLE_COMMANDS, ...handler.commands };
  let running: Promise<void> = Promise.resolve();
  const handle = () =>
    running = (async () => {
      try {
        await (handler.handle ?? simpleHandle)(self, commands);
      } finally {
        s.end();
      }
    })();
  const reap = async (body: () => Promise<void>, close: () => void | Promise<void>) => {
    let failed = false;
    try {
      await body();
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await close();
      await running.catch((error) => {
        if (!failed) throw error;
      });
    }
  };
  return { server: self.server, handle, reap };
}

// ---- CPython's fixtures, over a transport --------------------------------------------------

/** One server with one connection's handler: what every transport provides. */
export interface Served {
  /** The scripted server side the handler runs on. */
  s: ServerSide;
  /** The handler's `self.server` attributes. */
  server: ServerState;
}

/** A served connection and the client connected to it. */
export type Setup<S extends Served> = S & { client: IMAP4 };

/** ThreadedNetworkedTests.reaped_server(handler): a server; `body` makes the connection. */
export type WithServer<S extends Served> = (
  handler: HandlerClass,
  body: (served: S) => Promise<void>,
) => Promise<void>;

/** A fixture: a server with `handler` and a connected client, cleaned up after `body`. */
export type WithClient<S extends Served> = (
  handler: HandlerClass,
  body: (setup: Setup<S>) => Promise<void>,
) => Promise<void>;

/**
 * The fixtures of CPython's two scenario classes over one transport: `withServer` serves a
 * connection, `connect` makes the client (`imap_class(*server.server_address)`), and `names`
 * are the two classes' names (NewIMAPTests-like first, ThreadedNetworkedTests-like second).
 */
export function fixtures<S extends Served>(
  withServer: WithServer<S>,
  connect: (served: S) => Promise<IMAP4>,
  names: readonly [string, string],
): {
  withSetup: WithClient<S>;
  withPair: WithClient<S>;
  CLASSES: readonly (readonly [string, WithClient<S>])[];
} {
  /** A fixture whose client `cleanup` ends after `body`. */
  const withClient =
    (cleanup: (client: IMAP4) => Promise<unknown>): WithClient<S> => (handler, body) =>
      withServer(handler, async (served) => {
        const client = await connect(served);
        try {
          await body({ ...served, client });
        } finally {
          await cleanup(client);
        }
      });

  /** NewIMAPTestsMixin._setup(handler) and _cleanup: shutdown afterwards unless logged out. */
  const withSetup = withClient(async (client) => {
    if (client.state !== "LOGOUT") await client.shutdown();
  });

  /** ThreadedNetworkedTests.reaped_pair(handler): a connected client, logged out afterwards. */
  const withPair = withClient((client) => client.logout());

  // The two classes of CPython that run the same scenarios: NewIMAPTests (client shut down
  // afterwards) and ThreadedNetworkedTests (client logged out afterwards, reaped_pair).
  const CLASSES = [[names[0], withSetup], [names[1], withPair]] as const;
  return { withSetup, withPair, CLASSES };
}

// ---- Handlers and authobjects shared by several tests ----------------------------------------

/** The authobject of CPython's tests: `lambda x: b'fake'`. */
export const fake: Authenticator = () => encoder.encode("fake");

/** The authobjects of test_valid_authentication: bytes and str. */
export const authenticators: [string, Authenticator][] = [
  ["bytes", fake],
  ["plain_text", () => "fake"],
];

/** The passwords of test_login_cram_md5: bytes and str. */
export const passwords: [string, string | Uint8Array][] = [
  ["bytes", encoder.encode("tanstaaftanstaaf")],
  ["plain_text", "tanstaaftanstaaf"],
];

/** `cmd_AUTHENTICATE` that answers `+`, keeps the response and says OK. */
const fakeAuthenticate: Cmd = async (self, tag) => {
  self._send_textline("+");
  self.server.response = await self.next();
  self._send_tagged(tag, "OK", "FAKEAUTH successful");
};

/** test_valid_authentication's MyServer: fakeAuthenticate. */
export const MyAuthServer: HandlerClass = { commands: { AUTHENTICATE: fakeAuthenticate } };

/** ThreadedNetworkedTests.UTF8Server (NewIMAPTestsMixin's EnableHandler/UTF8Server). */
export const UTF8Server: HandlerClass = {
  capabilities: "AUTH ENABLE UTF8=ACCEPT",
  commands: {
    ENABLE(self, tag) {
      self._send_tagged(tag, "OK", "ENABLE successful");
    },
    AUTHENTICATE: fakeAuthenticate,
  },
};

/** ThreadedNetworkedTests' test_enable_raises_error_if_no_capability: UTF8Server with 'AUTH'. */
export const NoEnableServer: HandlerClass = { ...UTF8Server, capabilities: "AUTH" };

/**
 * test_enable_UTF8_True_append's UTF8AppendServer: UTF8Server whose `cmd_APPEND` answers `+`
 * and keeps the line after it. NewIMAPTests announces "ENABLE UTF8=ACCEPT", ThreadedNetworkedTests
 * UTF8Server's capabilities.
 */
export function utf8AppendServer(capabilities = UTF8Server.capabilities): HandlerClass {
  return {
    capabilities,
    commands: {
      ...UTF8Server.commands,
      async APPEND(self, tag) {
        self._send_textline("+");
        self.server.response = await self.next();
        self._send_tagged(tag, "OK", "okay");
      },
    },
  };
}

/** The RFC 2195 example challenge of CPython's AuthHandler_CRAM_MD5. */
export const CRAM_MD5_CHALLENGE = "+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ=";

/**
 * A `cmd_AUTHENTICATE` that sends `challenge`, reads the answer and replies `[code, message]`:
 * `ifAnswer` when the answer line is `answer`, `otherwise` when it is not.
 */
function answerCheck(
  challenge: string,
  answer: string,
  ifAnswer: [string, string],
  otherwise: [string, string],
): Cmd {
  return async (self, tag) => {
    self._send_textline(challenge);
    const r = await self.next();
    self._send_tagged(tag, ...(str(r) === answer ? ifAnswer : otherwise));
  };
}

/** CPython's AuthHandler_CRAM_MD5: the RFC 2195 example challenge and expected answer. */
export const AuthHandler_CRAM_MD5: HandlerClass = {
  capabilities: "LOGINDISABLED AUTH=CRAM-MD5",
  commands: {
    AUTHENTICATE: answerCheck(
      CRAM_MD5_CHALLENGE,
      "dGltIGYxY2E2YmU0NjRiOWVmYTFjY2E2ZmZkNmNmMmQ5ZjMy\r\n",
      ["OK", "CRAM-MD5 successful"],
      ["NO", "No access"],
    ),
  },
};

/** test_bad_auth_name's MyServer: NO to AUTHENTICATE, naming the mechanism. */
export const BadAuthNameServer: HandlerClass = {
  commands: {
    AUTHENTICATE(self, tag, args) {
      self._send_tagged(tag, "NO", `unrecognized authentication type ${args[0]}`);
    },
  },
};

/** test_invalid_authentication's MyServer: `+`, then NO whatever the answer. */
export const InvalidAuthServer: HandlerClass = {
  commands: {
    async AUTHENTICATE(self, tag) {
      self._send_textline("+");
      await self.next();
      self._send_tagged(tag, "NO", "[AUTHENTICATIONFAILED] invalid");
    },
  },
};

/** test_aborted_authentication's MyServer: `+`, then NO to the `*` that cancels. */
export const AbortedAuthServer: HandlerClass = {
  commands: {
    AUTHENTICATE: answerCheck(
      "+",
      "*\r\n",
      ["NO", "[AUTHENTICATIONFAILED] aborted"],
      ["OK", "MYAUTH successful"],
    ),
  },
};

/** CPython's EOFHandler (test_issue5949): EOF without a complete welcome message. */
export const EOFHandler: HandlerClass = {
  handle(self) {
    self._send("* OK");
  },
};

/** CPython's BadNewlineHandler: a CAPABILITY line ended by a bare LF. */
export const BadNewlineHandler: HandlerClass = {
  commands: {
    CAPABILITY(self, tag) {
      self._send("* CAPABILITY IMAP4rev1 AUTH\n");
      self._send_tagged(tag, "OK", "CAPABILITY completed");
    },
  },
};

/** NewIMAPTestsMixin.test_linetoolong's TooLongHandler: a greeting of 18 bytes (limit 10). */
export const TooLongHandler: HandlerClass = {
  handle(self) {
    // send response line longer than the limit set below
    self._send("* OK " + "x".repeat(11) + "\r\n");
  },
};

/**
 * ThreadedNetworkedTests.test_linetoolong's TooLongHandler: `b'* OK ' + _MAXLINE * b'x'`, with
 * the default `maxLineBytes` (DEFAULT_MAX_LINE_BYTES) for `_MAXLINE`.
 */
export const TooLongHandler_MAXLINE: HandlerClass = {
  handle(self) {
    // Send a very long response line
    const line = new Uint8Array(5 + DEFAULT_MAX_LINE_BYTES + 2).fill(0x78);
    line.set(encoder.encode("* OK "), 0);
    line.set([0x0d, 0x0a], line.length - 2);
    self._send(line);
  },
};

/** test_truncated_large_literal's BadHandler: '* OK {size}' and 'IMAP4rev1', then EOF. */
export function truncatedLiteralHandler(size: bigint): HandlerClass {
  return {
    handle(self) {
      self._send_textline(`* OK {${size}}`);
      self._send_textline("IMAP4rev1");
    },
  };
}

/**
 * test_truncated_large_literal's check of the abort for a literal of 2**`exponent` bytes: up to
 * `maxLiteralBytes` (DEFAULT_MAX_LITERAL_BYTES) the decoder waits for the literal and the EOF is
 * IMAP4ConnectionError; above it the marker itself is refused with IMAP4LimitError, and from
 * 2**53 on (beyond an exact JS number) it is IMAP4ProtocolError.
 */
export function assertTruncatedLiteralAbort(error: Error, exponent: number): void {
  const size = 1n << BigInt(exponent);
  if (size <= BigInt(DEFAULT_MAX_LITERAL_BYTES)) {
    assert.ok(error instanceof IMAP4ConnectionError, `size=2**${exponent}: ${error}`);
  } else if (size <= BigInt(Number.MAX_SAFE_INTEGER)) {
    assert.ok(error instanceof IMAP4LimitError, `size=2**${exponent}: ${error}`);
    assert.equal(error.limitName, "maxLiteralBytes");
  } else {
    // A count no JS number holds exactly is a malformed marker.
    assert.ok(error instanceof IMAP4ProtocolError, `size=2**${exponent}: ${error}`);
  }
}

/** test_imaplib_timeout_functionality_test's TimeoutHandler: SimpleIMAPHandler after `ms`. */
export function timeoutHandler(ms: number): HandlerClass {
  return {
    async handle(self, commands) {
      await sleep(ms);
      await simpleHandle(self, commands);
    },
  };
}

/** test_lsub's LsubCmd: one LSUB line. */
export const LsubCmd: HandlerClass = {
  commands: {
    LSUB(self, tag) {
      self._send_textline('* LSUB () "." directoryA');
      self._send_tagged(tag, "OK", "LSUB completed");
    },
  },
};

/**
 * test_bracket_flags's BracketFlagHandler, with its own `flags` (STORE adds to them): FLAGS
 * and PERMANENTFLAGS with flags containing '[' and ']', and the FETCH answering STORE.
 */
export function bracketFlagHandler(): HandlerClass {
  const flags = ["Answered", "Flagged", "Deleted", "Seen", "Draft"];
  return {
    commands: {
      AUTHENTICATE: fakeAuthenticate,
      SELECT(self, tag) {
        const flag_msg = flags.join(" \\");
        self._send_line(encoder.encode(`* FLAGS (${flag_msg})`));
        self._send_line(encoder.encode("* 2 EXISTS"));
        self._send_line(encoder.encode("* 0 RECENT"));
        // CPython's message: no '(' before the flags, and the ')' is kept.
        const msg = `* OK [PERMANENTFLAGS ${flag_msg} \\*)] Flags permitted.`;
        self._send_line(encoder.encode(msg));
        self._send_tagged(tag, "OK", "[READ-WRITE] SELECT completed.");
      },
      STORE(self, tag, args) {
        const new_flags = args[2].replace(/^\(+/, "").replace(/\)+$/, "").split(/\s+/);
        flags.push(...new_flags);
        const flags_msg = `(FLAGS (${flags.join(" \\")}))`;
        self._send_line(encoder.encode(`* ${args[0]} FETCH ${flags_msg}`));
        self._send_tagged(tag, "OK", "STORE completed.");
      },
    },
  };
}
