/**
 * The machinery behind `IMAP4`'s commands: the session, the greeting and capabilities, running
 * commands in call order, holding the connection for IDLE and FETCH streams, STARTTLS and
 * LOGOUT on scope exit. `IMAP4` keeps only the imaplib commands.
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import { decodeText, toBytes } from "../wire/bytes.ts";
import {
  IMAP4Abort,
  IMAP4CancelledError,
  IMAP4Error,
  IMAP4Readonly,
  IMAP4TimeoutError,
  IMAP4TlsError,
} from "../errors.ts";
import { cancelGraceMsOf, type CommandOptions, connectTimeoutOf } from "../session/options.ts";
import {
  type Data,
  illegalState,
  type Result,
  Session,
  type SessionHost,
} from "../session/session.ts";
import { COMMANDS } from "../session/states.ts";
import { checkTlsOptions, type TlsOptions, type Transport } from "../transport/transport.ts";
import type { ConnectOptions } from "./options.ts";
import { pyTuple } from "./args.ts";
import { messageBytes } from "./message.ts";
import type { StreamStart } from "./streaming_run.ts";

// imaplib's `__version__`, shown at debug level 1.
const VERSION = "2.58";

// imaplib's AllowedVersions ("IMAP4REV1", "IMAP4"), then IMAP4REV2: a server that speaks only
// RFC 9051 (no IMAP4rev1 in its capabilities) is in IMAP4rev2 mode from its greeting, where
// CPython refuses it as "not IMAP4 compliant"; one offering both still gives "IMAP4REV1".
const ALLOWED_VERSIONS = ["IMAP4REV1", "IMAP4", "IMAP4REV2"];

/** What holds the connection across calls; other commands fail at once meanwhile. */
export type Holder = "IDLE" | "fetchIter()" | "fetchBody()" | "fetchBodies()";

/** What the greeting told: imaplib's `welcome` and `PROTOCOL_VERSION`. */
export interface Greeting {
  welcome: Uint8Array;
  protocolVersion: string;
}

// The core of each client, for the methods that live in base classes of `IMAP4` (streaming
// FETCH): they reach it through coreOf() instead of a field the public API would show.
const cores = new WeakMap<object, ClientCore>();

/**
 * The core of `client`, made by its constructor.
 * @throws {TypeError} if `client` was not made by `IMAP4`'s constructor.
 */
export function coreOf(client: object): ClientCore {
  const core = cores.get(client);
  if (!core) throw new TypeError("not an IMAP4 client");
  return core;
}

const CAPABILITY_LISTS = 16;
const capabilityLists = new Map<string, readonly string[]>();

/** One client's connection machinery. */
export class ClientCore {
  /** The protocol engine. */
  readonly session: Session;
  readonly #options: ConnectOptions;
  #tlsEstablished = false;
  #holder: Holder | null = null;
  readonly #cancelGraceMs: number | null;

  /**
   * Makes the core of `client` (see {@linkcode coreOf}).
   * @throws {RangeError} for a bad `timeout` or limit.
   */
  constructor(client: object, options: ConnectOptions, host: SessionHost) {
    checkTlsOptions(options.tls);
    this.#options = options;
    this.#cancelGraceMs = cancelGraceMsOf(options);
    this.session = new Session(options, host);
    cores.set(client, this);
  }

  /**
   * Starts the session on `transport` (imaplib's `_connect`): reads the greeting, asks
   * CAPABILITY and, with the `starttls` option, upgrades to TLS. Closes the transport if any
   * of it fails.
   */
  async start(transport: Transport, serverName: string): Promise<Greeting> {
    const session = this.session;
    session.attach(transport, serverName);
    try {
      return await this.#greet();
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  async #greet(): Promise<Greeting> {
    const session = this.session;
    const trace = session.trace;
    if (trace.level >= 1) {
      trace.mesg(`imaplib version ${VERSION}`);
      trace.mesg(`new IMAP4 connection, tag=${session.tagPrefix}`);
    }
    // `timeout` (a number) bounds this wait like any other; unset, connectTimeoutSeconds does.
    const boundSeconds = typeof this.#options.timeout === "number"
      ? undefined
      : connectTimeoutOf(this.#options);
    const clock = session.connection.clock;
    const greeting = await session.readGreeting(
      boundSeconds === undefined ? undefined : { untilMs: clock.now() + boundSeconds * 1000 },
    );
    if (!greeting) {
      throw session.fail(
        new IMAP4TimeoutError(
          `no greeting from the server within ${boundSeconds} s (a port that expects ` +
            "implicit TLS, such as 993, waits for the client to speak first: use IMAP4_SSL there)",
        ),
      );
    }
    const welcome = greeting.line;
    const preauth = session.store.has("PREAUTH");
    session.log({
      level: "info",
      event: "greeting",
      status: preauth ? "PREAUTH" : session.store.has("OK") ? "OK" : "BYE",
    });
    if (preauth) {
      if (this.#options.starttls) {
        throw session.fail(
          new IMAP4TlsError("PREAUTH greeting on a connection that requires STARTTLS refused"),
        );
      }
      session.setState("AUTH");
    } else if (session.store.has("OK")) {
      session.setState("NONAUTH");
    } else {
      throw new IMAP4Error(decodeText(welcome));
    }
    await this.getCapabilities();
    if (trace.level >= 3) trace.mesg(`CAPABILITIES: ${pyTuple(session.capabilities)}`);
    const protocolVersion = ALLOWED_VERSIONS.find((v) => session.capabilities.includes(v));
    if (!protocolVersion) throw new IMAP4Error("server not IMAP4 compliant");
    session.setProtocolVersion(protocolVersion);
    if (this.#options.starttls) await this.starttls(this.#options.tls ?? {});
    return { welcome, protocolVersion };
  }

  /** Asks CAPABILITY and records the answer. */
  async getCapabilities(): Promise<void> {
    const [type, data] = await this.session.simple("CAPABILITY");
    const [, caps] = this.session.untaggedResponse(type, data, "CAPABILITY");
    this.#setCapabilities(caps);
  }

  /**
   * After authentication the server may offer more (gh-63121): use the CAPABILITY code of its
   * OK, left in the store for `capability()`/`response()` as imaplib leaves it, or ask.
   */
  async refreshCapabilities(): Promise<void> {
    const fromCode = this.session.store.peek("CAPABILITY") ?? [];
    if (fromCode[fromCode.length - 1] instanceof Uint8Array) this.#setCapabilities(fromCode);
    else await this.getCapabilities();
  }

  #setCapabilities(caps: Data[]): void {
    const last = caps[caps.length - 1];
    if (!(last instanceof Uint8Array)) throw new IMAP4Error("no CAPABILITY response from server");
    const text = decodeText(last);
    // Connections to one server are told the same lists (one before login, one after): they
    // share them, so many idle connections keep one copy (the list's strings, and the line that
    // V8's sliced strings keep alive, were ~1.5 KiB per connection to Dovecot, workload (h)).
    let list = capabilityLists.get(text);
    if (!list) {
      // Bounded: a client of many servers keeps at most CAPABILITY_LISTS lists here.
      if (capabilityLists.size >= CAPABILITY_LISTS) capabilityLists.clear();
      list = Object.freeze(text.split(/\s+/).filter(Boolean).map((c) => c.toUpperCase()));
      capabilityLists.set(text, list);
    }
    this.session.setCapabilities(list);
  }

  /**
   * Runs a command body exclusively, in call order; refuses at once while held. With a
   * `signal`, see {@linkcode CommandOptions}.
   */
  run<T>(
    name: string,
    body: (session: Session) => Promise<T>,
    options?: CommandOptions,
  ): Promise<T> {
    if (this.#holder) return Promise.reject(heldError(name, this.#holder));
    const signal = options?.signal;
    if (!signal) return this.session.exclusive(() => body(this.session));
    return this.#cancellable(name, body, signal);
  }

  async #cancellable<T>(
    name: string,
    body: (session: Session) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const release = await this.#waitTurn(name, signal);
    const session = this.session;
    const stopGrace = this.graceOnAbort(name, signal);
    try {
      let value: T;
      try {
        value = await body(session);
      } catch (error) {
        // A NO or BAD of a cancelled command is discarded like its result.
        if (signal.aborted && !(error instanceof IMAP4Abort)) {
          throw new IMAP4CancelledError(name, signal.reason);
        }
        throw error;
      }
      if (signal.aborted) throw new IMAP4CancelledError(name, signal.reason);
      return value;
    } finally {
      stopGrace();
      release();
    }
  }

  // Waits for the turn of the command `name` in the queue and returns its release. With a
  // signal that aborts first, the turn passes on unused when it comes (nothing is sent) and
  // IMAP4CancelledError is thrown.
  async #waitTurn(name: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new IMAP4CancelledError(name, signal.reason);
    const turn = this.session.acquire();
    if (!signal) return turn;
    let release: () => void;
    try {
      release = await untilAborted(turn, signal);
    } catch {
      turn.then((release) => release());
      throw new IMAP4CancelledError(name, signal.reason);
    }
    if (signal.aborted) {
      release();
      throw new IMAP4CancelledError(name, signal.reason);
    }
    return release;
  }

  /**
   * @internal Once `signal` aborts, a command in flight has `cancelGraceSeconds` to complete;
   * past it its reply is given up on, and only closing keeps the connection from being out of
   * step. Returns the function that ends the watch.
   */
  graceOnAbort(name: string, signal: AbortSignal): () => void {
    const graceMs = this.#cancelGraceMs;
    if (graceMs === null) return () => {};
    const session = this.session;
    const clock = session.connection.clock;
    let timer: unknown;
    const onAbort = () => {
      timer = clock.setTimer(() => {
        timer = undefined;
        session.fail(
          new IMAP4TimeoutError(
            `${name} cancelled and not completed within ${graceMs / 1000} s: connection closed`,
            { cause: signal.reason },
          ),
        );
      }, graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
    return () => {
      signal.removeEventListener("abort", onAbort);
      if (timer !== undefined) clock.clearTimer(timer);
    };
  }

  /** imaplib's `_simple_command`, in call order. */
  simple(name: string, args: Argument[] = [], options?: CommandOptions): Promise<Result> {
    return this.run(name, (session) => session.simple(name, args), options);
  }

  /**
   * APPEND with `args` (mailbox, flags, date) and `message` as its literal, prepared in the
   * command's turn a part at a time (message.ts): MapCRLF'd for a literal, as it is for a
   * BINARY literal8 (RFC 3516). Aborted before it is sent, nothing is sent.
   */
  append(
    args: Argument[],
    message: string | Uint8Array,
    literal8: boolean,
    options?: CommandOptions,
  ): Promise<Result> {
    return this.run("APPEND", async (session) => {
      const literal = await messageBytes(message, !literal8, () => session.connection.turnIfDue());
      const signal = options?.signal;
      if (signal?.aborted) throw new IMAP4CancelledError("APPEND", signal.reason);
      const kind = literal8 ? "binary-message" : "message";
      return session.simple("APPEND", [...args, { kind, value: literal }]);
    }, options);
  }

  /** A simple command whose result is the stored untagged data of `responseName`. */
  untagged(
    name: string,
    args: Argument[],
    responseName: string = name,
    options?: CommandOptions,
  ): Promise<Result> {
    return this.run(name, async (session) => {
      const [type, data] = await session.simple(name, args);
      return session.untaggedResponse(type, data, responseName);
    }, options);
  }

  /**
   * SELECT or EXAMINE (imaplib's `select()`): clears the untagged store, and on OK moves to
   * SELECTED; on NO to AUTH. `parameters` follow the mailbox (RFC 4466's select parameters,
   * e.g. `(CONDSTORE)`, for the typed layer).
   * @throws {IMAP4Readonly} when SELECT opened the mailbox READ-ONLY.
   */
  select(
    mailbox: Argument,
    readonly: boolean,
    parameters: Argument[],
    options?: CommandOptions,
  ): Promise<Result> {
    const name = readonly ? "EXAMINE" : "SELECT";
    return this.run(name, async (session) => {
      session.checkState(name);
      session.store.clear();
      session.setReadonly(readonly);
      const [type, data] = await session.simple(name, [mailbox, ...parameters]);
      if (type !== "OK") {
        session.setState("AUTH");
        return [type, data];
      }
      session.setState("SELECTED");
      if (session.store.has("READ-ONLY") && !readonly) {
        throw new IMAP4Readonly(`${decodeText(toBytes(mailbox.value!))} is not writable`);
      }
      return [type, session.store.peek("EXISTS") ?? [null]];
    }, options);
  }

  /** CLOSE or UNSELECT: the state becomes AUTH whatever the reply, as imaplib does. */
  leaveMailbox(name: "CLOSE" | "UNSELECT", options?: CommandOptions): Promise<Result> {
    return this.run(name, async (session) => {
      try {
        return await session.simple(name);
      } finally {
        if (session.state !== "LOGOUT") session.setState("AUTH");
      }
    }, options);
  }

  /**
   * Takes the connection for a command that outlives its call (IDLE, streams): refuses at
   * once if something holds it, waits for the queue (cancelled by `signal`: the turn then
   * passes unused), checks that `commandName` is legal, then returns a release function that
   * is safe to call more than once.
   */
  async hold(holder: Holder, commandName: string, signal?: AbortSignal): Promise<() => void> {
    if (this.#holder) throw heldError(commandName, this.#holder);
    this.#holder = holder;
    let release: () => void;
    try {
      release = await this.#waitTurn(holder, signal);
    } catch (error) {
      this.#holder = null;
      throw error;
    }
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      this.#holder = null;
      release();
    };
    try {
      this.session.checkState(commandName);
    } catch (error) {
      releaseOnce();
      throw error;
    }
    return releaseOnce;
  }

  /**
   * A streaming FETCH: holds the connection (other commands fail at once) for as long as `run`
   * yields; `run` releases it. With `signal`, checked as each item arrives: aborted, the rest
   * of the command is read and dropped (within `cancelGraceSeconds`, else the connection is
   * closed), then {@linkcode IMAP4CancelledError} is thrown.
   */
  async *stream<T>(
    holder: Holder,
    name: string,
    args: Argument[],
    run: (start: StreamStart) => AsyncGenerator<T, void, undefined>,
    signal?: AbortSignal,
  ): AsyncGenerator<T, void, undefined> {
    const release = await this.hold(holder, name, signal);
    const items = run({ session: this.session, name, args, release });
    if (!signal) return yield* items;
    const stopGrace = this.graceOnAbort(name, signal);
    try {
      for await (const item of items) {
        if (signal.aborted) break;
        yield item;
      }
    } finally {
      stopGrace();
    }
    if (signal.aborted) throw new IMAP4CancelledError(holder, signal.reason);
  }

  /**
   * STARTTLS (RFC 3501 section 6.2.1) within a queued command: nothing is read past the tagged
   * OK, then the transport is upgraded and everything learned in clear is dropped.
   */
  async starttls(tls: TlsOptions): Promise<Result> {
    checkTlsOptions(tls);
    const session = this.session;
    session.checkState("STARTTLS");
    if (this.#tlsEstablished) {
      throw session.fail(new IMAP4TlsError("TLS session already established"));
    }
    if (!session.capabilities.includes("STARTTLS")) {
      throw session.fail(new IMAP4TlsError("TLS not supported by server"));
    }
    const command = await session.start("STARTTLS", [], { stopAtCompletion: true });
    const result = await command.reply();
    command.end();
    if (result[0] !== "OK") {
      throw session.fail(
        new IMAP4TlsError(`Couldn't establish TLS session: server answered ${result[0]}`),
      );
    }
    const startedMs = session.connection.clock.now();
    await session.startTls(tls);
    this.#tlsEstablished = true;
    const durationMs = session.connection.clock.now() - startedMs;
    session.log({ level: "info", event: "tls", durationMs });
    // Nothing received in clear can be trusted (capabilities, injected untagged responses).
    session.store.clear();
    session.setCapabilities([]);
    await this.getCapabilities();
    return session.untaggedResponse(result[0], result[1], "STARTTLS");
  }

  /** Sends LOGOUT unless logged out (connection errors ignored), then closes. */
  async dispose(logout: () => Promise<Result>): Promise<void> {
    try {
      if (this.session.state !== "LOGOUT") await logout();
    } catch (error) {
      if (!(error instanceof IMAP4Abort)) throw error;
    } finally {
      await this.session.close();
    }
  }
}

// `pending`, or a rejection as soon as `signal` aborts.
function untilAborted<T>(pending: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    pending.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

// A command called while IDLE or a stream holds the connection: refused at once (waiting
// would deadlock a caller who awaits it inside the loop).
function heldError(name: string, holder: Holder): IMAP4Error {
  if (holder === "IDLE" && Object.hasOwn(COMMANDS, name)) {
    return illegalState(name, "IDLING", COMMANDS[name]);
  }
  return new IMAP4Error(
    `${Object.hasOwn(COMMANDS, name) ? `command ${name}` : name} illegal while ${holder} holds ` +
      "the connection; finish or cancel it first",
  );
}
