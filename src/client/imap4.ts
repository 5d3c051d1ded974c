/**
 * The imaplib surface: `IMAP4`, one method per IMAP command, `[type, data]` results, imaplib's
 * errors and messages. (`IMAP4_SSL` is in imap4_ssl.ts, the options in connect_options.ts.)
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import { IMAP4Abort, IMAP4Error, IMAP4Readonly, IMAP4TlsError } from "../errors.ts";
import { type Authenticator, cramMd5Auth, processor } from "../auth.ts";
import { Time2Internaldate } from "../functions.ts";
import { type IdleOptions, type Idler, startIdle } from "./idler.ts";
import { decodeText } from "../wire/bytes.ts";
import {
  type BodyStream,
  type FetchedBody,
  type FetchResponse,
  type FetchStreamOptions,
  iterateBodies,
  iterateResponses,
  openBody,
} from "./fetch_stream.ts";
import { COMMANDS, type Data, type Result, Session, type State, timestamped } from "../session/session.ts";
import { openTransport } from "../transport/open.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import type { ConnectOptions } from "./options.ts";
import {
  type Arg,
  astring,
  fetchCommand,
  lastText,
  mapCrlf,
  parenthesized,
  pyTuple,
  raw,
  text,
} from "./args.ts";

export type { Arg } from "./args.ts";
export type { ConnectOptions } from "./options.ts";

/** imaplib's `IMAP4_PORT`. */
export const IMAP4_PORT = 143;
/** imaplib's `IMAP4_SSL_PORT`. */
export const IMAP4_SSL_PORT = 993;

// imaplib's `__version__`, shown at debug level 1.
const VERSION = "2.58";

// imaplib's AllowedVersions, most recent first.
const ALLOWED_VERSIONS = ["IMAP4REV1", "IMAP4"];
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
export class IMAP4 implements AsyncDisposable {
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
  /** imaplib's `PROTOCOL_VERSION`: `"IMAP4REV1"` or `"IMAP4"`. */
  PROTOCOL_VERSION = "";
  /**
   * imaplib's `debug` level: 0 silent; 1 connection events and NO/BAD/BYE responses; 3 adds
   * capabilities; 4 adds every line sent and received (`> b'...'`, `< b'...'`) and literal
   * sizes; 5 adds every change of the untagged store. Output goes to {@linkcode IMAP4.logger}.
   * Below 4 the last 10 interactions are kept for {@linkcode IMAP4.print_log}.
   * @default {0}
   */
  debug = 0;

  readonly #session: Session;
  readonly #options: ConnectOptions;
  #tlsEstablished = false;
  // What holds the connection across calls (IDLE, a FETCH stream); other commands fail at once.
  #busy: "IDLE" | "fetchIter()" | "fetchBody()" | "fetchBodies()" | null = null;

  /**
   * Makes an unconnected client; use {@linkcode IMAP4.connect} or
   * {@linkcode IMAP4.fromTransport} instead, which connect it.
   * @param options See {@linkcode ConnectOptions}.
   * @throws {RangeError} for a bad `timeout` or limit.
   */
  constructor(options: ConnectOptions = {}) {
    this.#options = options;
    this.#session = new Session(options);
    this.#session.sendHook = (bytes) => this.send(bytes);
    this.#session.debugLevel = () => this.debug;
    this.#session.mesg = (text) => this.logger(timestamped(text));
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
   * @param host Host name or address; `""` means `localhost`. @default {""}
   * @param port TCP port. @default {143}
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
    host = "",
    port: number = IMAP4_PORT,
    options: ConnectOptions = {},
  ): Promise<T> {
    const client = new this(options);
    client.host = host;
    client.port = port;
    const transport = await client.open(host, port, options.timeout);
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
    options: ConnectOptions = {},
  ): Promise<T> {
    const client = new this(options);
    client.host = options.tls?.hostname ?? "";
    await client.#start(transport);
    return client;
  }

  async #start(transport: Transport): Promise<void> {
    const session = this.#session;
    session.host = this.host || "localhost";
    session.attach(transport);
    try {
      await this.#connect();
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  // imaplib's `_connect`.
  async #connect(): Promise<void> {
    const session = this.#session;
    if (this.debug >= 1) {
      session.mesg(`imaplib version ${VERSION}`);
      session.mesg(`new IMAP4 connection, tag=${session.tagPrefix}`);
    }
    const greeting = await session.getResponse();
    if (greeting?.kind !== "untagged") {
      const line = greeting ? decodeText(greeting.line) : "";
      throw session.fail(
        new IMAP4Abort(`unexpected greeting (not an IMAP4 server?): ${JSON.stringify(line)}`),
      );
    }
    this.welcome = greeting.line;
    if (Object.hasOwn(session.untagged, "PREAUTH")) {
      if (this.#options.starttls) {
        throw session.fail(
          new IMAP4TlsError("PREAUTH greeting on a connection that requires STARTTLS refused"),
        );
      }
      session.state = "AUTH";
    } else if (Object.hasOwn(session.untagged, "OK")) {
      session.state = "NONAUTH";
    } else {
      throw new IMAP4Error(decodeText(this.welcome));
    }
    await this.#getCapabilities();
    if (this.debug >= 3) session.mesg(`CAPABILITIES: ${pyTuple(session.capabilities)}`);
    const version = ALLOWED_VERSIONS.find((v) => session.capabilities.includes(v));
    if (!version) throw new IMAP4Error("server not IMAP4 compliant");
    this.PROTOCOL_VERSION = version;
    if (this.#options.starttls) await this.#starttls(this.#options.tls ?? {});
  }

  async #getCapabilities(): Promise<void> {
    const session = this.#session;
    const [type, data] = await session.simple("CAPABILITY");
    const [, caps] = session.untaggedResponse(type, data, "CAPABILITY");
    this.#setCapabilities(caps);
  }

  #setCapabilities(caps: Data[]): void {
    const last = caps[caps.length - 1];
    if (!(last instanceof Uint8Array)) {
      throw new IMAP4Error("no CAPABILITY response from server");
    }
    this.#session.capabilities = decodeText(last).toUpperCase().split(/\s+/).filter(Boolean);
  }

  // Runs a command body exclusively, in call order; refuses at once while IDLE is active.
  #run<T>(name: string, body: (session: Session) => Promise<T>): Promise<T> {
    if (this.#busy) return Promise.reject(busyError(name, this.#busy));
    return this.#session.exclusive(() => body(this.#session));
  }

  #simple(name: string, args: Argument[] = []): Promise<Result> {
    return this.#run(name, (session) => session.simple(name, args));
  }

  #untagged(name: string, args: Argument[], responseName = name): Promise<Result> {
    return this.#run(name, async (session) => {
      const [type, data] = await session.simple(name, args);
      return session.untaggedResponse(type, data, responseName);
    });
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
  open(host = "", port: number = IMAP4_PORT, timeout?: number): Promise<Transport> {
    return openTransport({ hostname: host || "localhost", port }, timeout, this.#options.signal);
  }

  /**
   * Sends bytes to the server (imaplib's `send(data)`); every command goes through it.
   * @throws {IMAP4ConnectionError} if the write fails (the connection is closed).
   */
  send(data: Uint8Array): Promise<void> {
    return this.#session.write(data);
  }

  /**
   * Reads `size` raw bytes from the connection (imaplib's `read(size)`), bypassing the protocol
   * decoder. Only between commands; overriding it does not change how responses are read.
   * @throws {IMAP4Error} while a response is partly received, or while IDLE or a FETCH stream
   *   holds the connection.
   */
  read(size: number): Promise<Uint8Array> {
    if (!Number.isSafeInteger(size) || size < 0) {
      return Promise.reject(new RangeError(`size must be an integer >= 0, got ${size}`));
    }
    return this.#run("read()", (session) => session.readRaw(size));
  }

  /**
   * Reads one raw line, LF included (imaplib's `readline()`); see {@linkcode IMAP4.read}.
   * @throws {IMAP4Error} as {@linkcode IMAP4.read}.
   */
  readline(): Promise<Uint8Array> {
    return this.#run("readline()", (session) => session.readRaw("line"));
  }

  /**
   * imaplib's `print_log()`: writes the last 10 interactions kept below debug level 4 to
   * {@linkcode IMAP4.logger}, oldest first (credentials redacted).
   */
  print_log(): void {
    const kept = this.#session.interactions;
    this.logger(timestamped(`last ${kept.length} IMAP4 interactions:`));
    for (const { text, atMs } of kept) this.logger(timestamped(text(), atMs));
  }

  /** Closes the connection (imaplib's `shutdown()`) without LOGOUT. Idempotent. */
  shutdown(): Promise<void> {
    return this.#session.close();
  }

  /** The transport in use (imaplib's `socket()`), or `null` once closed. */
  socket(): Transport | null {
    return this.#session.transport;
  }

  // ---- Attributes ----

  /** imaplib's `capabilities`: the server's capabilities, upper case. */
  get capabilities(): readonly string[] {
    return this.#session.capabilities;
  }

  /** imaplib's `state`: `LOGOUT`, `NONAUTH`, `AUTH`, `SELECTED`, or `IDLING`. */
  get state(): State {
    return this.#session.state;
  }

  /** imaplib's `untagged_responses`: `{type: [data, ...]}`, cleared by `select()`. */
  get untagged_responses(): Record<string, Data[]> {
    return this.#session.untagged;
  }

  /** imaplib's `utf8_enabled`: true after the server accepted `ENABLE UTF8=ACCEPT`. */
  get utf8_enabled(): boolean {
    return this.#session.utf8;
  }

  /** imaplib's `is_readonly`: the mailbox was selected with `readonly`. */
  get is_readonly(): boolean {
    return this.#session.isReadonly;
  }

  /** imaplib's `continuation_response`: the text of the last `+` request (`null` for bare `+`). */
  get continuation_response(): Uint8Array | null {
    return this.#session.continuation;
  }

  /** imaplib's `tagged_commands`: tag -> `null` while pending, `[status, [text]]` when done. */
  get tagged_commands(): ReadonlyMap<string, Result | null> {
    return this.#session.tagged;
  }

  // ---- Commands ----

  /**
   * APPEND (RFC 3501 section 6.3.11): appends `message` to `mailbox`.
   *
   * Bare CR and LF in `message` become CRLF (imaplib's MapCRLF). In UTF-8 mode the message is
   * sent as `UTF8 (~{N}...)` (RFC 6855). The literal is sent only after the server's `+`.
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
  ): Promise<Result> {
    const bytes = typeof message === "string" ? new TextEncoder().encode(message) : message;
    const args: Argument[] = [
      astring(mailbox && text(mailbox) ? mailbox : "INBOX"),
      raw(flags && text(flags) ? parenthesized(flags) : null),
      raw(date_time ? Time2Internaldate(date_time) : null),
      { kind: "message", value: mapCrlf(bytes) },
    ];
    return this.#simple("APPEND", args);
  }

  /**
   * AUTHENTICATE (RFC 3501 section 6.2.2): a SASL exchange driven by `authobject`, which is
   * called with each base64-decoded challenge and returns the answer (base64-encoded for it),
   * or `null` to cancel with `*`. Capabilities are refreshed afterwards.
   *
   * @param mechanism SASL mechanism, e.g. `"PLAIN"`, `"XOAUTH2"` (upper-cased, as imaplib).
   * @param authobject See {@linkcode Authenticator}; ready ones: `plainAuth`, `xoauth2Auth`,
   *   `cramMd5Auth`.
   * @returns `["OK", [text]]`; the state becomes AUTH.
   * @throws {IMAP4Error} with the server's text on NO; on BAD as every command.
   *
   * @example
   * ```ts ignore
   * import { plainAuth } from "@imaplib/imaplib";
   * await M.authenticate("PLAIN", plainAuth("alice", "secret"));
   * ```
   */
  authenticate(mechanism: string, authobject: Authenticator): Promise<Result> {
    return this.#run("AUTHENTICATE", async (session) => {
      const mech = mechanism.toUpperCase();
      const [type, data] = await session.simple("AUTHENTICATE", [raw(mech)], processor(authobject));
      if (type !== "OK") throw new IMAP4Error(lastText(data));
      session.state = "AUTH";
      await this.#refreshCapabilities();
      return [type, data];
    });
  }

  /**
   * imaplib's `login_cram_md5(user, password)`: AUTHENTICATE CRAM-MD5 (RFC 2195).
   * @returns `["OK", [text]]`.
   * @throws {IMAP4Error} as {@linkcode IMAP4.authenticate}.
   */
  login_cram_md5(user: string, password: string | Uint8Array): Promise<Result> {
    return this.authenticate("CRAM-MD5", cramMd5Auth(user, password));
  }

  /**
   * CAPABILITY (RFC 3501 section 6.1.1).
   * @returns `["OK", [capabilities]]`, the capability list as one bytes item.
   * @example
   * ```ts ignore
   * const [, [caps]] = await M.capability();
   * ```
   */
  capability(): Promise<Result> {
    return this.#untagged("CAPABILITY", []);
  }

  /** CHECK (RFC 3501 section 6.4.1): checkpoint the mailbox. @returns `["OK", [text]]`. */
  check(): Promise<Result> {
    return this.#simple("CHECK");
  }

  /**
   * CLOSE (RFC 3501 section 6.4.2): closes the mailbox, expunging deleted messages. The state
   * becomes AUTH even if the command fails, as imaplib does.
   * @returns `["OK", [text]]`.
   */
  close(): Promise<Result> {
    return this.#run("CLOSE", async (session) => {
      try {
        return await session.simple("CLOSE");
      } finally {
        if (session.state !== "LOGOUT") session.state = "AUTH";
      }
    });
  }

  /**
   * COPY (RFC 3501 section 6.4.7).
   * @param message_set Sequence set, e.g. `"1:3"`. @param new_mailbox Destination mailbox.
   * @returns `["OK", [text]]`; COPYUID is in `response("COPYUID")`.
   */
  copy(message_set: Arg, new_mailbox: Arg): Promise<Result> {
    return this.#simple("COPY", [raw(message_set), astring(new_mailbox)]);
  }

  /** CREATE (RFC 3501 section 6.3.3). @param mailbox The new mailbox. */
  create(mailbox: Arg): Promise<Result> {
    return this.#simple("CREATE", [astring(mailbox)]);
  }

  /** DELETE (RFC 3501 section 6.3.4). @param mailbox The mailbox to delete. */
  delete(mailbox: Arg): Promise<Result> {
    return this.#simple("DELETE", [astring(mailbox)]);
  }

  /**
   * DELETEACL (RFC 4314 section 3.2): removes every right of `who` on `mailbox`.
   * @param mailbox Mailbox name. @param who Identifier, e.g. `"bob"`.
   */
  deleteacl(mailbox: Arg, who: Arg): Promise<Result> {
    return this.#simple("DELETEACL", [astring(mailbox), astring(who)]);
  }

  /**
   * ENABLE (RFC 5161). `UTF8=ACCEPT` switches to UTF-8 mode (RFC 6855) only when the server
   * confirms it: an `* ENABLED` line naming it, or a tagged OK while `UTF8=ACCEPT` is among the
   * capabilities.
   * @param capability E.g. `"UTF8=ACCEPT"` or `"CONDSTORE"`.
   * @returns `["OK", [text]]`; the ENABLED data is in `response("ENABLED")`.
   * @throws {IMAP4Error} "Server does not support ENABLE" without the ENABLE capability.
   */
  enable(capability: Arg): Promise<Result> {
    return this.#run("ENABLE", async (session) => {
      if (!session.capabilities.includes("ENABLE")) {
        throw new IMAP4Error("Server does not support ENABLE");
      }
      const [type, data] = await session.simple("ENABLE", [raw(capability)]);
      const wanted = text(capability).toUpperCase().includes("UTF8=ACCEPT");
      if (type === "OK" && wanted) {
        const enabled = (session.untagged["ENABLED"] ?? [])
          .some((d) => d instanceof Uint8Array && /\bUTF8=ACCEPT\b/i.test(decodeText(d)));
        if (enabled || session.capabilities.includes("UTF8=ACCEPT")) session.utf8 = true;
      }
      return [type, data];
    });
  }

  /**
   * EXPUNGE (RFC 3501 section 6.4.3).
   * @returns `["OK", [numbers...]]`: the EXPUNGE responses in order, or `[null]` if none.
   */
  expunge(): Promise<Result> {
    return this.#untagged("EXPUNGE", []);
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
  fetch(message_set: Arg, message_parts: Arg): Promise<Result> {
    return this.#untagged("FETCH", [raw(message_set), raw(message_parts)]);
  }

  /**
   * GETACL (RFC 4314 section 3.3).
   * @param mailbox Mailbox name.
   * @returns `["OK", [b'INBOX alice lrwstipekxacd']]`.
   */
  getacl(mailbox: Arg): Promise<Result> {
    return this.#untagged("GETACL", [astring(mailbox)], "ACL");
  }

  /**
   * GETANNOTATION (draft-daboo-imap-annotatemore, as Cyrus implements it).
   * @param mailbox Mailbox name. @param entry E.g. `'"/comment"'`.
   * @param attribute E.g. `'"value.shared"'`. Both are sent as written.
   * @returns `["OK", [annotation data...]]`.
   */
  getannotation(mailbox: Arg, entry: Arg, attribute: Arg): Promise<Result> {
    return this.#untagged(
      "GETANNOTATION",
      [astring(mailbox), raw(entry), raw(attribute)],
      "ANNOTATION",
    );
  }

  /**
   * GETQUOTA (RFC 9208 section 4.2).
   * @param root Quota root, e.g. `"User quota"` (quoted as needed).
   * @returns `["OK", [b'"User quota" (STORAGE 10 102400)']]`.
   */
  getquota(root: Arg): Promise<Result> {
    return this.#untagged("GETQUOTA", [astring(root)], "QUOTA");
  }

  /**
   * GETQUOTAROOT (RFC 9208 section 4.3).
   * @param mailbox Mailbox name.
   * @returns imaplib's two lists: `["OK", [[QUOTAROOT data...], [QUOTA data...]]]`.
   */
  getquotaroot(mailbox: Arg): Promise<[type: string, data: [Data[], Data[]]]> {
    return this.#run("GETQUOTAROOT", async (session) => {
      const [type, data] = await session.simple("GETQUOTAROOT", [astring(mailbox)]);
      const [, quota] = session.untaggedResponse(type, data, "QUOTA");
      const [typ, quotaroot] = session.untaggedResponse(type, data, "QUOTAROOT");
      return [typ, [quotaroot, quota]];
    });
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
  idle(options: IdleOptions = {}): Promise<Idler> {
    if (this.#busy) return Promise.reject(busyError("IDLE", this.#busy));
    this.#busy = "IDLE";
    return (async () => {
      const releaseOnce = await this.#hold();
      try {
        return await startIdle({
          session: this.#session,
          release: releaseOnce,
          send: (bytes) => this.send(bytes),
        }, options);
      } catch (error) {
        releaseOnce();
        throw error;
      }
    })();
  }

  // Takes the connection for a command that outlives its call (IDLE, streams): waits for the
  // queue, then returns a release function that is safe to call more than once.
  async #hold(): Promise<() => void> {
    const release = await this.#session.acquire();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#busy = null;
      release();
    };
  }

  /**
   * FETCH whose responses are delivered as they arrive (beyond imaplib; what imapflow's
   * `fetch()` and go-imap's `FetchCommand.Next()` offer): each untagged response, FETCH or not,
   * is one `[type, data]` item in imaplib's shape, and memory is bounded by one response.
   *
   * The command holds the connection while iterating: other commands called meanwhile fail at
   * once (do them after the loop). Leaving the loop early (`break`, an exception) reads and
   * drops the remaining responses, so the connection stays usable.
   *
   * @param message_set Sequence set (UIDs with `{ uid: true }`).
   * @param message_parts Fetch items, e.g. `"(UID FLAGS RFC822.SIZE)"`.
   * @param options `uid`: send UID FETCH.
   * @returns An async iterator of `[type, data]`, e.g. `["FETCH", [b"1 (UID 7 FLAGS ())"]]`.
   * @throws {IMAP4Error} from the iterator when the server answers NO or BAD, or in the
   *   wrong state; {@linkcode IMAP4Abort} when the connection fails.
   *
   * @example Flags of a whole mailbox without holding them all
   * ```ts ignore
   * for await (const [type, data] of M.fetchIter("1:*", "(UID FLAGS)")) {
   *   if (type === "FETCH") console.log(new TextDecoder().decode(data[0] as Uint8Array));
   * }
   * ```
   */
  fetchIter(
    message_set: Arg,
    message_parts: Arg,
    options: FetchStreamOptions = {},
  ): AsyncGenerator<FetchResponse, void, undefined> {
    const [name, args] = fetchCommand(message_set, message_parts, options);
    return this.#stream("fetchIter()", name, args, options, iterateResponses);
  }

  // A streaming FETCH: holds the connection (other commands fail at once) for as long as
  // `run` yields, after the state check; `run` releases it.
  async *#stream<T>(
    busy: "fetchIter()" | "fetchBodies()",
    name: string,
    args: Argument[],
    options: FetchStreamOptions,
    run: (
      session: Session,
      name: string,
      args: Argument[],
      release: () => void,
    ) => AsyncGenerator<T, void, undefined>,
  ): AsyncGenerator<T, void, undefined> {
    if (this.#busy) throw busyError(name, this.#busy);
    this.#busy = busy;
    const release = await this.#hold();
    try {
      this.#session.checkState(options.uid ? "UID" : "FETCH");
    } catch (error) {
      release();
      throw error;
    }
    yield* run(this.#session, name, args, release);
  }

  /**
   * Fetches one message part as a `ReadableStream<Uint8Array>` (beyond imaplib): the bytes of
   * the literal are read from the connection only as the stream is consumed, so a 50 MB
   * message never sits in memory whole, and `maxLiteralBytes` does not apply to it.
   *
   * Read `body` to its end or cancel it (cancelling drains the rest; the connection stays
   * usable); other commands fail at once until then. `done` gives the tagged reply.
   *
   * @param message_num One message number (a UID with `{ uid: true }`).
   * @param message_part The part, e.g. `"BODY.PEEK[]"`, `"BODY.PEEK[2]"`, `"BINARY.PEEK[1]"`.
   *   @default {"BODY.PEEK[]"}
   * @param options `uid`: send UID FETCH.
   * @returns The stream with its size and FETCH header, or `null` if the server returned no
   *   literal (no such message, or an empty NIL part).
   * @throws {IMAP4Error} on NO or BAD, or in the wrong state.
   *
   * @example Saving a large message to a file
   * ```ts ignore
   * const part = await M.fetchBody("1");
   * if (part) await part.body.pipeTo((await Deno.create("message.eml")).writable);
   * ```
   */
  fetchBody(
    message_num: Arg,
    message_part: Arg = "BODY.PEEK[]",
    options: FetchStreamOptions = {},
  ): Promise<BodyStream | null> {
    if (this.#busy) return Promise.reject(busyError("FETCH", this.#busy));
    this.#busy = "fetchBody()";
    const [name, args] = fetchCommand(message_num, `(${text(message_part)})`, options);
    return (async () => {
      const release = await this.#hold();
      try {
        this.#session.checkState(options.uid ? "UID" : "FETCH");
      } catch (error) {
        release();
        throw error;
      }
      return await openBody(this.#session, name, args, release);
    })();
  }

  /**
   * FETCH of one part of many messages, each part handed over as a stream as its response
   * arrives (beyond imaplib; what go-imap's `FetchCommand.Next()` and MailKit's streaming
   * fetches give): one command for the whole set, the bytes read from the connection only as
   * each body is consumed. With a BYOB reader and one reused buffer, a mailbox of any size
   * streams in bounded memory with no copy of the bodies.
   *
   * Each item is the first literal of one FETCH response, in order. Read its `body` to the
   * end (or cancel it) before asking for the next item: asking earlier reads and drops the
   * rest of it, and reading that body afterwards fails with {@linkcode IMAP4Error}. Leaving the
   * loop early drops the rest of the command's responses, so the connection stays usable;
   * other commands called meanwhile fail at once. FETCH responses without a literal (e.g. a
   * part that is NIL), those with a second literal (when `message_part` names two parts: the
   * second is buffered) and other untagged responses go to the untagged store.
   *
   * @param message_set Sequence set (UIDs with `{ uid: true }`), e.g. `"1:*"`.
   * @param message_part The part, e.g. `"BODY.PEEK[]"`, `"BINARY.PEEK[1]"`.
   *   @default {"BODY.PEEK[]"}
   * @param options `uid`: send UID FETCH.
   * @returns An async iterator of {@linkcode FetchedBody} (`sizeBytes`, `header`, `body`).
   * @throws {IMAP4Error} from the iterator when the server answers NO or BAD, or in the wrong
   *   state; {@linkcode IMAP4Abort} when the connection fails (a body being read errors too).
   *
   * @example Saving every message of a mailbox, one reused buffer
   * ```ts ignore
   * let buffer = new Uint8Array(256 * 1024);
   * for await (const part of M.fetchBodies("1:*")) {
   *   const file = await Deno.create(`${new TextDecoder().decode(part.header).split(" ")[0]}.eml`);
   *   const reader = part.body.getReader({ mode: "byob" });
   *   for (;;) {
   *     const { value, done } = await reader.read(buffer);
   *     buffer = new Uint8Array(value!.buffer); // the read hands the buffer back
   *     if (done) break;
   *     await file.write(value);
   *   }
   *   file.close();
   * }
   * ```
   */
  fetchBodies(
    message_set: Arg,
    message_part: Arg = "BODY.PEEK[]",
    options: FetchStreamOptions = {},
  ): AsyncGenerator<FetchedBody, void, undefined> {
    const [name, args] = fetchCommand(message_set, `(${text(message_part)})`, options);
    return this.#stream("fetchBodies()", name, args, options, iterateBodies);
  }

  /**
   * LIST (RFC 3501 section 6.3.8).
   * @param directory Reference name. @default {'""'}
   * @param pattern Mailbox pattern with `*` / `%` wildcards. @default {"*"}
   * @returns `["OK", [b'(\\HasNoChildren) "." INBOX', ...]]`.
   */
  list(directory: Arg = '""', pattern: Arg = "*"): Promise<Result> {
    return this.#untagged("LIST", [astring(directory), { kind: "list-mailbox", value: pattern }]);
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
  login(user: Arg, password: Arg): Promise<Result> {
    return this.#run("LOGIN", async (session) => {
      session.checkState("LOGIN");
      if (session.capabilities.includes("LOGINDISABLED")) {
        throw new IMAP4Error("LOGIN command disabled by server (LOGINDISABLED)");
      }
      const [type, data] = await session.simple("LOGIN", [
        astring(user),
        { kind: "password", value: password },
      ]);
      if (type !== "OK") throw new IMAP4Error(lastText(data));
      session.state = "AUTH";
      await this.#refreshCapabilities();
      return [type, data];
    });
  }

  // After authentication the server may offer more (gh-63121): use its CAPABILITY code or ask.
  async #refreshCapabilities(): Promise<void> {
    const session = this.#session;
    const [, fromCode] = session.untaggedResponse("OK", [], "CAPABILITY");
    if (fromCode[fromCode.length - 1] instanceof Uint8Array) this.#setCapabilities(fromCode);
    else await this.#getCapabilities();
  }

  /**
   * LOGOUT (RFC 3501 section 6.1.3), then closes the connection (also if LOGOUT fails).
   * @returns `["BYE", [text]]` as imaplib does when the server says BYE first, else the tagged
   *   reply.
   */
  logout(): Promise<Result> {
    return this.#run("LOGOUT", async (session) => {
      session.state = "LOGOUT";
      try {
        return await session.simple("LOGOUT");
      } finally {
        await session.close();
      }
    });
  }

  /**
   * LSUB (RFC 3501 section 6.3.9).
   * @param directory Reference name. @default {'""'}
   * @param pattern Mailbox pattern. @default {"*"}
   */
  lsub(directory: Arg = '""', pattern: Arg = "*"): Promise<Result> {
    return this.#untagged("LSUB", [astring(directory), { kind: "list-mailbox", value: pattern }]);
  }

  /**
   * MYRIGHTS (RFC 4314 section 3.5).
   * @param mailbox Mailbox name.
   * @returns `["OK", [b'INBOX lrwstipekxacd']]`.
   */
  myrights(mailbox: Arg): Promise<Result> {
    return this.#untagged("MYRIGHTS", [astring(mailbox)], "MYRIGHTS");
  }

  /** NAMESPACE (RFC 2342). @returns `["OK", [b'(("" ".")) NIL NIL']]`. */
  namespace(): Promise<Result> {
    return this.#untagged("NAMESPACE", []);
  }

  /** NOOP (RFC 3501 section 6.1.2): lets the server report changes into the untagged store. */
  noop(): Promise<Result> {
    return this.#simple("NOOP");
  }

  /**
   * PARTIAL (RFC 1730, obsolete; imaplib keeps it): a byte range of one message part.
   * @param message_num Message number. @param message_part E.g. `"BODY[]"`.
   * @param start First octet. @param length Number of octets.
   * @returns `["OK", [fetch data...]]`.
   */
  partial(message_num: Arg, message_part: Arg, start: Arg, length: Arg): Promise<Result> {
    return this.#untagged(
      "PARTIAL",
      [raw(message_num), raw(message_part), raw(start), raw(length)],
      "FETCH",
    );
  }

  /**
   * PROXYAUTH (Cyrus): an authorised administrator assumes the identity of `user`.
   * @param user The user to act as.
   */
  proxyauth(user: Arg): Promise<Result> {
    return this.#simple("PROXYAUTH", [astring(user)]);
  }

  /**
   * imaplib's `recent()`: the stored RECENT responses, or a NOOP to prompt for them.
   * @returns `["OK", [counts...]]`, or `["OK", [null]]` if none.
   */
  recent(): Promise<Result> {
    return this.#run("NOOP", async (session) => {
      const stored = session.untaggedResponse("OK", [null], "RECENT");
      if (stored[1][stored[1].length - 1]) return stored;
      const [type, data] = await session.simple("NOOP");
      return session.untaggedResponse(type, data, "RECENT");
    });
  }

  /** RENAME (RFC 3501 section 6.3.5). @param oldmailbox From. @param newmailbox To. */
  rename(oldmailbox: Arg, newmailbox: Arg): Promise<Result> {
    return this.#simple("RENAME", [astring(oldmailbox), astring(newmailbox)]);
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
    return this.#session.untaggedResponse(code, [null], code.toUpperCase());
  }

  /**
   * SEARCH (RFC 3501 section 6.4.4).
   * @param charset `null`, or a charset sent as `CHARSET name` (not allowed in UTF-8 mode).
   * @param criteria Search keys, sent as written, e.g. `"UNSEEN"`, `'(FROM "bob")'`.
   * @returns `["OK", [b"1 2 3"]]`.
   * @throws {IMAP4Error} "Non-None charset not valid in UTF8 mode".
   */
  search(charset: Arg | null, ...criteria: Arg[]): Promise<Result> {
    return this.#run("SEARCH", async (session) => {
      const args = criteria.map(raw);
      if (charset) {
        if (session.utf8) throw new IMAP4Error("Non-None charset not valid in UTF8 mode");
        args.unshift(raw("CHARSET"), astring(charset));
      }
      const [type, data] = await session.simple("SEARCH", args);
      return session.untaggedResponse(type, data, "SEARCH");
    });
  }

  /**
   * SELECT, or EXAMINE when `readonly` (RFC 3501 sections 6.3.1, 6.3.2). Clears the untagged
   * store first, as imaplib does.
   * @param mailbox @default {"INBOX"}
   * @param readonly Open read-only (EXAMINE). @default {false}
   * @returns `["OK", [count]]`: the EXISTS count; other data via `response("FLAGS")` etc.
   *   On NO: `["NO", [text]]` and the state becomes AUTH.
   * @throws {IMAP4Readonly} "`mailbox` is not writable" if the server opened it READ-ONLY
   *   although `readonly` was false.
   */
  select(mailbox: Arg = "INBOX", readonly = false): Promise<Result> {
    const name = readonly ? "EXAMINE" : "SELECT";
    return this.#run(name, async (session) => {
      session.checkState(name);
      session.untagged = {};
      session.isReadonly = readonly;
      const [type, data] = await session.simple(name, [astring(mailbox)]);
      if (type !== "OK") {
        session.state = "AUTH";
        return [type, data];
      }
      session.state = "SELECTED";
      if (Object.hasOwn(session.untagged, "READ-ONLY") && !readonly) {
        throw new IMAP4Readonly(`${text(mailbox)} is not writable`);
      }
      return [type, session.untagged["EXISTS"] ?? [null]];
    });
  }

  /**
   * SETACL (RFC 4314 section 3.1).
   * @param mailbox Mailbox name. @param who Identifier. @param what Rights, e.g. `"lrs"` or
   *   `"+w"`.
   */
  setacl(mailbox: Arg, who: Arg, what: Arg): Promise<Result> {
    return this.#simple("SETACL", [astring(mailbox), astring(who), astring(what)]);
  }

  /**
   * SETANNOTATION (draft-daboo-imap-annotatemore): `mailbox` then entry/attribute arguments,
   * sent as written.
   * @returns `["OK", [annotation data...]]`.
   */
  setannotation(mailbox: Arg, ...args: Arg[]): Promise<Result> {
    return this.#untagged("SETANNOTATION", [astring(mailbox), ...args.map(raw)], "ANNOTATION");
  }

  /**
   * SETQUOTA (RFC 9208 section 4.1).
   * @param root Quota root. @param limits E.g. `"(STORAGE 512)"`.
   * @returns `["OK", [quota data...]]`.
   */
  setquota(root: Arg, limits: Arg): Promise<Result> {
    return this.#untagged("SETQUOTA", [astring(root), raw(limits)], "QUOTA");
  }

  /**
   * SORT (RFC 5256 section 3).
   * @param sort_criteria E.g. `"(REVERSE DATE)"`; parenthesized if not already.
   * @param charset E.g. `"UTF-8"`. @param search_criteria Search keys, sent as written.
   * @returns `["OK", [b"3 1 2"]]`.
   */
  sort(sort_criteria: Arg, charset: Arg, ...search_criteria: Arg[]): Promise<Result> {
    return this.#untagged("SORT", [
      raw(parenthesized(sort_criteria)),
      raw(charset),
      ...search_criteria.map(raw),
    ]);
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
  starttls(tls?: TlsOptions): Promise<Result> {
    return this.#run("STARTTLS", () => this.#starttls(tls ?? this.#options.tls ?? {}));
  }

  async #starttls(tls: TlsOptions): Promise<Result> {
    const session = this.#session;
    session.checkState("STARTTLS");
    if (this.#tlsEstablished) {
      throw session.fail(new IMAP4TlsError("TLS session already established"));
    }
    if (!session.capabilities.includes("STARTTLS")) {
      throw session.fail(new IMAP4TlsError("TLS not supported by server"));
    }
    // Nothing may be read past STARTTLS's tagged OK: a byte there is either TLS or an attack.
    session.readAhead = false;
    const tag = await session.command("STARTTLS", []);
    let result: Result | null | undefined;
    while (!(result = session.tagged.get(tag))) {
      session.checkBye();
      const response = await session.getResponse();
      // A `+` cannot answer STARTTLS; going on would leave the connection in clear.
      if (response?.kind === "continuation") {
        throw session.fail(new IMAP4TlsError("STARTTLS answered with a continuation request"));
      }
    }
    session.tagged.delete(tag);
    if (result[0] !== "OK") {
      throw session.fail(
        new IMAP4TlsError(`Couldn't establish TLS session: server answered ${result[0]}`),
      );
    }
    await session.startTls(tls);
    session.readAhead = true;
    this.#tlsEstablished = true;
    // Nothing received in clear can be trusted (capabilities, injected untagged responses).
    session.untagged = {};
    session.capabilities = [];
    await this.#getCapabilities();
    return session.untaggedResponse(result[0], result[1], "STARTTLS");
  }

  /**
   * STATUS (RFC 3501 section 6.3.10).
   * @param mailbox Mailbox name. @param names Items, e.g. `"(MESSAGES UNSEEN)"`.
   * @returns `["OK", [b'INBOX (MESSAGES 3 UNSEEN 1)']]`.
   */
  status(mailbox: Arg, names: Arg): Promise<Result> {
    return this.#untagged("STATUS", [astring(mailbox), raw(names)]);
  }

  /**
   * STORE (RFC 3501 section 6.4.6).
   * @param message_set Sequence set. @param command E.g. `"+FLAGS"`, `"-FLAGS.SILENT"`.
   * @param flags Flags; parenthesized if not already, e.g. `"\\Deleted"`.
   * @returns `["OK", [fetch data...]]`, the FETCH responses with the new flags.
   */
  store(message_set: Arg, command: Arg, flags: Arg): Promise<Result> {
    return this.#untagged(
      "STORE",
      [raw(message_set), raw(command), raw(parenthesized(flags))],
      "FETCH",
    );
  }

  /** SUBSCRIBE (RFC 3501 section 6.3.6). @param mailbox The mailbox. */
  subscribe(mailbox: Arg): Promise<Result> {
    return this.#simple("SUBSCRIBE", [astring(mailbox)]);
  }

  /**
   * THREAD (RFC 5256 section 3).
   * @param threading_algorithm E.g. `"REFERENCES"`. @param charset E.g. `"UTF-8"`.
   * @param search_criteria Search keys, sent as written.
   * @returns `["OK", [b"(1 2)(3)"]]`.
   */
  thread(threading_algorithm: Arg, charset: Arg, ...search_criteria: Arg[]): Promise<Result> {
    return this.#untagged("THREAD", [
      raw(threading_algorithm),
      raw(charset),
      ...search_criteria.map(raw),
    ]);
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
  uid(command: string, ...args: Arg[]): Promise<Result> {
    const name = command.toUpperCase();
    return this.#run("UID", async (session) => {
      if (!Object.hasOwn(COMMANDS, name)) {
        throw new IMAP4Error(`Unknown IMAP4 UID command: ${name}`);
      }
      const states = COMMANDS[name];
      if (!states.includes(session.state)) {
        throw new IMAP4Error(
          `command ${name} illegal in state ${session.state}, only allowed in states ${
            states.join(", ")
          }`,
        );
      }
      const typed = args.map(raw);
      if ((name === "COPY" || name === "MOVE") && typed.length > 0) {
        typed[typed.length - 1] = astring(args[args.length - 1]);
      }
      const [type, data] = await session.simple("UID", [raw(name), ...typed]);
      const responseName = name === "SEARCH" || name === "SORT" || name === "THREAD"
        ? name
        : "FETCH";
      return session.untaggedResponse(type, data, responseName);
    });
  }

  /**
   * UNSELECT (RFC 3691): closes the mailbox without expunging. The state becomes AUTH even if
   * the command fails, as imaplib does.
   */
  unselect(): Promise<Result> {
    return this.#run("UNSELECT", async (session) => {
      try {
        return await session.simple("UNSELECT");
      } finally {
        if (session.state !== "LOGOUT") session.state = "AUTH";
      }
    });
  }

  /** UNSUBSCRIBE (RFC 3501 section 6.3.7). @param mailbox The mailbox. */
  unsubscribe(mailbox: Arg): Promise<Result> {
    return this.#simple("UNSUBSCRIBE", [astring(mailbox)]);
  }

  /**
   * imaplib's `xatom(name, ...args)`: any extension command, e.g. `xatom("MOVE", "1", "Archive")`
   * or `xatom("ID", "NIL")`. An unknown command is allowed in the state it is first used in;
   * unlike imaplib, that rule is kept per connection, not in a global table.
   * @param name Command name (upper-cased). @param args Sent as written.
   * @returns `["OK", [text]]`; untagged data stays in the store for `response()`.
   */
  xatom(name: string, ...args: Arg[]): Promise<Result> {
    const command = name.toUpperCase();
    return this.#run(command, (session) => {
      if (!Object.hasOwn(COMMANDS, command) && !Object.hasOwn(session.extraCommands, command)) {
        session.extraCommands[command] = [session.state];
      }
      return session.simple(command, args.map(raw));
    });
  }

  /**
   * Sends LOGOUT unless already logged out, as imaplib's `__exit__`; connection errors are
   * ignored. Used by `await using`.
   */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.state === "LOGOUT") {
      await this.#session.close();
      return;
    }
    try {
      await this.logout();
    } catch (error) {
      if (!(error instanceof IMAP4Abort)) throw error;
    } finally {
      await this.#session.close();
    }
  }
}

/**
 * imaplib"s upper-case command names (`M.FETCH(...)`), which its `__getattr__` maps to the
 * lower-case methods. Each is the bound method of the same name in lower case.
 */
export interface IMAP4 {
  /** Upper-case alias of {@linkcode IMAP4.append} (imaplib"s `__getattr__`). */
  APPEND: IMAP4["append"];
  /** Upper-case alias of {@linkcode IMAP4.authenticate} (imaplib"s `__getattr__`). */
  AUTHENTICATE: IMAP4["authenticate"];
  /** Upper-case alias of {@linkcode IMAP4.capability} (imaplib"s `__getattr__`). */
  CAPABILITY: IMAP4["capability"];
  /** Upper-case alias of {@linkcode IMAP4.check} (imaplib"s `__getattr__`). */
  CHECK: IMAP4["check"];
  /** Upper-case alias of {@linkcode IMAP4.close} (imaplib"s `__getattr__`). */
  CLOSE: IMAP4["close"];
  /** Upper-case alias of {@linkcode IMAP4.copy} (imaplib"s `__getattr__`). */
  COPY: IMAP4["copy"];
  /** Upper-case alias of {@linkcode IMAP4.create} (imaplib"s `__getattr__`). */
  CREATE: IMAP4["create"];
  /** Upper-case alias of {@linkcode IMAP4.delete} (imaplib"s `__getattr__`). */
  DELETE: IMAP4["delete"];
  /** Upper-case alias of {@linkcode IMAP4.deleteacl} (imaplib"s `__getattr__`). */
  DELETEACL: IMAP4["deleteacl"];
  /** Upper-case alias of {@linkcode IMAP4.enable} (imaplib"s `__getattr__`). */
  ENABLE: IMAP4["enable"];
  /** Upper-case alias of {@linkcode IMAP4.expunge} (imaplib"s `__getattr__`). */
  EXPUNGE: IMAP4["expunge"];
  /** Upper-case alias of {@linkcode IMAP4.fetch} (imaplib"s `__getattr__`). */
  FETCH: IMAP4["fetch"];
  /** Upper-case alias of {@linkcode IMAP4.getacl} (imaplib"s `__getattr__`). */
  GETACL: IMAP4["getacl"];
  /** Upper-case alias of {@linkcode IMAP4.getannotation} (imaplib"s `__getattr__`). */
  GETANNOTATION: IMAP4["getannotation"];
  /** Upper-case alias of {@linkcode IMAP4.getquota} (imaplib"s `__getattr__`). */
  GETQUOTA: IMAP4["getquota"];
  /** Upper-case alias of {@linkcode IMAP4.getquotaroot} (imaplib"s `__getattr__`). */
  GETQUOTAROOT: IMAP4["getquotaroot"];
  /** Upper-case alias of {@linkcode IMAP4.idle} (imaplib"s `__getattr__`). */
  IDLE: IMAP4["idle"];
  /** Upper-case alias of {@linkcode IMAP4.list} (imaplib"s `__getattr__`). */
  LIST: IMAP4["list"];
  /** Upper-case alias of {@linkcode IMAP4.login} (imaplib"s `__getattr__`). */
  LOGIN: IMAP4["login"];
  /** Upper-case alias of {@linkcode IMAP4.logout} (imaplib"s `__getattr__`). */
  LOGOUT: IMAP4["logout"];
  /** Upper-case alias of {@linkcode IMAP4.lsub} (imaplib"s `__getattr__`). */
  LSUB: IMAP4["lsub"];
  /** Upper-case alias of {@linkcode IMAP4.myrights} (imaplib"s `__getattr__`). */
  MYRIGHTS: IMAP4["myrights"];
  /** Upper-case alias of {@linkcode IMAP4.namespace} (imaplib"s `__getattr__`). */
  NAMESPACE: IMAP4["namespace"];
  /** Upper-case alias of {@linkcode IMAP4.noop} (imaplib"s `__getattr__`). */
  NOOP: IMAP4["noop"];
  /** Upper-case alias of {@linkcode IMAP4.partial} (imaplib"s `__getattr__`). */
  PARTIAL: IMAP4["partial"];
  /** Upper-case alias of {@linkcode IMAP4.proxyauth} (imaplib"s `__getattr__`). */
  PROXYAUTH: IMAP4["proxyauth"];
  /** Upper-case alias of {@linkcode IMAP4.rename} (imaplib"s `__getattr__`). */
  RENAME: IMAP4["rename"];
  /** Upper-case alias of {@linkcode IMAP4.search} (imaplib"s `__getattr__`). */
  SEARCH: IMAP4["search"];
  /** Upper-case alias of {@linkcode IMAP4.select} (imaplib"s `__getattr__`). */
  SELECT: IMAP4["select"];
  /** Upper-case alias of {@linkcode IMAP4.setacl} (imaplib"s `__getattr__`). */
  SETACL: IMAP4["setacl"];
  /** Upper-case alias of {@linkcode IMAP4.setannotation} (imaplib"s `__getattr__`). */
  SETANNOTATION: IMAP4["setannotation"];
  /** Upper-case alias of {@linkcode IMAP4.setquota} (imaplib"s `__getattr__`). */
  SETQUOTA: IMAP4["setquota"];
  /** Upper-case alias of {@linkcode IMAP4.sort} (imaplib"s `__getattr__`). */
  SORT: IMAP4["sort"];
  /** Upper-case alias of {@linkcode IMAP4.starttls} (imaplib"s `__getattr__`). */
  STARTTLS: IMAP4["starttls"];
  /** Upper-case alias of {@linkcode IMAP4.status} (imaplib"s `__getattr__`). */
  STATUS: IMAP4["status"];
  /** Upper-case alias of {@linkcode IMAP4.store} (imaplib"s `__getattr__`). */
  STORE: IMAP4["store"];
  /** Upper-case alias of {@linkcode IMAP4.subscribe} (imaplib"s `__getattr__`). */
  SUBSCRIBE: IMAP4["subscribe"];
  /** Upper-case alias of {@linkcode IMAP4.thread} (imaplib"s `__getattr__`). */
  THREAD: IMAP4["thread"];
  /** Upper-case alias of {@linkcode IMAP4.uid} (imaplib"s `__getattr__`). */
  UID: IMAP4["uid"];
  /** Upper-case alias of {@linkcode IMAP4.unselect} (imaplib"s `__getattr__`). */
  UNSELECT: IMAP4["unselect"];
  /** Upper-case alias of {@linkcode IMAP4.unsubscribe} (imaplib"s `__getattr__`). */
  UNSUBSCRIBE: IMAP4["unsubscribe"];
}

const ALIASES: readonly string[] = [
  "APPEND",
  "AUTHENTICATE",
  "CAPABILITY",
  "CHECK",
  "CLOSE",
  "COPY",
  "CREATE",
  "DELETE",
  "DELETEACL",
  "ENABLE",
  "EXPUNGE",
  "FETCH",
  "GETACL",
  "GETANNOTATION",
  "GETQUOTA",
  "GETQUOTAROOT",
  "IDLE",
  "LIST",
  "LOGIN",
  "LOGOUT",
  "LSUB",
  "MYRIGHTS",
  "NAMESPACE",
  "NOOP",
  "PARTIAL",
  "PROXYAUTH",
  "RENAME",
  "SEARCH",
  "SELECT",
  "SETACL",
  "SETANNOTATION",
  "SETQUOTA",
  "SORT",
  "STARTTLS",
  "STATUS",
  "STORE",
  "SUBSCRIBE",
  "THREAD",
  "UID",
  "UNSELECT",
  "UNSUBSCRIBE",
];
for (const alias of ALIASES) {
  const method = alias.toLowerCase();
  Object.defineProperty(IMAP4.prototype, alias, {
    get(this: Record<string, (...args: unknown[]) => unknown>) {
      return this[method].bind(this);
    },
    configurable: true,
  });
}

// A command called while IDLE or a stream holds the connection: refused at once (waiting
// would deadlock a caller who awaits it inside the loop).
function busyError(name: string, busy: string): IMAP4Error {
  if (busy === "IDLE" && Object.hasOwn(COMMANDS, name)) {
    const states = COMMANDS[name] ?? [];
    return new IMAP4Error(
      `command ${name} illegal in state IDLING, only allowed in states ${states.join(", ")}`,
    );
  }
  return new IMAP4Error(
    `${Object.hasOwn(COMMANDS, name) ? `command ${name}` : name} illegal while ${busy} holds ` +
      "the connection; finish or cancel it first",
  );
}
