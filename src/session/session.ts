/**
 * The session proper: tags, the command queue, continuation requests, the connection state and
 * the starting of commands. Bytes go through its {@linkcode Connection}, untagged data into its
 * {@linkcode UntaggedStore}, debug output through its {@linkcode Trace}.
 *
 * It reproduces imaplib's `_command`, `_get_response`, `_simple_command` and
 * `_untagged_response`, with commands serialised through a queue instead of a blocking socket;
 * each command runs as a {@linkcode Command}.
 *
 * @module
 */

import type { Argument } from "../wire/encoder.ts";
import { encodeCommand } from "../wire/encoder.ts";
import {
  type Datum,
  parseFrame,
  type Response,
  type TaggedResponse,
  type UntaggedResponse,
} from "../wire/parser.ts";
import type { Frame } from "../wire/decoder.ts";
import { bytesRepr, dataRepr, decodeText, toBytes } from "../wire/bytes.ts";
import {
  IMAP4Abort,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4ProtocolError,
  IMAP4Readonly,
} from "../errors.ts";
import { Int2AP } from "../functions.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import { Command, type CommandPolicy, type ContinuationHandler } from "./command.ts";
import { Connection, type SoftLimit } from "./connection.ts";
import type { SessionOptions } from "./options.ts";
import { COMMANDS, type State } from "./states.ts";
import { Trace, type TraceHost } from "./trace.ts";
import { emit, type LogEntry, type LogListener } from "./log.ts";
import { UntaggedStore } from "./untagged_store.ts";
import { hasLargeText, largeTextAsBytes } from "./text_parts.ts";

/** One item of a command's result data: bytes, a `[header, literal]` pair, or `null`. */
export type Data = Datum | null;

/** A command's result, as imaplib returns it: `[type, data]`. */
export type Result = [type: string, data: Data[]];

/** What the session needs from its client: how bytes are sent, where the trace goes. */
export interface SessionHost extends TraceHost {
  /** Writes bytes to the server (the client's overridable `send()`). */
  send(bytes: Uint8Array): Promise<void>;
}

const CRLF = new Uint8Array([0x0d, 0x0a]);
const CANCEL_LINE = new Uint8Array([0x2a, 0x0d, 0x0a]);

function withoutCrlf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, Math.max(0, bytes.length - 2));
}

/** The protocol engine behind `IMAP4`. Internal: not exported from `mod.ts`. */
export class Session {
  /** The byte side. */
  readonly connection: Connection;
  /** imaplib's untagged store and the capture queue. */
  readonly store: UntaggedStore;
  /** imaplib's debug output. */
  readonly trace: Trace;
  /** The random tag prefix, four letters A-P (imaplib's `tagpre`). */
  readonly tagPrefix: string;
  readonly #host: SessionHost;
  #state: State = "LOGOUT";
  #capabilities: readonly string[] = [];
  #utf8 = false;
  #protocolVersion = "";
  #readonly = false;
  #tagnum = 0;
  // imaplib's `tagged_commands`: tag -> null while pending, then `[status, [text]]`.
  readonly #tagged = new Map<string, Result | null>();
  // Per pending tag: the number its command's first write has among the connection's writes.
  readonly #firstWrite = new Map<string, number>();
  #continuation: Uint8Array | null = null;
  // Commands added by `xatom()` on this connection (imaplib adds them to a global table).
  readonly #extraCommands: Record<string, readonly State[]> = {};
  #serverName = "localhost";
  readonly #onLog: LogListener | undefined;
  #tls = false;
  readonly #literalPlus: boolean;
  #tail: Promise<void> = Promise.resolve();

  /** @throws {RangeError} for a bad `timeout` or limit. */
  constructor(options: SessionOptions, host: SessionHost) {
    this.#host = host;
    this.#literalPlus = options.literalPlus ?? true;
    this.#onLog = options.onLog;
    this.trace = new Trace(host);
    this.connection = new Connection(options);
    this.store = new UntaggedStore(options.maxStoredBytes, this.trace);
    this.tagPrefix = new TextDecoder().decode(Int2AP(4096 + Math.floor(Math.random() * 61440)));
  }

  /** imaplib's `state`; `LOGOUT` once the connection has failed. */
  get state(): State {
    return this.connection.failure ? "LOGOUT" : this.#state;
  }

  /** Moves to `state` (after LOGIN, SELECT, CLOSE, LOGOUT, IDLE...). */
  setState(state: State): void {
    this.#state = state;
  }

  /** Capabilities, upper case. */
  get capabilities(): readonly string[] {
    return this.#capabilities;
  }

  /** Records the server's capabilities, upper case (kept as given: callers may share a list). */
  setCapabilities(capabilities: readonly string[]): void {
    this.#capabilities = capabilities;
  }

  /** imaplib's `utf8_enabled`. */
  get utf8(): boolean {
    return this.#utf8;
  }

  /** Switches to UTF-8 mode (RFC 6855) once the server confirmed `ENABLE UTF8=ACCEPT`. */
  enableUtf8(): void {
    this.#utf8 = true;
  }

  /**
   * imaplib's `PROTOCOL_VERSION`: from the capabilities at the greeting (`"IMAP4REV1"`,
   * `"IMAP4"`), `"IMAP4REV2"` once the server confirmed `ENABLE IMAP4rev2` (RFC 9051).
   */
  get protocolVersion(): string {
    return this.#protocolVersion;
  }

  /** Records the protocol version: at the greeting, and after `ENABLE IMAP4rev2`. */
  setProtocolVersion(version: string): void {
    this.#protocolVersion = version;
  }

  /** imaplib's `is_readonly`: READ-ONLY desired. */
  get isReadonly(): boolean {
    return this.#readonly;
  }

  /** Records whether the mailbox being selected is wanted read-only. */
  setReadonly(readonly: boolean): void {
    this.#readonly = readonly;
  }

  /** imaplib's `tagged_commands`, read-only. */
  get tagged(): ReadonlyMap<string, Result | null> {
    return this.#tagged;
  }

  /** imaplib's `continuation_response`: text of the last `+` line. */
  get continuation(): Uint8Array | null {
    return this.#continuation;
  }

  /** True once STARTTLS upgraded the connection (an `IMAP4_SSL` connection is TLS from the start). */
  get tls(): boolean {
    return this.#tls;
  }

  /** The error that ended the connection, if one did. */
  get failure(): IMAP4Abort | null {
    return this.connection.failure;
  }

  /** Starts using `transport`; `serverName` is what STARTTLS verifies the certificate against. */
  attach(transport: Transport, serverName: string): void {
    this.#serverName = serverName;
    this.connection.attach(transport);
  }

  /** Ends the connection with `error` (first error wins), closing it. */
  fail(error: IMAP4Abort): IMAP4Abort {
    return this.connection.fail(error);
  }

  /** Throws the connection's failure, if any. */
  throwIfFailed(): void {
    this.connection.throwIfFailed();
  }

  /** Closes the connection; idempotent; settles once it is closed. */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** Emits a structured log event (see `SessionOptions.onLog`). */
  log(entry: LogEntry): void {
    emit(this.#onLog, entry);
  }

  /** Writes bytes through the client's `send()` (which may be overridden). */
  send(bytes: Uint8Array): Promise<void> {
    return this.#host.send(bytes);
  }

  /** Runs `fn` after every command called before it has finished (call order), one at a time. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** Waits for the queue; the returned function lets the next command run. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => release = resolve);
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    return previous.then(() => release);
  }

  /** Makes `name` legal in `states` on this connection (imaplib's `xatom` table entry). */
  addCommand(name: string, states: readonly State[]): void {
    if (!this.statesOf(name)) this.#extraCommands[name] = states;
  }

  /** The states `name` is legal in, if it is a known command. */
  statesOf(name: string): readonly State[] | undefined {
    return Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : this.#extraCommands[name];
  }

  /** Checks `name` is legal in the current state (imaplib's message). */
  checkState(name: string): void {
    this.throwIfFailed();
    const states = this.statesOf(name);
    if (states && !states.includes(this.state)) throw illegalState(name, this.state, states);
  }

  /** @internal The tagged reply of `tag`: `null` while pending, `undefined` if unknown. */
  tagResult(tag: string): Result | null | undefined {
    return this.#tagged.get(tag);
  }

  /** @internal Forgets `tag` once its command has taken its reply. */
  forgetTag(tag: string): void {
    this.#tagged.delete(tag);
    this.#firstWrite.delete(tag);
  }

  /**
   * imaplib's `_get_response`: reads one response and stores it.
   * @returns The response (a continuation request sets `continuation`), or `null` on a soft
   *   limit.
   */
  async getResponse(soft?: SoftLimit): Promise<Response | null> {
    const frame = await this.connection.readFrame(soft);
    return frame ? this.#handle(frame) : null;
  }

  /**
   * `getResponse()` for a response already decoded (see `Connection.hasBufferedFrame`), taken
   * synchronously; `undefined` when none is waiting. A burst of responses read at once is then
   * handled without three promises per response.
   */
  takeResponse(): Response | undefined {
    const frame = this.connection.takeFrame();
    return frame ? this.#handle(frame) : undefined;
  }

  // Traces, parses and files one response.
  #handle(frame: Frame): Response {
    this.trace.frame(frame);
    let response: Response;
    try {
      response = parseFrame(frame);
    } catch (error) {
      throw this.fail(error as IMAP4Abort);
    }
    if (response.kind === "continuation") {
      this.#continuation = response.data;
      return response;
    }
    this.#record(response);
    if (this.trace.level >= 1) {
      const status = response.kind === "tagged" ? response.status : response.type;
      if (status === "NO" || status === "BAD" || status === "BYE") {
        const data = response.kind === "tagged" ? response.data : response.data[0];
        this.trace.mesg(
          `${status} response: ${bytesRepr(data instanceof Uint8Array ? data : data[0])}`,
        );
      }
    }
    return response;
  }

  // Files a tagged reply under its tag, untagged data and response codes in the store; a
  // protocol violation ends the connection.
  #record(response: TaggedResponse | UntaggedResponse): void {
    try {
      if (response.kind === "tagged") {
        const { tag, status, line } = response;
        if (this.#tagged.get(tag) !== null) {
          throw new IMAP4Abort(`unexpected tagged response: ${dataRepr([line])}`);
        }
        // A reply whose bytes arrived before its command was written was forged ahead (the
        // tag prefix is easy to guess from earlier tags): it must not complete the command.
        if (this.connection.lastFrameWrites < this.#firstWrite.get(tag)!) {
          throw new IMAP4ProtocolError(
            `tagged response for a command not yet sent: ${dataRepr([line])}`,
          );
        }
        // RFC 3501 section 7.1: a command completes with OK, NO or BAD, nothing else.
        if (status !== "OK" && status !== "NO" && status !== "BAD") {
          throw new IMAP4ProtocolError(
            `tagged response with status ${JSON.stringify(status)}, not OK, NO or BAD: ${
              dataRepr([line])
            }`,
          );
        }
        this.#tagged.set(tag, [status, [response.data]]);
      } else {
        for (const datum of response.data) this.store.append(response.type, datum);
      }
      if (response.code) this.store.append(response.code.type, response.code.data);
    } catch (error) {
      throw this.fail(error as IMAP4Abort);
    }
  }

  /**
   * Reads the server's greeting: an untagged response, stored as any other. With `soft`,
   * `null` when its deadline passes first.
   * @throws {IMAP4Abort} when the first line is not an untagged response, naming the kind of
   *   server it looks like (SMTP, POP3, TLS) when it can tell; the connection is closed.
   */
  async readGreeting(soft?: SoftLimit): Promise<UntaggedResponse | null> {
    const frame = await this.connection.readFrame(soft);
    if (!frame) return null;
    this.trace.frame(frame);
    const line = frame.lines[0];
    let response: Response | null = null;
    try {
      response = parseFrame(frame);
    } catch {
      // Not IMAP at all: said below.
    }
    if (response?.kind !== "untagged") {
      throw this.fail(
        new IMAP4Abort(
          `unexpected greeting (not an IMAP4 server?): ${JSON.stringify(decodeText(line))}${
            serverHint(line)
          }`,
        ),
      );
    }
    this.#record(response);
    return response;
  }

  /** imaplib's `_check_bye`: a stored BYE ends the connection with its text. */
  checkBye(): void {
    const bye = this.store.peek("BYE");
    if (bye && bye.length) {
      const last = bye[bye.length - 1];
      throw this.fail(new IMAP4Abort(decodeText(last instanceof Uint8Array ? last : last[0])));
    }
  }

  /**
   * imaplib's `_command`: checks the state, encodes, writes, and feeds literals (each after the
   * server's `+`) or, with `onContinuation`, continuation data; returns the running command.
   * Its policies are in force from before the first byte is written.
   * @throws {IMAP4Error} in the wrong state; {@linkcode IMAP4Readonly} if the mailbox became
   *   read-only; `IMAP4ArgumentError` for a bad argument, before anything is sent.
   */
  async start(
    name: string,
    args: readonly Argument[] = [],
    policy: CommandPolicy = {},
  ): Promise<Command> {
    this.checkState(name);
    for (const type of ["OK", "NO", "BAD"]) this.store.take(type);
    if (this.store.has("READ-ONLY") && !this.#readonly) {
      throw new IMAP4Readonly("mailbox status changed to READ-ONLY");
    }
    // Text of megabytes is encoded to bytes a part at a time first (text_parts.ts); no other
    // command waits here. Encoding happens before the tag is taken: a bad argument leaves
    // nothing behind.
    const encodable = hasLargeText(args)
      ? await largeTextAsBytes(args, () => this.connection.turnIfDue())
      : args;
    const fragments = encodeCommand(this.tagPrefix + String(this.#tagnum), name, encodable, {
      utf8: this.#utf8,
      nonSynchronizing: this.#nonSynchronizing(),
    });
    const tag = this.tagPrefix + String(this.#tagnum++);
    this.#tagged.set(tag, null);
    this.#firstWrite.set(tag, this.connection.writesStarted + 1);
    const command = new Command(this, name, tag, policy);
    if (policy.capture) this.store.startCapture();
    if (policy.streamLiteral) this.connection.streamLiterals(policy.streamLiteral);
    if (policy.stopAtCompletion) this.connection.setReadAhead(false);
    try {
      await this.#send(command, fragments, args);
    } catch (error) {
      command.end();
      throw error;
    }
    return command;
  }

  // RFC 7888: LITERAL+ allows every literal non-synchronizing, LITERAL- small ones.
  #nonSynchronizing(): "LITERAL+" | "LITERAL-" | undefined {
    if (!this.#literalPlus) return undefined;
    if (this.#capabilities.includes("LITERAL+")) return "LITERAL+";
    return this.#capabilities.includes("LITERAL-") ? "LITERAL-" : undefined;
  }

  async #send(
    command: Command,
    fragments: ReturnType<typeof encodeCommand>,
    args: readonly Argument[],
  ): Promise<void> {
    const { name, tag } = command;
    const [first, ...rest] = fragments;
    // LOGIN's arguments and AUTHENTICATE's initial response (SASL-IR) are credentials: never
    // in a trace, whatever the debug level.
    const shown = name === "LOGIN"
      ? `${tag} LOGIN [redacted]`
      : name === "AUTHENTICATE" && args.length > 1
      ? `${tag} AUTHENTICATE ${decodeText(toBytes(args[0].value!))} [redacted]`
      : null;
    if (shown !== null) this.trace.trace(() => `> ${shown}`);
    else this.trace.traceBytes("> ", withoutCrlf(first.bytes));
    await this.#host.send(first.bytes);
    this.log({ level: "debug", event: "command", tag, command: name });
    for (const fragment of rest) {
      if (fragment.kind === "literal") {
        // A non-synchronizing literal (RFC 7888) follows its line without waiting for `+`.
        if (fragment.synchronizing && !(await command.waitContinuation())) return;
        // A credential sent as a literal (an 8-bit password): not even its size is traced.
        if (shown === null) {
          if (this.trace.level >= 4) this.trace.mesg(`write literal size ${fragment.bytes.length}`);
          const bytes = fragment.bytes.length;
          this.log({ level: "debug", event: "literal", tag, command: name, bytes });
        }
      } else if (shown === null) {
        this.trace.traceBytes("> ", withoutCrlf(fragment.bytes));
      }
      await this.#host.send(fragment.bytes);
    }
  }

  /**
   * An AUTHENTICATE-style exchange: answers each `+` with `answer` until the command completes.
   * An `answer` that throws cancels the exchange with `*` (RFC 3501 section 6.2.2), reads the
   * tagged reply so the connection stays in step, then rethrows.
   */
  async exchange(command: Command, answer: ContinuationHandler): Promise<void> {
    while (await command.waitContinuation()) {
      let bytes: Uint8Array;
      try {
        bytes = await answer(this.#continuation);
      } catch (error) {
        await this.#host.send(CANCEL_LINE);
        await command.reply();
        throw error;
      }
      this.trace.trace(() => `> [redacted: ${bytes.length} bytes of authentication data]`);
      const line = new Uint8Array(bytes.length + 2);
      line.set(bytes, 0);
      line.set(CRLF, bytes.length);
      await this.#host.send(line);
    }
  }

  /** imaplib's `_simple_command`: starts the command and completes it. */
  async simple(
    name: string,
    args: readonly Argument[] = [],
    onContinuation?: ContinuationHandler,
  ): Promise<Result> {
    const command = await this.start(name, args);
    if (onContinuation) await this.exchange(command, onContinuation);
    return command.complete();
  }

  /** imaplib's `_untagged_response`: the stored data of `name`, taken from the store. */
  untaggedResponse(type: string, data: Data[], name: string): Result {
    if (type === "NO") return [type, data];
    const stored = this.store.take(name);
    return stored ? [type, stored] : [type, [null]];
  }

  /**
   * Upgrades the connection to TLS right after STARTTLS's tagged OK; see `Connection.startTls`.
   */
  async startTls(options: TlsOptions): Promise<void> {
    if (!this.connection.transport) {
      throw this.fail(new IMAP4ConnectionError("socket error: connection closed"));
    }
    await this.connection.startTls({
      ...options,
      hostname: options.hostname ?? this.#serverName,
    });
    this.#tls = true;
  }
}

/** imaplib's message for a command called in a state where it is not allowed. */
export function illegalState(name: string, state: string, states: readonly string[]): IMAP4Error {
  return new IMAP4Error(
    `command ${name} illegal in state ${state}, only allowed in states ${states.join(", ")}`,
  );
}

// What a greeting that is not IMAP's looks like, for the error message.
function serverHint(line: Uint8Array): string {
  // A TLS record: content type 21 (alert) or 22 (handshake), then version 3.x.
  if ((line[0] === 0x15 || line[0] === 0x16) && line[1] === 0x03) {
    return "; the server speaks TLS on this port: use IMAP4_SSL";
  }
  const text = decodeText(line.subarray(0, 200));
  if (/^220[ -]/.test(text) || /\bE?SMTP\b/i.test(text)) {
    return "; this looks like an SMTP server: IMAP is port 143 (or 993 with IMAP4_SSL)";
  }
  if (/^\+OK\b/.test(text)) {
    return "; this looks like a POP3 server: IMAP is port 143 (or 993 with IMAP4_SSL)";
  }
  return "";
}
