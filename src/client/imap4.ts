/**
 * The imaplib surface: `IMAP4`, one method per IMAP command, `[type, data]` results, imaplib's
 * errors and messages. (`IMAP4_SSL` is in imap4_ssl.ts, the options in connect_options.ts.)
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import { IMAP4Abort, IMAP4Error, IMAP4Readonly } from "../errors.ts";
import { type Authenticator, cramMd5Auth, initialResponse, processor } from "../auth.ts";
import { Time2Internaldate } from "../functions.ts";
import { type IdleOptions, type Idler, startIdle } from "./idler.ts";
import { decodeText } from "../wire/bytes.ts";
import { ClientCore } from "./core.ts";
import { IMAP4Streaming } from "./streaming.ts";
import { type Data, illegalState, type Result, type Session } from "../session/session.ts";
import { COMMANDS, type State } from "../session/states.ts";
import { openTransport } from "../transport/open.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { ConnectOptions } from "./options.ts";
import { type CommandOptions, connectTimeoutOf } from "../session/options.ts";
import {
  type Arg,
  type ArgsAndOptions,
  astring,
  lastText,
  listArgs,
  parenthesized,
  raw,
  splitOptions,
  text,
} from "./args.ts";

export type { Arg, ArgsAndOptions } from "./args.ts";
export type { CommandOptions } from "../session/options.ts";
export type { ConnectOptions } from "./options.ts";

/** imaplib's `IMAP4_PORT`. */
export const IMAP4_PORT = 143;
/** imaplib's `IMAP4_SSL_PORT`. */
export const IMAP4_SSL_PORT = 993;

/**
 * An IMAP4rev1 client: CPython 3.14's `imaplib.IMAP4` on Web Streams.
 *
 * Create one with {@linkcode IMAP4.connect} (imaplib's constructor: connects, reads the
 * greeting, asks CAPABILITY) or {@linkcode IMAP4.fromTransport}. Every command is a method with
 * imaplib's name and argument order and resolves to imaplib's `[type, data]`:
 * `type` is the status (`"OK"`, `"NO"`), `data` the list of untagged data or the tagged text,
 * each item a `Uint8Array`, a `[header, literal]` pair, or `null`.
 *
 * Commands may be called without awaiting the previous one: they run one at a time, in call
 * order, and each gets exactly its own responses.
 *
 * Errors: {@linkcode IMAP4.error} for refused or illegal commands (the connection stays
 * usable), {@linkcode IMAP4.abort} when the connection is gone (it has been closed),
 * {@linkcode IMAP4.readonly} when the mailbox became read-only. `BAD` replies throw
 * `IMAP4.error`; `NO` replies are returned as `["NO", [text]]` except for LOGIN, IDLE and the
 * others imaplib raises on.
 *
 * Arguments: mailbox and user names are quoted (or sent as literals) when the IMAP grammar needs
 * it; other arguments (sequence sets, search criteria, fetch items, flag lists) are sent as you
 * write them, as imaplib does. An argument containing NUL, CR or LF throws
 * `IMAP4ArgumentError` before anything is sent.
 *
 * Cancelling (beyond imaplib): every command method takes a {@linkcode CommandOptions} object
 * after imaplib's arguments (`M.fetch("1:*", "(FLAGS)", { signal })`, also after varargs:
 * `M.search(null, "UNSEEN", { signal })`). Aborted while queued, the command is dropped unsent;
 * in flight, its reply is awaited and discarded (`IMAP4CancelledError`, connection usable) or,
 * past `cancelGraceSeconds`, the connection is closed (`IMAP4TimeoutError`). The methods that
 * send no command (`response`, `shutdown`, `socket`, `send`, `print_log`) take none; `idle()`
 * has its own `signal`, which ends the IDLE.
 *
 * @example Reading unseen mail
 * ```ts ignore
 * import { IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, {
 *   starttls: true, timeout: 30,
 * });
 * await M.login("alice", "secret");
 * await M.select("INBOX");
 * const [, [ids]] = await M.search(null, "UNSEEN");
 * for (const num of new TextDecoder().decode(ids as Uint8Array).split(" ").filter(Boolean)) {
 *   const [, data] = await M.fetch(num, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
 *   console.log(new TextDecoder().decode((data[0] as [Uint8Array, Uint8Array])[1]));
 * }
 * ```
 */
export class IMAP4 extends IMAP4Streaming implements AsyncDisposable {
  /** imaplib's `IMAP4.error`: a logical error; see {@linkcode IMAP4Error}. */
  static readonly error: typeof IMAP4Error = IMAP4Error;
  /** imaplib's `IMAP4.abort`: the connection is gone; see {@linkcode IMAP4Abort}. */
  static readonly abort: typeof IMAP4Abort = IMAP4Abort;
  /** imaplib's `IMAP4.readonly`: mailbox became read-only; see {@linkcode IMAP4Readonly}. */
  static readonly readonly: typeof IMAP4Readonly = IMAP4Readonly;

  /** imaplib's `host`: the host passed to `connect()` (`""` for a transport). */
  host = "";
  /** imaplib's `port`. */
  port = 0;
  /** imaplib's `welcome`: the greeting line, without CRLF. */
  welcome: Uint8Array = new Uint8Array(0);
  /**
   * imaplib's `debug` level: 0 silent; 1 connection events and NO/BAD/BYE responses; 3 adds
   * capabilities; 4 adds every line sent and received (`> b'...'`, `< b'...'`) and literal
   * sizes; 5 adds every change of the untagged store. Output goes to {@linkcode IMAP4.logger}.
   * Below 4 the last 10 interactions are kept for {@linkcode IMAP4.print_log}.
   * @default {0}
   */
  debug = 0;

  readonly #core: ClientCore;
  readonly #options: ConnectOptions;

  /**
   * Makes an unconnected client; use {@linkcode IMAP4.connect} or
   * {@linkcode IMAP4.fromTransport} instead, which connect it.
   * @param options See {@linkcode ConnectOptions}.
   * @throws {RangeError} for a bad `timeout` or limit.
   */
  constructor(options: ConnectOptions = {}) {
    super();
    this.#options = options;
    this.#core = new ClientCore(this, options, {
      send: (bytes) => this.send(bytes),
      debugLevel: () => this.debug,
      log: (line) => this.logger(line),
    });
  }

  /**
   * Where debug output goes (imaplib writes to stderr): one line per call, already time-stamped
   * `  MM:SS.cc text` as imaplib's `_mesg`. Replace it to capture or silence the output.
   * LOGIN arguments and AUTHENTICATE responses never reach it.
   */
  logger: (line: string) => void = (line) => console.error(line);

  /**
   * Connects to `host:port` (imaplib's `IMAP4(host, port, timeout)`): opens the connection
   * with {@linkcode IMAP4.open}, reads the greeting, asks CAPABILITY and, with
   * `options.starttls`, upgrades to TLS before returning.
   *
   * @param host Host name or address; `""` means `localhost`. Default: `""`.
   * @param port TCP port. Default: `143`.
   * @param options See {@linkcode ConnectOptions}.
   * @returns The connected client, in state `NONAUTH` (or `AUTH` after PREAUTH).
   * @throws {IMAP4ConnectionError} if the connection fails (refused, DNS, reset).
   * @throws {IMAP4TimeoutError} if `timeout` passes or `signal` aborts first.
   * @throws {IMAP4TlsError} on TLS failure, or PREAUTH when STARTTLS is required.
   * @throws {IMAP4Error} if the greeting is BYE (imaplib raises `error(welcome)`), there is no
   *   CAPABILITY response, or the server is not IMAP4 compliant.
   *
   * @example
   * ```ts ignore
   * const M = await IMAP4.connect("localhost", 143, { timeout: 10 });
   * ```
   */
  static async connect<T extends IMAP4>(
    this: new (options?: ConnectOptions) => T,
    host?: string,
    port?: number,
    options?: ConnectOptions,
  ): Promise<T> {
    host ??= "";
    port ??= IMAP4_PORT;
    options ??= {};
    const client = new this(options);
    client.host = host;
    client.port = port;
    const clock = client.#core.session.connection.clock;
    const startedMs = clock.now();
    const transport = await client.open(host, port, connectTimeoutOf(options));
    const durationMs = clock.now() - startedMs;
    client.#core.session.log({ level: "info", event: "connect", host, port, durationMs });
    await client.#start(transport);
    return client;
  }

  /**
   * Connects over an existing transport (any readable/writable byte stream pair, e.g. from
   * `cloudflare:sockets`), then reads the greeting as {@linkcode IMAP4.connect} does.
   *
   * @param transport The connection; see {@linkcode Transport}.
   * @param options See {@linkcode ConnectOptions} (`host` for STARTTLS goes in `tls.hostname`).
   * @returns The connected client.
   * @throws The errors of {@linkcode IMAP4.connect}, except those of opening.
   *
   * @example
   * ```ts ignore
   * const M = await IMAP4.fromTransport({ readable, writable, close: () => socket.close() });
   * ```
   */
  static async fromTransport<T extends IMAP4>(
    this: new (options?: ConnectOptions) => T,
    transport: Transport,
    options?: ConnectOptions,
  ): Promise<T> {
    options ??= {};
    const client = new this(options);
    client.host = options.tls?.hostname ?? "";
    await client.#start(transport);
    return client;
  }

  async #start(transport: Transport): Promise<void> {
    const greeting = await this.#core.start(transport, this.host || "localhost");
    this.welcome = greeting.welcome;
  }

  // ---- Overridable low-level methods (imaplib's "Overridable methods") ----

  /**
   * Opens the connection (imaplib's `open(host, port, timeout)`). Override to supply your own
   * transport; `connect()` calls it.
   *
   * @param host Host name or address; `""` means `localhost`.
   * @param port TCP port.
   * @param timeout Seconds the attempt may take.
   * @returns The transport for this connection.
   * @throws {IMAP4ConnectionError} if the connection fails.
   * @throws {IMAP4TimeoutError} if `timeout` passes or the `signal` option aborts.
   */
  open(host?: string, port?: number, timeout?: number): Promise<Transport> {
    host ??= "";
    port ??= IMAP4_PORT;
    const { signal, clock, starttls } = this.#options;
    const where = { hostname: host || "localhost", port, upgradable: starttls === true };
    return openTransport(where, timeout, signal, clock);
  }

  /**
   * Sends bytes to the server (imaplib's `send(data)`); every command goes through it.
   * @throws {IMAP4ConnectionError} if the write fails (the connection is closed).
   */
  send(data: Uint8Array): Promise<void> {
    return this.#core.session.connection.write(data);
  }

  /**
   * Reads `size` raw bytes from the connection (imaplib's `read(size)`), bypassing the protocol
   * decoder. Only between commands; overriding it does not change how responses are read.
   * @throws {IMAP4Error} while a response is partly received, or while IDLE or a FETCH stream
   *   holds the connection.
   */
  read(size: number, options?: CommandOptions): Promise<Uint8Array> {
    if (!Number.isSafeInteger(size) || size < 0) {
      return Promise.reject(new RangeError(`size must be an integer >= 0, got ${size}`));
    }
    return this.#core.run("read()", (session) => session.connection.readRaw(size), options);
  }

  /**
   * Reads one raw line, LF included (imaplib's `readline()`); see {@linkcode IMAP4.read}.
   * @throws {IMAP4Error} as {@linkcode IMAP4.read}.
   */
  readline(options?: CommandOptions): Promise<Uint8Array> {
    const read = (session: Session) => session.connection.readRaw("line");
    return this.#core.run("readline()", read, options);
  }

  /**
   * imaplib's `print_log()`: writes the last 10 interactions kept below debug level 4 to
   * {@linkcode IMAP4.logger}, oldest first (credentials redacted).
   */
  print_log(): void {
    this.#core.session.trace.printLog();
  }

  /** Closes the connection (imaplib's `shutdown()`) without LOGOUT. Idempotent. */
  shutdown(): Promise<void> {
    return this.#core.session.close();
  }

  /** The transport in use (imaplib's `socket()`), or `null` once closed. */
  socket(): Transport | null {
    return this.#core.session.connection.transport;
  }

  // ---- Attributes ----

  /** imaplib's `capabilities`: the server's capabilities, upper case. */
  get capabilities(): readonly string[] {
    return this.#core.session.capabilities;
  }

  /** imaplib's `state`: `LOGOUT`, `NONAUTH`, `AUTH`, `SELECTED`, or `IDLING`. */
  get state(): State {
    return this.#core.session.state;
  }

  /** imaplib's `untagged_responses`: `{type: [data, ...]}`, cleared by `select()`. */
  get untagged_responses(): Record<string, Data[]> {
    return this.#core.session.store.responses;
  }

  /**
   * imaplib's `PROTOCOL_VERSION`: `"IMAP4REV1"` or `"IMAP4"` from the greeting's capabilities
   * (`"IMAP4REV2"` for a server that offers only IMAP4rev2), `"IMAP4REV2"` after
   * `enableImap4rev2()` (RFC 9051). Assignable, as in imaplib.
   */
  get PROTOCOL_VERSION(): string {
    return this.#core.session.protocolVersion;
  }
  set PROTOCOL_VERSION(version: string) {
    this.#core.session.setProtocolVersion(version);
  }

  /** imaplib's `utf8_enabled`: true after the server accepted `ENABLE UTF8=ACCEPT`. */
  get utf8_enabled(): boolean {
    return this.#core.session.utf8;
  }

  /** imaplib's `is_readonly`: the mailbox was selected with `readonly`. */
  get is_readonly(): boolean {
    return this.#core.session.isReadonly;
  }

  /** imaplib's `continuation_response`: the text of the last `+` request (`null` for bare `+`). */
  get continuation_response(): Uint8Array | null {
    return this.#core.session.continuation;
  }

  /** imaplib's `tagged_commands`: tag -> `null` while pending, `[status, [text]]` when done. */
  get tagged_commands(): ReadonlyMap<string, Result | null> {
    return this.#core.session.tagged;
  }

  // ---- Commands ----

  /**
   * APPEND (RFC 3501 section 6.3.11): appends `message` to `mailbox`.
   *
   * Bare CR and LF in `message` become CRLF (imaplib's MapCRLF). In UTF-8 mode the message is
   * sent as `UTF8 (~{N}...)` (RFC 6855). The literal is sent only after the server's `+`. A
   * message of megabytes is encoded, mapped and written a part at a time in the command's turn,
   * so the event loop keeps running; aborted before it is sent, nothing is sent.
   *
   * @param mailbox Mailbox name; `null`/`""` means INBOX.
   * @param flags Flag list, e.g. `"\\Seen"`; parenthesized if not already; `null` for none.
   * @param date_time INTERNALDATE: a `Date`, epoch seconds, or a quoted string (see
   *   `Time2Internaldate`); `null` for the server's time.
   * @param message The message, RFC 5322 bytes (a string is sent as UTF-8).
   * @returns `["OK", [text]]`; the APPENDUID code (RFC 4315) is in `response("APPENDUID")`.
   * @throws {IMAP4Error} on BAD or in the wrong state.
   *
   * @example
   * ```ts ignore
   * await M.append("INBOX", "\\Seen", new Date(), "Subject: hi\r\n\r\nhello\r\n");
   * ```
   */
  append(
    mailbox: Arg | null,
    flags: Arg | null,
    date_time: Date | number | string | null,
    message: Arg,
    options?: CommandOptions,
  ): Promise<Result> {
    const args: Argument[] = [
      astring(mailbox && text(mailbox) ? mailbox : "INBOX"),
      raw(flags && text(flags) ? parenthesized(flags) : null),
      raw(date_time ? Time2Internaldate(date_time) : null),
    ];
    return this.#core.append(args, message, false, options);
  }

  /**
   * AUTHENTICATE (RFC 3501 section 6.2.2): a SASL exchange driven by `authobject`, which is
   * called with each base64-decoded challenge and returns the answer (base64-encoded for it),
   * or `null` to cancel with `*`. Capabilities are refreshed afterwards. When the server
   * advertises SASL-IR (RFC 4959) and the mechanism is client-first (PLAIN, XOAUTH2,
   * OAUTHBEARER, SCRAM-*, EXTERNAL, ANONYMOUS), the answer to the first (empty) challenge goes
   * on the AUTHENTICATE line, base64 (`=` when empty), saving a round trip; it never shows in
   * the debug trace.
   *
   * @param mechanism SASL mechanism, e.g. `"PLAIN"`, `"XOAUTH2"` (upper-cased, as imaplib).
   * @param authobject See {@linkcode Authenticator}; ready ones: `plainAuth`, `xoauth2Auth`,
   *   `cramMd5Auth`, `scramAuth`, `oauthBearerAuth`.
   * @returns `["OK", [text]]`; the state becomes AUTH.
   * @throws {IMAP4Error} with the server's text on NO (or the authenticator's own error from
   *   its `finish`); on BAD as every command; when the authenticator cancels the initial
   *   response (nothing is sent then).
   * @throws {IMAP4Abort} when the server says OK before the mechanism completed (SCRAM without
   *   a verified server signature): the connection is closed.
   *
   * @example
   * ```ts ignore
   * import { plainAuth } from "@imaplib/imaplib";
   * await M.authenticate("PLAIN", plainAuth("alice", "secret"));
   * ```
   */
  authenticate(
    mechanism: string,
    authobject: Authenticator,
    options?: CommandOptions,
  ): Promise<Result> {
    return this.#core.run("AUTHENTICATE", async (session) => {
      const mech = mechanism.toUpperCase();
      session.checkState("AUTHENTICATE");
      const answer = processor(authobject);
      const initial = await initialResponse(mech, session.capabilities, answer);
      const [type, data] = await session.simple(
        "AUTHENTICATE",
        [raw(mech), ...initial.map(raw)],
        answer,
      );
      try {
        authobject.finish?.(type, lastText(data));
      } catch (error) {
        // An OK the mechanism did not complete (SCRAM without the server's proof): logged in
        // to a server that is not trusted, so the connection ends.
        if (type === "OK") throw session.fail(new IMAP4Abort((error as Error).message));
        throw error;
      }
      if (type !== "OK") throw new IMAP4Error(lastText(data));
      session.setState("AUTH");
      await this.#core.refreshCapabilities();
      return [type, data];
    }, options);
  }

  /**
   * imaplib's `login_cram_md5(user, password)`: AUTHENTICATE CRAM-MD5 (RFC 2195).
   * @returns `["OK", [text]]`.
   * @throws {IMAP4Error} as {@linkcode IMAP4.authenticate}.
   */
  login_cram_md5(
    user: string,
    password: string | Uint8Array,
    options?: CommandOptions,
  ): Promise<Result> {
    return this.authenticate("CRAM-MD5", cramMd5Auth(user, password), options);
  }

  /**
   * CAPABILITY (RFC 3501 section 6.1.1).
   * @returns `["OK", [capabilities]]`, the capability list as one bytes item.
   * @example
   * ```ts ignore
   * const [, [caps]] = await M.capability();
   * ```
   */
  capability(options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("CAPABILITY", [], undefined, options);
  }

  /** CHECK (RFC 3501 section 6.4.1): checkpoint the mailbox. @returns `["OK", [text]]`. */
  check(options?: CommandOptions): Promise<Result> {
    return this.#core.simple("CHECK", [], options);
  }

  /**
   * CLOSE (RFC 3501 section 6.4.2): closes the mailbox, expunging deleted messages. The state
   * becomes AUTH even if the command fails, as imaplib does.
   * @returns `["OK", [text]]`.
   */
  close(options?: CommandOptions): Promise<Result> {
    return this.#core.leaveMailbox("CLOSE", options);
  }

  /**
   * COPY (RFC 3501 section 6.4.7).
   * @param message_set Sequence set, e.g. `"1:3"`. @param new_mailbox Destination mailbox.
   * @returns `["OK", [text]]`; COPYUID is in `response("COPYUID")`.
   */
  copy(message_set: Arg, new_mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("COPY", [raw(message_set), astring(new_mailbox)], options);
  }

  /** CREATE (RFC 3501 section 6.3.3). @param mailbox The new mailbox. */
  create(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("CREATE", [astring(mailbox)], options);
  }

  /** DELETE (RFC 3501 section 6.3.4). @param mailbox The mailbox to delete. */
  delete(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("DELETE", [astring(mailbox)], options);
  }

  /**
   * DELETEACL (RFC 4314 section 3.2): removes every right of `who` on `mailbox`.
   * @param mailbox Mailbox name. @param who Identifier, e.g. `"bob"`.
   */
  deleteacl(mailbox: Arg, who: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("DELETEACL", [astring(mailbox), astring(who)], options);
  }

  /**
   * ENABLE (RFC 5161). `UTF8=ACCEPT` switches to UTF-8 mode (RFC 6855) only when the server
   * confirms it: an `* ENABLED` line naming it, or a tagged OK while `UTF8=ACCEPT` is among the
   * capabilities.
   * @param capability E.g. `"UTF8=ACCEPT"` or `"CONDSTORE"`.
   * @returns `["OK", [text]]`; the ENABLED data is in `response("ENABLED")`.
   * @throws {IMAP4Error} "Server does not support ENABLE" without the ENABLE capability.
   */
  enable(capability: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.run("ENABLE", async (session) => {
      if (!session.capabilities.includes("ENABLE")) {
        throw new IMAP4Error("Server does not support ENABLE");
      }
      const [type, data] = await session.simple("ENABLE", [raw(capability)]);
      const wanted = text(capability).toUpperCase().includes("UTF8=ACCEPT");
      if (type === "OK" && wanted) {
        const enabled = (session.store.peek("ENABLED") ?? [])
          .some((d) => d instanceof Uint8Array && /\bUTF8=ACCEPT\b/i.test(decodeText(d)));
        if (enabled || session.capabilities.includes("UTF8=ACCEPT")) session.enableUtf8();
      }
      return [type, data];
    }, options);
  }

  /**
   * EXPUNGE (RFC 3501 section 6.4.3).
   * @returns `["OK", [numbers...]]`: the EXPUNGE responses in order, or `[null]` if none.
   */
  expunge(options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("EXPUNGE", [], undefined, options);
  }

  /**
   * FETCH (RFC 3501 section 6.4.5).
   * @param message_set Sequence set, e.g. `"1:*"`.
   * @param message_parts Fetch items, e.g. `"(FLAGS BODY.PEEK[HEADER])"`.
   * @returns `["OK", data]`: per message `b"N (ITEMS)"`, or for items with literals
   *   `[b"N (BODY[] {size}", literal]` followed by the trailing `b")"`; `[null]` if none.
   * @example
   * ```ts ignore
   * const [, data] = await M.fetch("1", "(RFC822)");
   * const [header, message] = data[0] as [Uint8Array, Uint8Array];
   * ```
   */
  fetch(message_set: Arg, message_parts: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("FETCH", [raw(message_set), raw(message_parts)], undefined, options);
  }

  /**
   * GETACL (RFC 4314 section 3.3).
   * @param mailbox Mailbox name.
   * @returns `["OK", [b'INBOX alice lrwstipekxacd']]`.
   */
  getacl(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("GETACL", [astring(mailbox)], "ACL", options);
  }

  /**
   * GETANNOTATION (draft-daboo-imap-annotatemore, as Cyrus implements it).
   * @param mailbox Mailbox name. @param entry E.g. `'"/comment"'`.
   * @param attribute E.g. `'"value.shared"'`. Both are sent as written.
   * @returns `["OK", [annotation data...]]`.
   */
  getannotation(
    mailbox: Arg,
    entry: Arg,
    attribute: Arg,
    options?: CommandOptions,
  ): Promise<Result> {
    const args = [astring(mailbox), raw(entry), raw(attribute)];
    return this.#core.untagged("GETANNOTATION", args, "ANNOTATION", options);
  }

  /**
   * GETQUOTA (RFC 9208 section 4.2).
   * @param root Quota root, e.g. `"User quota"` (quoted as needed).
   * @returns `["OK", [b'"User quota" (STORAGE 10 102400)']]`.
   */
  getquota(root: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("GETQUOTA", [astring(root)], "QUOTA", options);
  }

  /**
   * GETQUOTAROOT (RFC 9208 section 4.3).
   * @param mailbox Mailbox name.
   * @returns imaplib's two lists: `["OK", [[QUOTAROOT data...], [QUOTA data...]]]`.
   */
  getquotaroot(
    mailbox: Arg,
    options?: CommandOptions,
  ): Promise<[type: string, data: [Data[], Data[]]]> {
    return this.#core.run("GETQUOTAROOT", async (session) => {
      const [type, data] = await session.simple("GETQUOTAROOT", [astring(mailbox)]);
      const [, quota] = session.untaggedResponse(type, data, "QUOTA");
      const [typ, quotaroot] = session.untaggedResponse(type, data, "QUOTAROOT");
      return [typ, [quotaroot, quota]];
    }, options);
  }

  /**
   * IDLE (RFC 2177, CPython 3.14's `IMAP4.idle()`): starts idling and resolves once the server
   * accepted (its `+` arrived). Iterate the returned {@linkcode Idler} for untagged responses;
   * dispose of it (`await using`) to send DONE. Other commands fail while it is active.
   *
   * @param options `duration` (seconds) and/or `signal` end iteration.
   * @returns The running IDLE.
   * @throws {IMAP4Error} "Server does not support IMAP4 IDLE" without the capability, or
   *   "idle denied: ..." when the server answers NO.
   * @throws {IMAP4Abort} when it answers BAD or OK instead of `+`.
   *
   * @example Waiting up to 29 minutes for new mail
   * ```ts ignore
   * await using idler = await M.idle({ duration: 29 * 60 });
   * for await (const [type, data] of idler) {
   *   if (type === "EXISTS") break;
   * }
   * ```
   */
  idle(options?: IdleOptions): Promise<Idler> {
    options ??= {};
    return (async () => {
      const release = await this.#core.hold("IDLE", "IDLE");
      try {
        return await startIdle(this.#core.session, release, options);
      } catch (error) {
        release();
        throw error;
      }
    })();
  }

  /**
   * LIST (RFC 3501 section 6.3.8).
   * @param directory Reference name. Default: `'""'`.
   * @param pattern Mailbox pattern with `*` / `%` wildcards. Default: `"*"`.
   * @returns `["OK", [b'(\\HasNoChildren) "." INBOX', ...]]`.
   */
  list(directory?: Arg, pattern?: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("LIST", listArgs(directory, pattern), undefined, options);
  }

  /**
   * LOGIN (RFC 3501 section 6.2.3). The password is always sent quoted (or as a literal when it
   * has 8-bit bytes). Capabilities are refreshed afterwards (from the OK's CAPABILITY code or a
   * new CAPABILITY command).
   *
   * @param user User name. @param password Password.
   * @returns `["OK", [text]]`; the state becomes AUTH.
   * @throws {IMAP4Error} with the server's text if LOGIN is refused, or without writing
   *   anything if the server advertises LOGINDISABLED.
   */
  login(user: Arg, password: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.run("LOGIN", async (session) => {
      session.checkState("LOGIN");
      if (session.capabilities.includes("LOGINDISABLED")) {
        throw new IMAP4Error("LOGIN command disabled by server (LOGINDISABLED)");
      }
      const [type, data] = await session.simple("LOGIN", [
        astring(user),
        { kind: "password", value: password },
      ]);
      if (type !== "OK") throw new IMAP4Error(lastText(data));
      session.setState("AUTH");
      await this.#core.refreshCapabilities();
      return [type, data];
    }, options);
  }

  /**
   * LOGOUT (RFC 3501 section 6.1.3), then closes the connection (also if LOGOUT fails).
   * @returns `["BYE", [text]]` as imaplib does when the server says BYE first, else the tagged
   *   reply.
   */
  logout(options?: CommandOptions): Promise<Result> {
    return this.#core.run("LOGOUT", async (session) => {
      session.setState("LOGOUT");
      try {
        return await session.simple("LOGOUT");
      } finally {
        await session.close();
      }
    }, options);
  }

  /**
   * LSUB (RFC 3501 section 6.3.9).
   * @param directory Reference name. Default: `'""'`.
   * @param pattern Mailbox pattern. Default: `"*"`.
   */
  lsub(directory?: Arg, pattern?: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("LSUB", listArgs(directory, pattern), undefined, options);
  }

  /**
   * MYRIGHTS (RFC 4314 section 3.5).
   * @param mailbox Mailbox name.
   * @returns `["OK", [b'INBOX lrwstipekxacd']]`.
   */
  myrights(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("MYRIGHTS", [astring(mailbox)], "MYRIGHTS", options);
  }

  /** NAMESPACE (RFC 2342). @returns `["OK", [b'(("" ".")) NIL NIL']]`. */
  namespace(options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("NAMESPACE", [], undefined, options);
  }

  /** NOOP (RFC 3501 section 6.1.2): lets the server report changes into the untagged store. */
  noop(options?: CommandOptions): Promise<Result> {
    return this.#core.simple("NOOP", [], options);
  }

  /**
   * PARTIAL (RFC 1730, obsolete; imaplib keeps it): a byte range of one message part.
   * @param message_num Message number. @param message_part E.g. `"BODY[]"`.
   * @param start First octet. @param length Number of octets.
   * @returns `["OK", [fetch data...]]`.
   */
  partial(
    message_num: Arg,
    message_part: Arg,
    start: Arg,
    length: Arg,
    options?: CommandOptions,
  ): Promise<Result> {
    const args = [raw(message_num), raw(message_part), raw(start), raw(length)];
    return this.#core.untagged("PARTIAL", args, "FETCH", options);
  }

  /**
   * PROXYAUTH (Cyrus): an authorised administrator assumes the identity of `user`.
   * @param user The user to act as.
   */
  proxyauth(user: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("PROXYAUTH", [astring(user)], options);
  }

  /**
   * imaplib's `recent()`: the stored RECENT responses, or a NOOP to prompt for them.
   * @returns `["OK", [counts...]]`, or `["OK", [null]]` if none.
   */
  recent(options?: CommandOptions): Promise<Result> {
    return this.#core.run("NOOP", async (session) => {
      const stored = session.untaggedResponse("OK", [null], "RECENT");
      if (stored[1][stored[1].length - 1]) return stored;
      const [type, data] = await session.simple("NOOP");
      return session.untaggedResponse(type, data, "RECENT");
    }, options);
  }

  /** RENAME (RFC 3501 section 6.3.5). @param oldmailbox From. @param newmailbox To. */
  rename(oldmailbox: Arg, newmailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("RENAME", [astring(oldmailbox), astring(newmailbox)], options);
  }

  /**
   * imaplib's `response(code)`: returns and clears the stored data for `code` (an untagged
   * response type or a response code such as `UIDVALIDITY`). Synchronous: no I/O.
   * @param code E.g. `"EXISTS"`, `"APPENDUID"`.
   * @returns `[code, data]`, data `[null]` if nothing was stored.
   * @example
   * ```ts ignore
   * const [, [uidvalidity]] = M.response("UIDVALIDITY");
   * ```
   */
  response(code: string): Result {
    return this.#core.session.untaggedResponse(code, [null], code.toUpperCase());
  }

  /**
   * SEARCH (RFC 3501 section 6.4.4).
   * @param charset `null`, or a charset sent as `CHARSET name` (not allowed in UTF-8 mode).
   * @param criteria Search keys, sent as written, e.g. `"UNSEEN"`, `'(FROM "bob")'`.
   * @returns `["OK", [b"1 2 3"]]`.
   * @throws {IMAP4Error} "Non-None charset not valid in UTF8 mode".
   */
  search(charset: Arg | null, ...criteria: ArgsAndOptions): Promise<Result> {
    const [keys, options] = splitOptions(criteria);
    return this.#core.run("SEARCH", async (session) => {
      const args = keys.map(raw);
      if (charset) {
        if (session.utf8) throw new IMAP4Error("Non-None charset not valid in UTF8 mode");
        args.unshift(raw("CHARSET"), astring(charset));
      }
      const [type, data] = await session.simple("SEARCH", args);
      return session.untaggedResponse(type, data, "SEARCH");
    }, options);
  }

  /**
   * SELECT, or EXAMINE when `readonly` (RFC 3501 sections 6.3.1, 6.3.2). Clears the untagged
   * store first, as imaplib does.
   * @param mailbox Default: `"INBOX"`.
   * @param readonly Open read-only (EXAMINE). Default: `false`.
   * @returns `["OK", [count]]`: the EXISTS count; other data via `response("FLAGS")` etc.
   *   On NO: `["NO", [text]]` and the state becomes AUTH.
   * @throws {IMAP4Readonly} "`mailbox` is not writable" if the server opened it READ-ONLY
   *   although `readonly` was false.
   */
  select(mailbox?: Arg, readonly?: boolean, options?: CommandOptions): Promise<Result> {
    mailbox ??= "INBOX";
    return this.#core.select(astring(mailbox), readonly ?? false, [], options);
  }

  /**
   * SETACL (RFC 4314 section 3.1).
   * @param mailbox Mailbox name. @param who Identifier. @param what Rights, e.g. `"lrs"` or
   *   `"+w"`.
   */
  setacl(mailbox: Arg, who: Arg, what: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("SETACL", [astring(mailbox), astring(who), astring(what)], options);
  }

  /**
   * SETANNOTATION (draft-daboo-imap-annotatemore): `mailbox` then entry/attribute arguments,
   * sent as written.
   * @returns `["OK", [annotation data...]]`.
   */
  setannotation(mailbox: Arg, ...rest: ArgsAndOptions): Promise<Result> {
    const [args, options] = splitOptions(rest);
    const sent = [astring(mailbox), ...args.map(raw)];
    return this.#core.untagged("SETANNOTATION", sent, "ANNOTATION", options);
  }

  /**
   * SETQUOTA (RFC 9208 section 4.1).
   * @param root Quota root. @param limits E.g. `"(STORAGE 512)"`.
   * @returns `["OK", [quota data...]]`.
   */
  setquota(root: Arg, limits: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("SETQUOTA", [astring(root), raw(limits)], "QUOTA", options);
  }

  /**
   * SORT (RFC 5256 section 3).
   * @param sort_criteria E.g. `"(REVERSE DATE)"`; parenthesized if not already.
   * @param charset E.g. `"UTF-8"`. @param search_criteria Search keys, sent as written.
   * @returns `["OK", [b"3 1 2"]]`.
   */
  sort(sort_criteria: Arg, charset: Arg, ...search_criteria: ArgsAndOptions): Promise<Result> {
    const [keys, options] = splitOptions(search_criteria);
    const args = [raw(parenthesized(sort_criteria)), raw(charset), ...keys.map(raw)];
    return this.#core.untagged("SORT", args, undefined, options);
  }

  /**
   * STARTTLS (RFC 3501 section 6.2.1): upgrades the connection to TLS, verifying the server's
   * certificate and host name. Everything learned in clear is discarded: the untagged store is
   * emptied and capabilities are asked again over TLS. Any byte the server sent after its OK in
   * clear is treated as an injection attempt.
   *
   * @param tls Trust settings; see {@linkcode TlsOptions}. Defaults to the `tls` option.
   * @returns `["OK", [null]]` (imaplib's shape).
   * @throws {IMAP4TlsError} if TLS is already established, STARTTLS is not among the
   *   capabilities, the server refuses it, bytes were injected, or the handshake or
   *   verification fails. The connection is closed then, so nothing else goes out in clear.
   */
  starttls(tls?: TlsOptions, options?: CommandOptions): Promise<Result> {
    const upgrade = () => this.#core.starttls(tls ?? this.#options.tls ?? {});
    return this.#core.run("STARTTLS", upgrade, options);
  }

  /**
   * STATUS (RFC 3501 section 6.3.10).
   * @param mailbox Mailbox name. @param names Items, e.g. `"(MESSAGES UNSEEN)"`.
   * @returns `["OK", [b'INBOX (MESSAGES 3 UNSEEN 1)']]`.
   */
  status(mailbox: Arg, names: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.untagged("STATUS", [astring(mailbox), raw(names)], undefined, options);
  }

  /**
   * STORE (RFC 3501 section 6.4.6).
   * @param message_set Sequence set. @param command E.g. `"+FLAGS"`, `"-FLAGS.SILENT"`.
   * @param flags Flags; parenthesized if not already, e.g. `"\\Deleted"`.
   * @returns `["OK", [fetch data...]]`, the FETCH responses with the new flags.
   */
  store(message_set: Arg, command: Arg, flags: Arg, options?: CommandOptions): Promise<Result> {
    const args = [raw(message_set), raw(command), raw(parenthesized(flags))];
    return this.#core.untagged("STORE", args, "FETCH", options);
  }

  /** SUBSCRIBE (RFC 3501 section 6.3.6). @param mailbox The mailbox. */
  subscribe(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("SUBSCRIBE", [astring(mailbox)], options);
  }

  /**
   * THREAD (RFC 5256 section 3).
   * @param threading_algorithm E.g. `"REFERENCES"`. @param charset E.g. `"UTF-8"`.
   * @param search_criteria Search keys, sent as written.
   * @returns `["OK", [b"(1 2)(3)"]]`.
   */
  thread(
    threading_algorithm: Arg,
    charset: Arg,
    ...search_criteria: ArgsAndOptions
  ): Promise<Result> {
    const [keys, options] = splitOptions(search_criteria);
    const args = [raw(threading_algorithm), raw(charset), ...keys.map(raw)];
    return this.#core.untagged("THREAD", args, undefined, options);
  }

  /**
   * UID (RFC 3501 section 6.4.8; MOVE RFC 6851; UID EXPUNGE RFC 4315): runs `command` with UIDs
   * instead of sequence numbers.
   * @param command `FETCH`, `SEARCH`, `STORE`, `COPY`, `MOVE`, `EXPUNGE`, `SORT` or `THREAD`.
   * @param args The command's arguments, sent as written (the mailbox of COPY/MOVE is quoted
   *   as needed).
   * @returns As the command: SEARCH/SORT/THREAD data, else the FETCH data.
   * @throws {IMAP4Error} "Unknown IMAP4 UID command: X", or the command is illegal in this state.
   * @example
   * ```ts ignore
   * await M.uid("MOVE", "42", "Archive");
   * ```
   */
  uid(command: string, ...rest: ArgsAndOptions): Promise<Result> {
    const name = command.toUpperCase();
    const [args, options] = splitOptions(rest);
    return this.#core.run("UID", async (session) => {
      if (!Object.hasOwn(COMMANDS, name)) {
        throw new IMAP4Error(`Unknown IMAP4 UID command: ${name}`);
      }
      const states = COMMANDS[name];
      if (!states.includes(session.state)) throw illegalState(name, session.state, states);
      const typed = args.map(raw);
      if ((name === "COPY" || name === "MOVE") && typed.length > 0) {
        typed[typed.length - 1] = astring(args[args.length - 1]);
      }
      const [type, data] = await session.simple("UID", [raw(name), ...typed]);
      const responseName = name === "SEARCH" || name === "SORT" || name === "THREAD"
        ? name
        : "FETCH";
      return session.untaggedResponse(type, data, responseName);
    }, options);
  }

  /**
   * UNSELECT (RFC 3691): closes the mailbox without expunging. The state becomes AUTH even if
   * the command fails, as imaplib does.
   */
  unselect(options?: CommandOptions): Promise<Result> {
    return this.#core.leaveMailbox("UNSELECT", options);
  }

  /** UNSUBSCRIBE (RFC 3501 section 6.3.7). @param mailbox The mailbox. */
  unsubscribe(mailbox: Arg, options?: CommandOptions): Promise<Result> {
    return this.#core.simple("UNSUBSCRIBE", [astring(mailbox)], options);
  }

  /**
   * imaplib's `xatom(name, ...args)`: any extension command, e.g. `xatom("MOVE", "1", "Archive")`
   * or `xatom("ID", "NIL")`. An unknown command is allowed in the state it is first used in;
   * unlike imaplib, that rule is kept per connection, not in a global table.
   * @param name Command name (upper-cased). @param args Sent as written.
   * @returns `["OK", [text]]`; untagged data stays in the store for `response()`.
   */
  xatom(name: string, ...rest: ArgsAndOptions): Promise<Result> {
    const command = name.toUpperCase();
    const [args, options] = splitOptions(rest);
    return this.#core.run(command, (session) => {
      session.addCommand(command, [session.state]);
      return session.simple(command, args.map(raw));
    }, options);
  }

  /**
   * Sends LOGOUT unless already logged out, as imaplib's `__exit__`; connection errors are
   * ignored. Used by `await using`.
   */
  [Symbol.asyncDispose](): Promise<void> {
    return this.#core.dispose(() => this.logout());
  }
}
