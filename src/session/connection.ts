/**
 * All byte I/O of one connection: the transport's reader and writer, the frame decoder, read
 * ahead and BYOB buffer reuse, every timeout on the {@linkcode Clock}, the connection signal,
 * failure (first error wins, then closed) and the swaps of transports (STARTTLS, COMPRESS).
 *
 * @module
 */

import { type Frame, FrameDecoder, type LiteralAcceptor } from "../wire/decoder.ts";
import {
  errorMessage,
  type IMAP4Abort,
  IMAP4ConnectionError,
  IMAP4Error,
  IMAP4TimeoutError,
  IMAP4TlsError,
} from "../errors.ts";
import type { TlsOptions, Transport } from "../transport/transport.ts";
import { type ChunkReader, chunkReader, type ChunkWriter, chunkWriter } from "./chunk_io.ts";
import { type Clock, systemClock } from "./clock.ts";
import { connectTimeoutOf, type SessionOptions } from "./options.ts";
import { emit } from "./log.ts";
import { TimeSlices } from "./time_slices.ts";

export type { Turn } from "./time_slices.ts";

/** A wait that ends quietly (the read returns `null`) instead of failing the connection. */
export interface SoftLimit {
  /** {@linkcode Clock.now} value after which the read gives up. */
  untilMs?: number;
  /** Gives up when aborted. */
  signal?: AbortSignal;
}

type WaitOutcome<T> =
  | { kind: "done"; result: T }
  | { kind: "error"; error: unknown }
  | { kind: "soft" }
  | { kind: "timeout" }
  | { kind: "aborted"; reason: unknown };

// Sizes of the read buffers of a BYOB reader: a read that fills its buffer makes the next one
// four times larger, up to the maximum (bulk traffic: few large reads); one that brings little
// (at most the minimum) makes the next one the minimum, or the idle size when it brought less
// still; in between, the next read halves at most, to what came. Reads larger than the minimum
// go into buffers of the maximum size, reused (fresh memory is dear: a 256 KiB buffer costs its
// page faults again each time); those are let go, and reads of the minimum size take fresh small
// buffers, when traffic stops.
const MAX_READ_BYTES = 256 * 1024;
const MIN_READ_BYTES = 8 * 1024;
// Below the minimum, a read that brought at most this much (a tagged reply, an IDLE
// notification) makes the next one this small, in a fresh buffer of its own: that read is what
// an idle connection holds while it waits, 1 KiB instead of 8 (workload (h)). One that fills it
// makes the next one the minimum; a reply of 1-8 KiB after a quiet spell costs one more read.
const IDLE_READ_BYTES = 1024;
// A read of the minimum size that brought at least this much is taken for bulk traffic in small
// pieces, and its buffer serves the next small read: Deno's TLS reads return one ~4 KiB piece
// each however large the buffer, so a bulk FETCH over TLS is ~25,000 small reads per 100 MB,
// and a fresh buffer for each cost a third more CPU than the raw TLS socket. Less than this
// (a tagged reply, an IDLE notification) lets the buffer go, so an idle connection keeps none.
const SMALL_BULK_BYTES = 2 * 1024;
const NO_BUFFER = new Uint8Array(0);
// The largest part of a write handed to the transport at once (see write()).
const WRITE_PART_BYTES = 1024 * 1024;

/** The size of the next read after a read of `size` bytes returned `n`. */
function nextReadSize(size: number, n: number): number {
  if (n <= IDLE_READ_BYTES && n < size) return IDLE_READ_BYTES;
  if (size === IDLE_READ_BYTES) return MIN_READ_BYTES;
  if (n >= size) return Math.min(size * 4, MAX_READ_BYTES);
  if (n <= MIN_READ_BYTES) return MIN_READ_BYTES;
  let fit = MIN_READ_BYTES;
  while (fit < n) fit *= 2;
  return Math.max(fit, size / 2);
}

/** The byte side of a session. */
export class Connection {
  /** The connection's time source. */
  readonly clock: Clock;
  readonly #options: SessionOptions;
  readonly #timeoutMs: number | undefined;
  #lastReadMs: number;
  #transport: Transport | null = null;
  #reader: ChunkReader | null = null;
  // Read buffers of the maximum size for a BYOB reader, reused once the decoder is done with
  // them (two: one being decoded while the read-ahead fills the other); dropped when idle.
  #spareBuffers: ArrayBuffer[] = [];
  // A buffer of the minimum size for the next small read (see SMALL_BULK_BYTES).
  #smallSpare: ArrayBuffer | null = null;
  // The size of the next BYOB read (see nextReadSize).
  #readSize = IDLE_READ_BYTES;
  // Work between two turns of the event loop (time_slices.ts).
  readonly #slices = new TimeSlices();
  #writer: ChunkWriter | null = null;
  #decoder: FrameDecoder;
  #acceptor: LiteralAcceptor | null = null;
  #frames: Frame[] = [];
  #frameIndex = 0;
  // The read in flight, and how many writes had started when its bytes arrived.
  #pendingRead: Promise<[ReadableStreamReadResult<Uint8Array>, number]> | null = null;
  // Bytes that `readRaw` read past what it returned; the decoder gets them first.
  #rawRest: Uint8Array | null = null;
  #rawRestWrites = 0;
  // Writes started so far; each decoded frame is stamped with the count when its last bytes
  // arrived, so that a reply that arrived before its command was written can be told apart.
  #writesStarted = 0;
  #frameWrites: number[] = [];
  #lastFrameWrites = 0;
  // The stamp of the chunk #readChunk returned last.
  #chunkWrites = 0;
  #readAhead = true;
  #failure: IMAP4Abort | null = null;
  // Settles when the transport's close() has finished (a child process has exited).
  #closed: Promise<void> = Promise.resolve();
  #onSignal = () =>
    this.fail(
      new IMAP4TimeoutError("connection aborted by signal", {
        cause: this.#options.signal?.reason,
      }),
    );

  /** @throws {RangeError} for a bad `timeout` or decoder limit. */
  constructor(options: SessionOptions = {}) {
    this.#options = options;
    connectTimeoutOf(options); // validates both timeouts
    this.#timeoutMs = typeof options.timeout === "number" ? options.timeout * 1000 : undefined;
    this.clock = options.clock ?? systemClock;
    this.#lastReadMs = this.clock.now();
    this.#decoder = this.#newDecoder();
  }

  #newDecoder(): FrameDecoder {
    return new FrameDecoder(this.#options, (line, size, index) => {
      return this.#acceptor?.(line, size, index) ?? null;
    });
  }

  /** The transport in use, or `null` once closed. */
  get transport(): Transport | null {
    return this.#transport;
  }

  /** The error that ended the connection, if one did. */
  get failure(): IMAP4Abort | null {
    return this.#failure;
  }

  /** {@linkcode Clock.now} when the last bytes arrived from the server. */
  get lastReadMs(): number {
    return this.#lastReadMs;
  }

  /** How many writes have started on this connection. */
  get writesStarted(): number {
    return this.#writesStarted;
  }

  /**
   * How many writes had started when the last bytes of the frame `readFrame()` returned last
   * arrived: a reply stamped lower than its command's first write came before the command.
   */
  get lastFrameWrites(): number {
    return this.#lastFrameWrites;
  }

  /** True if a complete response is decoded and waiting, so `readFrame()` will not read. */
  get hasBufferedFrame(): boolean {
    return this.#frameIndex < this.#frames.length;
  }

  /** Starts using `transport`. */
  attach(transport: Transport): void {
    this.#transport = transport;
    this.#reader = chunkReader(transport);
    this.#writer = chunkWriter(transport);
    const signal = this.#options.signal;
    if (signal && !this.#failure) {
      if (signal.aborted) this.#onSignal();
      else signal.addEventListener("abort", this.#onSignal, { once: true });
    }
  }

  /** Streams the literals that `accept` accepts (see `FrameDecoder.streamLiteral`). */
  streamLiterals(accept: LiteralAcceptor | null): void {
    this.#acceptor = accept;
  }

  /**
   * Whether a read is started as soon as a chunk arrives. STARTTLS turns it off: nothing may be
   * read past its tagged OK.
   */
  setReadAhead(on: boolean): void {
    this.#readAhead = on;
  }

  /** Ends the connection with `error` (first error wins), closing the transport. */
  fail(error: IMAP4Abort): IMAP4Abort {
    if (!this.#failure) {
      this.#failure = error;
      this.close();
      emit(this.#options.onLog, {
        level: "error",
        event: "error",
        error: `${error.name}: ${error.message}`,
      });
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
    this.#slices.stop();
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
    this.#writesStarted++;
    // A large write (an APPEND's literal) goes out a part at a time, each part awaited: Bun's
    // socket copied a 30 MB buffer handed to it whole in one stretch of ~150 ms. Writes that
    // complete at once resolve without a turn of the loop (Deno: 120 parts of a 30 MB literal
    // to a loopback server held it ~55 ms), so the parts share the connection's time slices.
    let at = 0;
    do {
      if (at > 0) {
        const turn = this.turnIfDue();
        if (turn) await turn;
      }
      const part = bytes.length <= WRITE_PART_BYTES
        ? bytes
        : bytes.subarray(at, at + WRITE_PART_BYTES);
      at += WRITE_PART_BYTES;
      const writing = writer.write(part);
      writing.catch(() => {});
      const outcome = await this.#race(writing, undefined);
      if (outcome.kind === "error") {
        throw this.fail(
          new IMAP4ConnectionError(`socket error: ${errorMessage(outcome.error)}`, {
            cause: outcome.error,
          }),
        );
      }
      this.#raiseWaitFailure(outcome, "write");
    } while (at < bytes.length);
  }

  /**
   * Reads the next complete response as a frame. With `soft`, returns `null` when its deadline
   * or signal ends the wait, keeping any partial response buffered; without it, the `timeout`
   * option bounds the wait and a timeout ends the connection.
   */
  async readFrame(soft?: SoftLimit): Promise<Frame | null> {
    for (;;) {
      const frame = this.takeFrame();
      if (frame) return frame;
      if (!(await this.#decodeNext(soft))) return null;
    }
  }

  /**
   * The next decoded response, if one is waiting (see `hasBufferedFrame`), without waiting:
   * what `readFrame()` returns first, taken synchronously.
   */
  takeFrame(): Frame | undefined {
    this.throwIfFailed();
    if (this.#frameIndex >= this.#frames.length) return undefined;
    this.#lastFrameWrites = this.#frameWrites[this.#frameIndex];
    const frame = this.#frames[this.#frameIndex++];
    if (this.#frameIndex === this.#frames.length) {
      this.#frames = [];
      this.#frameWrites = [];
      this.#frameIndex = 0;
    }
    return frame;
  }

  /**
   * Reads one chunk from the transport into the decoder (which may stream it to a literal
   * sink), bounded by the `timeout` option. Failures end the connection.
   */
  async pump(): Promise<void> {
    this.throwIfFailed();
    await this.#decodeNext(undefined);
  }

  // Feeds the decoder the bytes left by readRaw, or the next chunk; false on a soft limit.
  async #decodeNext(soft: SoftLimit | undefined): Promise<boolean> {
    const rest = this.#rawRest;
    this.#rawRest = null;
    const chunk = rest ?? await this.#readChunk(soft, "response");
    if (chunk === null) return false;
    const writes = rest ? this.#rawRestWrites : this.#chunkWrites;
    let after: Uint8Array | null = null;
    try {
      if (this.#readAhead) {
        this.#decoder.push(chunk, this.#frames, !rest && this.#reader?.given === true);
      } else after = this.#pushOneResponse(chunk);
    } catch (error) {
      throw this.fail(error as IMAP4Abort);
    }
    while (this.#frameWrites.length < this.#frames.length) this.#frameWrites.push(writes);
    if (after) {
      this.#rawRest = after;
      this.#rawRestWrites = writes;
    }
    if (!rest) this.#recycle(chunk);
    return true;
  }

  // Without read ahead (STARTTLS, COMPRESS), decoding stops at the end of the first response
  // the chunk completes, and the bytes after it stay undecoded in #rawRest: whatever follows
  // the tagged OK of those commands is not plain IMAP (for STARTTLS an injection, for COMPRESS
  // the start of the compressed stream). A response can only end at an LF, so the chunk goes to
  // the decoder a line at a time until one does.
  #pushOneResponse(chunk: Uint8Array): Uint8Array | null {
    const before = this.#frames.length;
    let at = 0;
    while (at < chunk.length && this.#frames.length === before) {
      const lf = chunk.indexOf(0x0a, at);
      const end = lf < 0 ? chunk.length : lf + 1;
      this.#decoder.push(chunk.subarray(at, end), this.#frames);
      at = end;
    }
    return at < chunk.length ? chunk.slice(at) : null;
  }

  /**
   * While a literal streams to a sink (see `streamLiterals`): reads its next bytes from the
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
      remaining === 0 || this.#rawRest || this.#pendingRead || !this.#reader?.into ||
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
        if (end < have.length) {
          this.#rawRest = have.slice(end);
          this.#rawRestWrites = this.#chunkWrites;
        }
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

  #startRead(reader: ChunkReader, into?: Uint8Array): void {
    // A default reader makes its own chunks: no buffer of ours to fill (nor to allocate).
    const size = this.#readSize;
    const view = into ??
      (!reader.byob
        ? NO_BUFFER
        : size === IDLE_READ_BYTES
        ? new Uint8Array(size)
        : size === MIN_READ_BYTES
        ? new Uint8Array(this.#takeSmallSpare() ?? new ArrayBuffer(size))
        : new Uint8Array(this.#spareBuffers.pop() ?? new ArrayBuffer(MAX_READ_BYTES), 0, size));
    this.#pendingRead = (into ? reader.readInto(into) : reader.read(view))
      .then((result) => [result, this.#writesStarted]);
    this.#pendingRead.catch(() => {});
  }

  // The decoder keeps nothing that points into a chunk after push(), and a literal sink may
  // use its views only during write() (see FrameDecoder), so a BYOB read buffer can serve the
  // next read.
  #recycle(chunk: Uint8Array): void {
    if (!this.#reader?.byob) return;
    if (chunk.buffer.byteLength === MIN_READ_BYTES) {
      this.#smallSpare = chunk.length >= SMALL_BULK_BYTES ? chunk.buffer as ArrayBuffer : null;
      return;
    }
    if (
      this.#spareBuffers.length < 2 && this.#readSize > MIN_READ_BYTES &&
      chunk.buffer.byteLength === MAX_READ_BYTES
    ) {
      this.#spareBuffers.push(chunk.buffer as ArrayBuffer);
    }
  }

  #takeSmallSpare(): ArrayBuffer | null {
    const spare = this.#smallSpare;
    this.#smallSpare = null;
    return spare;
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
          new IMAP4ConnectionError(`socket error: ${errorMessage(outcome.error)}`, {
            cause: outcome.error,
          }),
        );
      }
      this.#raiseWaitFailure(outcome, what);
      if (outcome.kind !== "done") continue;
      const [result, writes] = outcome.result;
      if (result.done) throw this.fail(new IMAP4ConnectionError("socket error: EOF"));
      this.#chunkWrites = writes;
      this.#lastReadMs = this.clock.now();
      if (!into && reader.byob) {
        const size = this.#readSize;
        this.#readSize = nextReadSize(size, result.value.length);
        if (this.#readSize <= MIN_READ_BYTES) this.#spareBuffers.length = 0;
      }
      const value = result.value;
      // A due turn of the event loop comes before the next read starts: with a read in flight,
      // Bun's loop reads (over TLS, decrypts) one more chunk before it runs the turn, 3.5-6 ms
      // more of the application's timers waiting (bench/RESULTS.md, eleventh session).
      if (value.length > 0) {
        const turn = this.turnIfDue();
        if (turn) await turn;
      }
      // Read ahead: the next read runs while this chunk is decoded, so the socket never sits
      // full while the client works (a third of a bulk FETCH's time otherwise). STARTTLS turns
      // it off, since nothing may be read after its tagged OK. Nor while a literal streams
      // over a BYOB reader: its bytes then go straight into the consumer's buffers
      // (readStreamedLiteral). Nor once the connection closed or swapped readers meanwhile.
      if (
        this.#readAhead && !into && !(reader.into && this.#decoder.streaming) &&
        this.#reader === reader && !this.#pendingRead
      ) {
        this.#startRead(reader);
      }
      if (value.length > 0) return value;
      // An empty read transferred the buffer of `into` too: go on in the returned one.
      if (into) into = new Uint8Array(value.buffer, value.byteOffset, into.length);
    }
  }

  /**
   * A turn of the event loop when the current slice of work is used up, else null (then
   * nothing to await): {@linkcode TimeSlices.turnIfDue} of this connection. Called per chunk
   * read, and by consumers of many responses between responses.
   */
  turnIfDue(): Promise<void> | null {
    return this.#slices.turnIfDue();
  }

  #raiseWaitFailure(outcome: WaitOutcome<unknown>, what: string): void {
    if (outcome.kind === "timeout") {
      throw this.fail(
        new IMAP4TimeoutError(`timed out after ${this.#options.timeout} s waiting for ${what}`),
      );
    }
    if (outcome.kind === "aborted") {
      throw this.fail(
        new IMAP4TimeoutError("connection aborted by signal", { cause: outcome.reason }),
      );
    }
  }

  // Waits for `pending`, the hard timeout, the connection signal or the soft limit.
  #race<T>(pending: Promise<T>, soft: SoftLimit | undefined): Promise<WaitOutcome<T>> {
    return new Promise<WaitOutcome<T>>((resolve) => {
      const clock = this.clock;
      const timers: unknown[] = [];
      const signals: [AbortSignal, () => void][] = [];
      let settled = false;
      const settle = (out: WaitOutcome<T>) => {
        if (settled) return;
        settled = true;
        for (const timer of timers) clock.clearTimer(timer);
        for (const [signal, listener] of signals) signal.removeEventListener("abort", listener);
        resolve(out);
      };
      const listen = (signal: AbortSignal | undefined, out: () => WaitOutcome<T>) => {
        if (!signal) return;
        if (signal.aborted) return settle(out());
        const listener = () => settle(out());
        signal.addEventListener("abort", listener, { once: true });
        signals.push([signal, listener]);
      };
      const connectionSignal = this.#options.signal;
      listen(connectionSignal, () => ({ kind: "aborted", reason: connectionSignal?.reason }));
      if (soft) {
        listen(soft.signal, () => ({ kind: "soft" }));
        if (soft.untilMs !== undefined) {
          const delay = soft.untilMs - clock.now();
          if (delay <= 0) return settle({ kind: "soft" });
          timers.push(clock.setTimer(() => settle({ kind: "soft" }), delay));
        }
      } else if (this.#timeoutMs !== undefined) {
        timers.push(clock.setTimer(() => settle({ kind: "timeout" }), this.#timeoutMs));
      }
      pending.then(
        (result) => settle({ kind: "done", result }),
        (error) => settle({ kind: "error", error }),
      );
    });
  }

  /**
   * Replaces the transport with `wrap(transport, received)` right after a tagged OK read
   * without read ahead (COMPRESS, RFC 4978 section 3: compression starts right after the CRLF
   * that ends that OK); `received` holds the bytes that came after it, undecoded.
   * @throws {IMAP4ConnectionError} elsewhere than at a response boundary, or when `wrap`
   *   throws; the connection is closed then.
   */
  async wrapTransport(
    wrap: (transport: Transport, received: Uint8Array) => Promise<Transport>,
  ): Promise<void> {
    const transport = this.#transport;
    if (!transport || this.hasBufferedFrame || this.#decoder.bufferedBytes || this.#pendingRead) {
      throw this.fail(new IMAP4ConnectionError("cannot switch transports here"));
    }
    const received = this.#rawRest ?? new Uint8Array(0);
    this.#rawRest = null;
    this.#reader?.releaseLock();
    this.#writer?.releaseLock();
    this.#reader = null;
    this.#writer = null;
    // BYOB buffers: the new readable makes its own chunks.
    this.#spareBuffers = [];
    this.#smallSpare = null;
    try {
      this.attach(await wrap(transport, received));
    } catch (error) {
      throw this.fail(new IMAP4ConnectionError(errorMessage(error), { cause: error }));
    }
  }

  /**
   * Upgrades the connection to TLS right after the tagged OK of STARTTLS.
   * @throws {IMAP4TlsError} if any byte arrived after that OK (an injection attempt: RFC 3501
   *   section 6.2.1 and CVE-2011-0411-style attacks), if the transport cannot upgrade, or if
   *   the handshake or certificate verification fails. The connection is closed then.
   */
  async startTls(options: TlsOptions & { hostname: string }): Promise<void> {
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
    const upgrading = transport.startTls(options);
    upgrading.catch(() => {});
    const outcome = await this.#race(upgrading, undefined);
    if (outcome.kind === "done") {
      this.#decoder = this.#newDecoder();
      this.#transport = outcome.result;
      this.#reader = chunkReader(outcome.result);
      this.#writer = chunkWriter(outcome.result);
      return;
    }
    upgrading.then((late) => late.close(), () => {});
    try {
      transport.close();
    } catch {
      // The upgrade consumed or broke it.
    }
    if (outcome.kind === "error") {
      // The transports' own IMAP4TlsError already says what failed, with whom.
      const error = outcome.error instanceof IMAP4TlsError
        ? outcome.error
        : new IMAP4TlsError(`TLS handshake failed: ${errorMessage(outcome.error)}`, {
          cause: outcome.error,
        });
      throw this.fail(error);
    }
    this.#raiseWaitFailure(outcome, "TLS handshake");
  }
}
