/**
 * The session: tags, the command in progress, continuation requests, the untagged store, the
 * connection state and the command queue. It owns all I/O of a connection.
 *
 * It reproduces imaplib's `_command`, `_command_complete`, `_get_response`,
 * `_get_tagged_response` and `_untagged_response`, with commands serialised through a queue
 * instead of a blocking socket.
 *
 * @module
 */

import { type Frame, FrameDecoder } from "../wire/decoder.ts";
import type { DecoderOptions } from "../wire/decoder.ts";
import { type Argument, encodeCommand } from "../wire/encoder.ts";
import {
  IMAP4Abort,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4LimitError,
  IMAP4Readonly,
  IMAP4TimeoutError,
  IMAP4TlsError,
} from "../errors.ts";
import { Int2AP } from "../functions.ts";
import { type Datum, parseFrame, type Response } from "../wire/parser.ts";
import { bytesRepr, dataRepr, decodeText } from "../wire/bytes.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import { type ChunkReader, chunkReader } from "./chunk_reader.ts";
import { type Clock, systemClock } from "./clock.ts";
import { COMMANDS, type State } from "./states.ts";

export { type Clock, systemClock } from "./clock.ts";
export { COMMANDS, type State } from "./states.ts";

/** One item of a command's result data: bytes, a `[header, literal]` pair, or `null`. */
export type Data = Datum | null;

/** A command's result, as imaplib returns it: `[type, data]`. */
export type Result = [type: string, data: Data[]];

/** Connection-wide settings of a session. */
export interface SessionOptions extends DecoderOptions {
  /** The time source; see {@linkcode Clock}. @default {systemClock} */
  clock?: Clock;
  /**
   * Max bytes of response data held at once in the untagged store and the IDLE queue (what a
   * command collects before its tagged reply, plus unsolicited responses not yet taken with
   * `response()`). A server that streams responses without end hits it: the connection is
   * closed with `IMAP4LimitError`. Raise it for very large buffered FETCHes.
   * @default {268_435_456}
   */
  maxStoredBytes?: number;
  /** Seconds any single wait (a read, a write, a TLS upgrade) may take; none if undefined. */
  timeout?: number;
  /** Aborting it closes the connection and fails every pending and later command. */
  signal?: AbortSignal;
}

/** A wait that ends quietly (the read returns `null`) instead of failing the connection. */
export interface SoftLimit {
  /** {@linkcode Clock.now} value after which the read gives up. */
  untilMs?: number;
  /** Gives up when aborted. */
  signal?: AbortSignal;
}

/** How a command reacts to a continuation request: returns the bytes to send, CRLF excluded. */
export type ContinuationHandler = (data: Uint8Array | null) => Promise<Uint8Array> | Uint8Array;

type ReadOutcome =
  | { kind: "chunk"; result: ReadableStreamReadResult<Uint8Array> }
  | { kind: "error"; error: unknown }
  | { kind: "soft" }
  | { kind: "timeout" }
  | { kind: "aborted"; reason: unknown };

const CRLF = new Uint8Array([0x0d, 0x0a]);
const CANCEL_LINE = new Uint8Array([0x2a, 0x0d, 0x0a]);

// Size of each reusable read buffer of a BYOB reader.
const READ_BUFFER_BYTES = 256 * 1024;
const NO_BUFFER = new Uint8Array(0);

/** Default of {@linkcode SessionOptions.maxStoredBytes}: 256 MiB. */
export const DEFAULT_MAX_STORED_BYTES = 268_435_456;

function datumBytes(datum: Datum): number {
  return datum instanceof Uint8Array ? datum.length : datum[0].length + datum[1].length;
}

function dataBytes(data: readonly Datum[]): number {
  let total = 0;
  for (const datum of data) total += datumBytes(datum);
  return total;
}

/** imaplib's `_mesg` line: two spaces, `MM:SS.cc` local time, the text. */
export function timestamped(text: string, atMs: number = Date.now()): string {
  const at = new Date(atMs);
  const mm = String(at.getMinutes()).padStart(2, "0");
  const ss = String(at.getSeconds()).padStart(2, "0");
  const cc = String(Math.floor(at.getMilliseconds() / 10)).padStart(2, "0");
  return `  ${mm}:${ss}.${cc} ${text}`;
}

function withoutCrlf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(0, Math.max(0, bytes.length - 2));
}

function stateList(states: readonly string[]): string {
  return states.join(", ");
}

/** Human text of an error value, for messages. */
function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The protocol engine behind `IMAP4`. Internal: not exported from `mod.ts`.
 */
export class Session {
  /** imaplib's `state`. */
  state: State = "LOGOUT";
  /** imaplib's `untagged_responses`: `{type: [data, ...]}`. Replacing it resets the count. */
  get untagged(): Record<string, Datum[]> {
    return this.#untagged;
  }
  set untagged(store: Record<string, Datum[]>) {
    this.#untagged = store;
    this.#storedBytes = 0;
    for (const data of Object.values(store)) this.#storedBytes += dataBytes(data);
    for (const [, data] of this.capture ?? []) this.#storedBytes += dataBytes(data);
  }
  /** imaplib's `tagged_commands`: tag -> `null` while pending, then `[status, [text]]`. */
  readonly tagged = new Map<string, Result | null>();
  /** imaplib's `continuation_response`: text of the last `+` line. */
  continuation: Uint8Array | null = null;
  /** imaplib's `is_readonly`: READ-ONLY desired. */
  isReadonly = false;
  /** imaplib's `utf8_enabled`. */
  utf8 = false;
  /** Capabilities, upper case. */
  capabilities: string[] = [];
  /** The random tag prefix, four letters A-P (imaplib's `tagpre`). */
  readonly tagPrefix: string;
  /** The next tag number (imaplib's `tagnum`). */
  tagnum = 0;
  /** The host the connection was opened to; STARTTLS verifies the certificate against it. */
  host = "";
  /** Set during IDLE: untagged responses go here instead of the store (CPython 3.14). */
  capture: [string, Datum[]][] | null = null;
  /** Writes bytes; replaced by `IMAP4` so that an overridden `send()` is used. */
  sendHook: (bytes: Uint8Array) => Promise<void> = (bytes) => this.write(bytes);
  /** imaplib's `debug` level, read on every trace; set by `IMAP4`. */
  debugLevel: () => number = () => 0;
  /** Where debug messages go: imaplib's `_mesg` (stderr, with a `MM:SS.cc` time stamp). */
  mesg: (text: string) => void = (text) => console.error(timestamped(text));
  /** Whether a read is started as soon as a chunk arrives; off while STARTTLS runs. */
  readAhead = true;
  /** Commands added by `xatom()` on this connection (imaplib adds them to a global table). */
  readonly extraCommands: Record<string, readonly State[]> = {};
  /** imaplib's `_cmd_log`: the last 10 interactions, formatted only when printed. */
  readonly interactions: { text: () => string; atMs: number }[] = [];

  /** The connection's time source. */
  readonly clock: Clock;
  /** {@linkcode Clock.now} when the last bytes arrived from the server. */
  lastReadMs = 0;
  readonly #options: SessionOptions;
  readonly #maxStoredBytes: number;
  #untagged: Record<string, Datum[]> = {};
  // Bytes held in the untagged store and the IDLE queue, against maxStoredBytes.
  #storedBytes = 0;
  #transport: Transport | null = null;
  #reader: ChunkReader | null = null;
  // Read buffers for a BYOB reader, reused once the decoder is done with them (two: one being
  // decoded while the read-ahead fills the other).
  #spareBuffers: ArrayBuffer[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array> | null = null;
  #decoder: FrameDecoder;
  #frames: Frame[] = [];
  #frameIndex = 0;
  #pendingRead: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  // Bytes that `readRaw` read past what it returned; the decoder gets them first.
  #rawRest: Uint8Array | null = null;
  #failure: IMAP4Abort | null = null;
  #tail: Promise<void> = Promise.resolve();
  // Settles when the transport's close() has finished (a child process has exited).
  #closed: Promise<void> = Promise.resolve();
  #onSignal = () =>
    this.fail(
      new IMAP4TimeoutError("connection aborted by signal", {
        cause: this.#options.signal?.reason,
      }),
    );

  constructor(options: SessionOptions = {}) {
    this.#options = options;
    this.#maxStoredBytes = options.maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES;
    if (!Number.isSafeInteger(this.#maxStoredBytes) || this.#maxStoredBytes < 1) {
      throw new RangeError(
        `maxStoredBytes must be a positive integer, got ${options.maxStoredBytes}`,
      );
    }
    this.clock = options.clock ?? systemClock;
    this.lastReadMs = this.clock.now();
    this.#decoder = new FrameDecoder(options);
    this.tagPrefix = new TextDecoder().decode(Int2AP(4096 + Math.floor(Math.random() * 61440)));
    if (options.timeout !== undefined && !(options.timeout > 0)) {
      throw new RangeError(`timeout must be a positive number of seconds, got ${options.timeout}`);
    }
  }

  /** The transport in use, or `null` once closed. */
  get transport(): Transport | null {
    return this.#transport;
  }

  /** The error that ended the connection, if one did. */
  get failure(): IMAP4Abort | null {
    return this.#failure;
  }

  /** `timeout` in milliseconds, or undefined. */
  get timeoutMs(): number | undefined {
    return this.#options.timeout === undefined ? undefined : this.#options.timeout * 1000;
  }

  /** Starts using `transport`. */
  attach(transport: Transport): void {
    this.#transport = transport;
    this.#reader = chunkReader(transport.readable);
    this.#writer = transport.writable.getWriter();
    const signal = this.#options.signal;
    if (signal && !this.#failure) {
      if (signal.aborted) this.#onSignal();
      else signal.addEventListener("abort", this.#onSignal, { once: true });
    }
  }

  /**
   * Runs `fn` after every command called before it has finished (call order), one at a time.
   */
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

  /** Ends the connection with `error` (first error wins), closing the transport. */
  fail(error: IMAP4Abort): IMAP4Abort {
    if (!this.#failure) {
      this.#failure = error;
      this.state = "LOGOUT";
      this.close();
    }
    return this.#failure;
  }

  /** Throws the connection's failure, if any. */
  throwIfFailed(): void {
    if (this.#failure) throw this.#failure;
  }

  /** Closes the transport (imaplib's `shutdown()`); idempotent; settles once it is closed. */
  close(): Promise<void> {
    this.#options.signal?.removeEventListener("abort", this.#onSignal);
    const transport = this.#transport;
    if (!transport) return this.#closed;
    this.#transport = null;
    this.#reader?.cancel().catch(() => {});
    this.#writer?.abort().catch(() => {});
    this.#reader = null;
    this.#writer = null;
    try {
      this.#closed = Promise.resolve(transport.close()).catch(() => {});
    } catch {
      // Closing a broken connection may throw; it is closed either way.
    }
    return this.#closed;
  }

  /** Writes bytes to the server; a failure or timeout ends the connection. */
  async write(bytes: Uint8Array): Promise<void> {
    this.throwIfFailed();
    const writer = this.#writer;
    if (!writer) throw this.fail(new IMAP4ConnectionError("socket error: connection closed"));
    const writing = writer.write(bytes);
    writing.catch(() => {});
    const outcome = await this.#race(writing, undefined);
    if (outcome.kind === "error") {
      throw this.fail(
        new IMAP4ConnectionError(`socket error: ${describe(outcome.error)}`, {
          cause: outcome.error,
        }),
      );
    }
    this.#raiseWaitFailure(outcome, "write");
  }

  /**
   * Reads the next response. With `soft`, returns `null` when its deadline or signal ends the
   * wait, keeping any partial response buffered; without it, the `timeout` option bounds the
   * wait and a timeout ends the connection.
   */
  async readResponse(soft?: SoftLimit): Promise<Response | null> {
    for (;;) {
      this.throwIfFailed();
      if (this.#frameIndex < this.#frames.length) {
        const frame = this.#frames[this.#frameIndex++];
        if (this.#frameIndex === this.#frames.length) {
          this.#frames = [];
          this.#frameIndex = 0;
        }
        this.#traceFrame(frame);
        try {
          return parseFrame(frame);
        } catch (error) {
          throw this.fail(error as IMAP4Abort);
        }
      }
      const rest = this.#rawRest;
      this.#rawRest = null;
      const chunk = rest ?? await this.#readChunk(soft, "response");
      if (chunk === null) return null;
      try {
        this.#decoder.push(chunk, this.#frames);
      } catch (error) {
        throw this.fail(error as IMAP4Abort);
      }
      if (!rest) this.#recycle(chunk);
    }
  }

  #startRead(reader: ChunkReader, into?: Uint8Array): void {
    // A default reader makes its own chunks: no buffer of ours to fill (nor to allocate).
    const view = into ??
      (reader.byob
        ? new Uint8Array(this.#spareBuffers.pop() ?? new ArrayBuffer(READ_BUFFER_BYTES))
        : NO_BUFFER);
    this.#pendingRead = reader.read(view);
    this.#pendingRead.catch(() => {});
  }

  // The decoder keeps nothing that points into a chunk after push(), and a literal sink may
  // use its views only during write() (see FrameDecoder), so a BYOB read buffer can serve the
  // next read.
  #recycle(chunk: Uint8Array): void {
    if (!this.#reader?.byob) return;
    if (this.#spareBuffers.length < 2 && chunk.buffer.byteLength === READ_BUFFER_BYTES) {
      this.#spareBuffers.push(chunk.buffer as ArrayBuffer);
    }
  }

  /** True if a complete response is decoded and waiting, so `getResponse()` will not read. */
  get hasBufferedResponse(): boolean {
    return this.#frameIndex < this.#frames.length;
  }

  /** Streams the next literal that `accept` accepts; see `FrameDecoder.streamLiteral`. */
  set streamLiteral(accept: FrameDecoder["streamLiteral"]) {
    this.#decoder.streamLiteral = accept;
  }

  /**
   * Reads one chunk from the transport into the decoder (which may stream it to a literal
   * sink), bounded by the `timeout` option. Failures end the connection.
   */
  async pump(): Promise<void> {
    this.throwIfFailed();
    const rest = this.#rawRest;
    this.#rawRest = null;
    const chunk = rest ?? (await this.#readChunk(undefined, "response"))!;
    try {
      this.#decoder.push(chunk, this.#frames);
    } catch (error) {
      throw this.fail(error as IMAP4Abort);
    }
    if (!rest) this.#recycle(chunk);
  }

  /**
   * While a literal streams to a sink (see `streamLiteral`): reads its next bytes from the
   * transport straight into `view`, so a consumer's buffer is filled with no copy and no read
   * buffer of ours in between; never reads past the literal. Returns the filled view (over
   * `view`'s memory, whose buffer the read transferred: use the returned view), or `null`
   * when the bytes went through the decoder to the sink instead, as `pump()` does: when some
   * were already read (a read ahead in flight, bytes left by `readRaw`) or the transport's
   * stream has no BYOB reader. Bounded by the `timeout` option; failures end the connection.
   */
  async readStreamedLiteral(view: Uint8Array): Promise<Uint8Array | null> {
    this.throwIfFailed();
    const remaining = this.#decoder.streamedLiteralRemainingBytes;
    if (
      remaining === 0 || this.#rawRest || this.#pendingRead || !this.#reader?.byob ||
      view.length === 0
    ) {
      await this.pump();
      return null;
    }
    const into = view.length > remaining ? view.subarray(0, remaining) : view;
    const chunk = (await this.#readChunk(undefined, "response", into))!;
    this.#decoder.skipStreamedLiteral(chunk.length);
    return chunk;
  }

  // The next chunk from the transport; null when the soft limit ended the wait (the read stays
  // pending and its bytes go to the next call). EOF, errors and hard timeouts end the connection.
  // With `into`, the read goes into that view and nothing is read ahead.
  async #readChunk(
    soft: SoftLimit | undefined,
    what: string,
    into?: Uint8Array,
  ): Promise<Uint8Array | null> {
    for (;;) {
      const reader = this.#reader;
      if (!reader) throw this.fail(new IMAP4ConnectionError("socket error: connection closed"));
      if (!this.#pendingRead) this.#startRead(reader, into);
      const outcome = await this.#race(this.#pendingRead!, soft);
      if (outcome.kind === "soft") return null;
      this.#pendingRead = null;
      if (outcome.kind === "error") {
        throw this.fail(
          new IMAP4ConnectionError(`socket error: ${describe(outcome.error)}`, {
            cause: outcome.error,
          }),
        );
      }
      this.#raiseWaitFailure(outcome, what);
      if (outcome.kind !== "chunk") continue;
      if (outcome.result.done) throw this.fail(new IMAP4ConnectionError("socket error: EOF"));
      this.lastReadMs = this.clock.now();
      // Read ahead: the next read runs while this chunk is decoded, so the socket never sits
      // full while the client works (a third of a bulk FETCH's time otherwise). STARTTLS turns
      // it off, since nothing may be read after its tagged OK. Nor while a literal streams
      // over a BYOB reader: its bytes then go straight into the consumer's buffers
      // (readStreamedLiteral).
      if (this.readAhead && !into && !(reader.byob && this.#decoder.streaming)) {
        this.#startRead(reader);
      }
      const value = outcome.result.value;
      if (value.length > 0) return value;
      // An empty read transferred the buffer of `into` too: go on in the returned one.
      if (into) into = new Uint8Array(value.buffer, value.byteOffset, into.length);
    }
  }

  /**
   * imaplib's `read(size)` / `readline()`: raw bytes from the connection, bypassing the decoder.
   * Only possible between responses (nothing decoded or half-decoded is waiting), since bytes
   * taken here are not seen by the protocol.
   * @param until `size` bytes, or up to and including the next LF (`"line"`).
   * @throws {IMAP4Error} if a response is partly received or decoded but not yet read.
   */
  async readRaw(until: number | "line"): Promise<Uint8Array> {
    this.throwIfFailed();
    if (this.#decoder.bufferedBytes > 0 || this.#frameIndex < this.#frames.length) {
      throw new IMAP4Error("read() and readline() work only between responses");
    }
    let have = this.#rawRest ?? new Uint8Array(0);
    this.#rawRest = null;
    for (;;) {
      const end = until === "line" ? have.indexOf(0x0a) + 1 : have.length >= until ? until : 0;
      if (end > 0 || until === 0) {
        if (end < have.length) this.#rawRest = have.slice(end);
        return have.slice(0, end);
      }
      const chunk = (await this.#readChunk(undefined, "data"))!;
      const next = new Uint8Array(have.length + chunk.length);
      next.set(have, 0);
      next.set(chunk, have.length);
      this.#recycle(chunk);
      have = next;
    }
  }

  /**
   * imaplib's `_mesg` at level >= 4, else its `_log` ring of the last 10 interactions. The
   * text is built only when shown, so tracing costs nothing measurable at level 0.
   */
  trace(text: () => string): void {
    if (this.debugLevel() >= 4) {
      this.mesg(text());
      return;
    }
    this.interactions.push({ text, atMs: Date.now() });
    if (this.interactions.length > 10) this.interactions.shift();
  }

  #traceFrame(frame: Frame): void {
    const { lines, literals } = frame;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      this.trace(() => `< ${bytesRepr(line)}`);
      if (i < literals.length && this.debugLevel() >= 4) {
        this.mesg(`read literal size ${literals[i].length}`);
      }
    }
  }

  #raiseWaitFailure(outcome: ReadOutcome, what: string): void {
    if (outcome.kind === "timeout") {
      throw this.fail(
        new IMAP4TimeoutError(`timed out after ${this.#options.timeout} s waiting for ${what}`),
      );
    }
    if (outcome.kind === "aborted") {
      throw this.fail(
        new IMAP4TimeoutError("connection aborted by signal", {
          cause: outcome.reason,
        }),
      );
    }
  }

  // Waits for `pending`, the hard timeout, the connection signal or the soft limit.
  #race<T>(pending: Promise<T>, soft: SoftLimit | undefined): Promise<
    ReadOutcome & ({ kind: "chunk"; result: T } | { kind: Exclude<ReadOutcome["kind"], "chunk"> })
  > {
    type Out =
      & ReadOutcome
      & ({ kind: "chunk"; result: T } | {
        kind: Exclude<ReadOutcome["kind"], "chunk">;
      });
    return new Promise<Out>((resolve) => {
      const clock = this.clock;
      const timers: unknown[] = [];
      const signals: [AbortSignal, () => void][] = [];
      let settled = false;
      const settle = (out: Out) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clock.clearTimer(timer);
        for (const [signal, listener] of signals) signal.removeEventListener("abort", listener);
        resolve(out);
      };
      const listen = (signal: AbortSignal | undefined, out: () => Out) => {
        if (!signal) return;
        if (signal.aborted) return settle(out());
        const listener = () => settle(out());
        signal.addEventListener("abort", listener, { once: true });
        signals.push([signal, listener]);
      };
      const connectionSignal = this.#options.signal;
      listen(
        connectionSignal,
        () => ({ kind: "aborted", reason: connectionSignal?.reason }) as Out,
      );
      if (soft) {
        listen(soft.signal, () => ({ kind: "soft" }) as Out);
        if (soft.untilMs !== undefined) {
          const delay = soft.untilMs - clock.now();
          if (delay <= 0) return settle({ kind: "soft" } as Out);
          timers.push(clock.setTimer(() => settle({ kind: "soft" } as Out), delay));
        }
      } else if (this.timeoutMs !== undefined) {
        timers.push(clock.setTimer(() => settle({ kind: "timeout" } as Out), this.timeoutMs));
      }
      pending.then(
        (result) => settle({ kind: "chunk", result } as Out),
        (error) => settle({ kind: "error", error } as Out),
      );
    });
  }

  /** imaplib's `_append_untagged`, including CPython 3.14's IDLE capture. */
  appendUntagged(type: string, datum: Datum | null): void {
    const dat = datum ?? new Uint8Array(0);
    this.#storedBytes += datumBytes(dat);
    if (this.#storedBytes > this.#maxStoredBytes) {
      throw this.fail(
        new IMAP4LimitError("maxStoredBytes", this.#maxStoredBytes, this.#storedBytes),
      );
    }
    const capture = this.capture;
    if (capture) {
      // A response with literals arrives one fragment at a time: continue the last item while
      // its last fragment is a [header, literal] pair.
      const last = capture[capture.length - 1];
      if (last && last[0] === type && Array.isArray(last[1][last[1].length - 1])) {
        last[1].push(dat);
      } else {
        capture.push([type, [dat]]);
      }
      return;
    }
    const store = this.#untagged;
    if (this.debugLevel() >= 5) {
      const count = Object.hasOwn(store, type) ? store[type].length : 0;
      const shown = dat instanceof Uint8Array ? bytesRepr(dat) : dataRepr([dat]).slice(1, -1);
      this.mesg(`untagged_responses[${type}] ${count} += ["${shown}"]`);
    }
    if (Object.hasOwn(store, type)) store[type].push(dat);
    else store[type] = [dat];
  }

  /**
   * imaplib's `_get_response`: reads one response and stores it.
   * @returns The response (a continuation request sets `continuation`), or `null` on a soft
   *   limit.
   */
  async getResponse(soft?: SoftLimit): Promise<Response | null> {
    const response = await this.readResponse(soft);
    if (!response) return null;
    if (response.kind === "continuation") {
      this.continuation = response.data;
      return response;
    }
    if (response.kind === "tagged") {
      if (!this.tagged.has(response.tag) || this.tagged.get(response.tag) !== null) {
        throw this.fail(
          new IMAP4Abort(`unexpected tagged response: ${dataRepr([response.line])}`),
        );
      }
      this.tagged.set(response.tag, [response.status, [response.data]]);
    } else {
      for (const datum of response.data) this.appendUntagged(response.type, datum);
    }
    if (response.code) this.appendUntagged(response.code.type, response.code.data);
    if (this.debugLevel() >= 1) {
      const status = response.kind === "tagged" ? response.status : response.type;
      if (status === "NO" || status === "BAD" || status === "BYE") {
        const data = response.kind === "tagged" ? response.data : response.data[0];
        this.mesg(`${status} response: ${bytesRepr(data instanceof Uint8Array ? data : data[0])}`);
      }
    }
    return response;
  }

  /** Removes the stored data of `type`, releasing its bytes from the count. */
  deleteUntagged(type: string): void {
    if (!Object.hasOwn(this.#untagged, type)) return;
    this.#storedBytes -= dataBytes(this.#untagged[type]);
    delete this.#untagged[type];
  }

  /**
   * Ends capturing: the captured responses not yet taken move to the untagged store (those
   * `keep` accepts; all by default), in order, one fragment at a time as imaplib appends them.
   */
  releaseCapture(keep: (type: string, data: Datum[]) => boolean = () => true): void {
    const left: [string, Datum[]][] = [];
    for (let item = this.takeCaptured(); item; item = this.takeCaptured()) left.push(item);
    this.capture = null;
    for (const [type, data] of left) {
      if (keep(type, data)) { for (const datum of data) this.appendUntagged(type, datum); }
    }
  }

  /**
   * Removes the captured responses that `drop` selects, releasing their bytes from the count;
   * the others stay captured, in order (and counted: a flood of them meets `maxStoredBytes`).
   */
  dropCaptured(drop: (type: string, data: Datum[]) => boolean): void {
    const capture = this.capture;
    if (!capture) return;
    let kept = 0;
    for (const item of capture) {
      if (drop(item[0], item[1])) this.#storedBytes -= dataBytes(item[1]);
      else capture[kept++] = item;
    }
    capture.length = kept;
  }

  /** Takes the first response of the IDLE queue, releasing its bytes from the count. */
  takeCaptured(): [string, Datum[]] | undefined {
    const item = this.capture?.shift();
    if (item) this.#storedBytes -= dataBytes(item[1]);
    return item;
  }

  /** imaplib's `_check_bye`: a stored BYE ends the connection with its text. */
  checkBye(): void {
    const bye = this.untagged["BYE"];
    if (bye && bye.length) {
      const last = bye[bye.length - 1];
      const text = decodeText(last instanceof Uint8Array ? last : last[0]);
      throw this.fail(new IMAP4Abort(text));
    }
  }

  /** imaplib's `_new_tag`. */
  newTag(): string {
    const tag = this.tagPrefix + String(this.tagnum++);
    this.tagged.set(tag, null);
    return tag;
  }

  /** Checks `name` is legal in the current state (imaplib's message). */
  checkState(name: string): void {
    this.throwIfFailed();
    const states = COMMANDS[name] ?? this.extraCommands[name];
    if (states && !states.includes(this.state)) {
      throw new IMAP4Error(
        `command ${name} illegal in state ${this.state}, only allowed in states ${
          stateList(states)
        }`,
      );
    }
  }

  /**
   * imaplib's `_command`: checks state, encodes, writes, and feeds literals or continuation
   * data. Returns the tag.
   */
  async command(
    name: string,
    args: readonly Argument[],
    onContinuation?: ContinuationHandler,
  ): Promise<string> {
    this.checkState(name);
    for (const type of ["OK", "NO", "BAD"]) this.deleteUntagged(type);
    if (Object.hasOwn(this.untagged, "READ-ONLY") && !this.isReadonly) {
      throw new IMAP4Readonly("mailbox status changed to READ-ONLY");
    }
    // Encoding happens before the tag is taken: a bad argument leaves nothing behind.
    const fragments = encodeCommand(this.tagPrefix + String(this.tagnum), name, args, {
      utf8: this.utf8,
    });
    const tag = this.newTag();
    const [first, ...rest] = fragments;
    // LOGIN's arguments are credentials: never in a trace, whatever the debug level.
    const shown = name === "LOGIN" ? `${tag} LOGIN [redacted]` : null;
    this.trace(() => `> ${shown === null ? bytesRepr(withoutCrlf(first.bytes)) : shown}`);
    await this.sendHook(first.bytes);
    for (const fragment of rest) {
      if (fragment.kind === "literal") {
        if (!(await this.waitContinuation(tag))) return tag;
        if (this.debugLevel() >= 4) this.mesg(`write literal size ${fragment.bytes.length}`);
      } else if (shown === null) {
        this.trace(() => `> ${bytesRepr(withoutCrlf(fragment.bytes))}`);
      }
      await this.sendHook(fragment.bytes);
    }
    if (onContinuation) {
      // AUTHENTICATE-style exchange: answer each `+` until the command completes.
      while (await this.waitContinuation(tag)) {
        let answer: Uint8Array;
        try {
          answer = await onContinuation(this.continuation);
        } catch (error) {
          // The authenticator failed: cancel the exchange (RFC 3501 section 6.2.2) and read the
          // tagged reply, so that the connection stays in step, then report the failure.
          await this.sendHook(CANCEL_LINE);
          while (!this.tagged.get(tag)) await this.getResponse();
          this.tagged.delete(tag);
          throw error;
        }
        this.trace(() => `> [redacted: ${answer.length} bytes of authentication data]`);
        const line = new Uint8Array(answer.length + 2);
        line.set(answer, 0);
        line.set(CRLF, answer.length);
        await this.sendHook(line);
      }
    }
    return tag;
  }

  /** Reads until a continuation request (`true`) or the completion of `tag` (`false`). */
  async waitContinuation(tag: string): Promise<boolean> {
    for (;;) {
      const response = await this.getResponse();
      if (response?.kind === "continuation") return true;
      if (this.tagged.get(tag)) return false;
    }
  }

  /** imaplib's `_get_tagged_response`. */
  async getTaggedResponse(tag: string, expectBye = false): Promise<Result> {
    for (;;) {
      const result = this.tagged.get(tag);
      if (result) {
        this.tagged.delete(tag);
        return result;
      }
      if (expectBye) {
        const bye = this.untagged["BYE"];
        if (bye) {
          this.deleteUntagged("BYE");
          return ["BYE", bye];
        }
      }
      this.checkBye();
      await this.getResponse();
    }
  }

  /** imaplib's `_command_complete`. */
  async commandComplete(name: string, tag: string): Promise<Result> {
    const logout = name === "LOGOUT";
    if (!logout) this.checkBye();
    let result: Result;
    try {
      result = await this.getTaggedResponse(tag, logout);
    } catch (error) {
      throw prefixed(error, name);
    }
    if (!logout) this.checkBye();
    if (result[0] === "BAD") {
      throw new IMAP4Error(`${name} command error: BAD ${dataRepr(result[1] as Uint8Array[])}`);
    }
    return result;
  }

  /** imaplib's `_simple_command`. */
  async simple(
    name: string,
    args: readonly Argument[] = [],
    onContinuation?: ContinuationHandler,
  ): Promise<Result> {
    return this.commandComplete(name, await this.command(name, args, onContinuation));
  }

  /** imaplib's `_untagged_response`. */
  untaggedResponse(type: string, data: Data[], name: string): Result {
    if (type === "NO") return [type, data];
    if (!Object.hasOwn(this.#untagged, name)) return [type, [null]];
    const stored = this.#untagged[name];
    this.deleteUntagged(name);
    return [type, stored];
  }

  /**
   * Upgrades the connection to TLS right after the tagged OK of STARTTLS.
   * @throws {IMAP4TlsError} if any byte arrived after that OK (an injection attempt: RFC 3501
   *   section 6.2.1 and CVE-2011-0411-style attacks), if the transport cannot upgrade, or if
   *   the handshake or certificate verification fails. The connection is closed then.
   */
  async startTls(options: TlsOptions): Promise<void> {
    const transport = this.#transport;
    if (!transport) throw this.fail(new IMAP4ConnectionError("socket error: connection closed"));
    const leftover = this.#decoder.bufferedBytes + (this.#frames.length - this.#frameIndex) +
      (this.#rawRest?.length ?? 0);
    if (leftover > 0 || this.#pendingRead) {
      throw this.fail(
        new IMAP4TlsError(
          "STARTTLS: the server sent data in clear after its tagged OK; possible injection",
        ),
      );
    }
    if (!transport.startTls) {
      throw this.fail(new IMAP4TlsError("STARTTLS: this transport cannot upgrade to TLS"));
    }
    this.#reader?.releaseLock();
    this.#writer?.releaseLock();
    this.#reader = null;
    this.#writer = null;
    this.#transport = null;
    const upgrading = transport.startTls({ ...options, hostname: options.hostname ?? this.host });
    upgrading.catch(() => {});
    const outcome = await this.#race(upgrading, undefined);
    if (outcome.kind === "chunk") {
      this.#decoder = new FrameDecoder(this.#options);
      this.#transport = outcome.result;
      this.#reader = chunkReader(outcome.result.readable);
      this.#writer = outcome.result.writable.getWriter();
      return;
    }
    upgrading.then((late) => late.close(), () => {});
    try {
      transport.close();
    } catch {
      // The upgrade consumed or broke it.
    }
    if (outcome.kind === "error") {
      throw this.fail(
        new IMAP4TlsError(`TLS handshake failed: ${describe(outcome.error)}`, {
          cause: outcome.error,
        }),
      );
    }
    this.#raiseWaitFailure(outcome, "TLS handshake");
  }
}

// imaplib's `command: NAME => reason`, kept on the same class; the original is the cause.
function prefixed(error: unknown, name: string): unknown {
  if (!(error instanceof IMAP4Error)) return error;
  const Class = error.constructor;
  if (Class !== IMAP4Abort && Class !== IMAP4Error) return error;
  return new (Class as typeof IMAP4Error)(`command: ${name} => ${error.message}`, {
    cause: error,
  });
}
