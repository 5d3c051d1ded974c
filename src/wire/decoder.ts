/**
 * The wire decoder: splits the server's byte stream into complete responses (frames).
 *
 * It knows CRLF-terminated lines, the literals they announce (`{N}`, `{N+}`, `~{N}`, RFC 3501
 * section 4.3, RFC 7888, RFC 3516) and byte limits, and nothing else: it never decodes text, so
 * split UTF-8 and literal byte counts cannot break.
 *
 * @module
 */

import { IMAP4LimitError, IMAP4ProtocolError } from "../errors.ts";
import { concat, copyInto } from "./bytes.ts";
import { literalBuffer } from "./literal_memory.ts";

/**
 * One complete server response: its lines (CRLF removed) and the literals they announce.
 * `lines.length === literals.length + 1`; `literals[i]` follows `lines[i]`, whose last bytes
 * are the literal marker (`{N}`), kept as imaplib keeps it in the header it returns.
 */
export interface Frame {
  /** The response's lines, each without its CRLF. */
  lines: Uint8Array[];
  /** The literals, in order; `literals[i]` was announced at the end of `lines[i]`. */
  literals: Uint8Array[];
}

/**
 * Receives a streamed literal: `write` gets views of the input chunks, in order, as they arrive
 * (valid only during the call: the caller may reuse the chunk afterwards, so copy what you
 * keep); `end` is called once all its bytes were written or skipped
 * ({@linkcode FrameDecoder.skipStreamedLiteral}).
 */
export interface LiteralSink {
  /** Takes the next bytes of the literal. */
  write(bytes: Uint8Array): void;
  /** Called once, after the literal's last byte. */
  end(): void;
}

/**
 * Decides, when a literal starts, where its bytes go: given the first line of its response, its
 * size and its index in the response (0 for the first), returns a {@linkcode LiteralSink} to
 * stream it to, or `null` to buffer it.
 */
export type LiteralAcceptor = (
  firstLine: Uint8Array,
  sizeBytes: number,
  literalIndex: number,
) => LiteralSink | null;

/** What a frame holds in place of a literal that went to a {@linkcode LiteralSink}. */
export const STREAMED_LITERAL: Uint8Array = Object.freeze(new Uint8Array(0)) as Uint8Array;

/** Limits of a decoder. Every limit is per instance. */
export interface DecoderOptions {
  /**
   * Max bytes of one response line, CRLF included (a literal's bytes do not count); a line of
   * exactly this size is accepted. Exceeding it throws {@linkcode IMAP4LimitError} as soon as
   * the line has grown past it, before it is buffered whole. The default accepts a SEARCH result
   * for more than 500,000 messages (imaplib's 1 MB breaks at about 250,000).
   * @default {8_388_608}
   */
  maxLineBytes?: number;
  /**
   * Max bytes of one literal. A larger announced size throws {@linkcode IMAP4LimitError} when
   * the marker is read, before any of it is buffered. Memory grows only as literal bytes
   * arrive, never from the announced size alone.
   * @default {134_217_728}
   */
  maxLiteralBytes?: number;
  /**
   * Max bytes of one whole response: its lines (CRLF included) and buffered literals together.
   * One response may chain any number of lines and literals (`{0}` ones too), so this is what
   * bounds the decoder's memory; a literal whose announced size would pass it is refused when
   * its marker is read. Streamed literals (see {@linkcode FrameDecoder.streamLiteral}) do not
   * count. Exceeding it throws {@linkcode IMAP4LimitError}.
   * @default {268_435_456}
   */
  maxResponseBytes?: number;
}

/** Default of {@linkcode DecoderOptions.maxLineBytes}: 8 MiB. */
export const DEFAULT_MAX_LINE_BYTES = 8_388_608;
/** Default of {@linkcode DecoderOptions.maxLiteralBytes}: 128 MiB. */
export const DEFAULT_MAX_LITERAL_BYTES = 134_217_728;
/** Default of {@linkcode DecoderOptions.maxResponseBytes}: 256 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 268_435_456;

const LF = 0x0a;
const CR = 0x0d;
const STAR = 0x2a;
// Size of one arena of line copies (see FrameDecoder.#reserve).
const ARENA_BYTES = 64 * 1024;
/**
 * @internal Buffered literals up to this size take their memory from the line arenas
 * (#reserve); larger ones have a buffer of their own, or are views of a given chunk (push).
 */
export const ARENA_LITERAL_MAX_BYTES = 4 * 1024;
const EMPTY = new Uint8Array(0);
// The lines or literals of a response before it has any; replaced, never pushed into, and never
// handed out: a frame always has a line, and a frame without literals gets an array of its own.
const NO_BYTES: Uint8Array[] = [];
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
// The longest marker body we look back for: 16 digits is past 2^53; room for junk too.
const MARKER_LOOKBACK_BYTES = 40;
// Marker bodies that look like an attempt at a number but are not `\d+\+?`: empty, or number
// characters with at least one digit. Text such as `{exceeded}` or `{face}` has no digit and is
// just text at the end of a line, not a marker.
const NUMBERISH = /^(?:|[\s0-9a-fA-FxX.+\-]*[0-9][\s0-9a-fA-FxX.+\-]*)$/;
const VALID_MARKER = /^([0-9]+)\+?$/;

/**
 * The synchronous core of the decoder: feed chunks, collect frames.
 *
 * The session drives this class directly rather than through a stream, because STARTTLS needs
 * to stop reading exactly at a response boundary and know that nothing more was received in
 * clear (RFC 3501 section 6.2.1); {@linkcode FrameDecoderStream} wraps it for stream users.
 * Output is identical however the input is split into chunks. Every line and buffered literal
 * is copied once into memory of the decoder's own (lines and literals of up to 4 KiB share
 * 64 KiB arenas, so a view kept keeps its arena), and nothing the decoder keeps points into a
 * chunk after `push` returns, so the caller may reuse the chunk's buffer for its next read. (Only a
 * {@linkcode LiteralSink} gets views of the chunk, during `push`.) The exception is a chunk the
 * caller gives up (`push`'s `chunkGiven`): larger literals that lie whole in it are views of it.
 *
 * @example Decoding two responses from one chunk
 * ```ts
 * import { FrameDecoder, type Frame } from "@imaplib/imaplib";
 * const frames: Frame[] = [];
 * new FrameDecoder().push(new TextEncoder().encode("* 1 FETCH (RFC822 {2}\r\nhi)\r\nA1 OK\r\n"), frames);
 * console.assert(frames.length === 2 && frames[0].literals.length === 1);
 * ```
 */
export class FrameDecoder {
  readonly #maxLineBytes: number;
  readonly #maxLiteralBytes: number;
  readonly #maxResponseBytes: number;
  // Bytes of the response in progress held in #lines and #literals.
  #responseBytes = 0;
  // Pieces of the current line, or of the current literal.
  #parts: Uint8Array[] = [];
  #partBytes = 0;
  // The buffered literal in progress, filled up to #partBytes; null until its first bytes
  // arrive when it is larger than ARENA_LITERAL_MAX_BYTES (it may then be a view of the chunk).
  #literal: Uint8Array | null = null;
  // Bytes of literal still expected; -1 in line mode.
  #literalRemaining = -1;
  // NO_BYTES until the response's first line (or literal): never pushed into.
  #lines: Uint8Array[] = NO_BYTES;
  #literals: Uint8Array[] = NO_BYTES;
  // Stream offset of the first byte of the chunk being pushed.
  #chunkOffset = 0;
  #arena: Uint8Array = EMPTY;
  #arenaUsed = 0;
  // Bytes of the chunk being pushed from the start of the line in progress to its end: no
  // arena needs more for this chunk.
  #chunkRest = 0;
  // Where the bytes of the literal in progress go when it is streamed.
  #sink: LiteralSink | null = null;

  /**
   * Asked when a literal starts, with the first line of its response, its size and its index
   * in the response (0 for the first): return a {@linkcode LiteralSink} to receive the
   * literal's bytes as they arrive instead of buffering them (the frame then holds
   * {@linkcode STREAMED_LITERAL} in its place). A streamed literal is not subject to
   * `maxLiteralBytes`, since it is not held in memory. `null` (or no callback) buffers it.
   */
  streamLiteral: LiteralAcceptor | null = null;

  /**
   * Makes a decoder at the start of a stream.
   * @param options Limits; see {@linkcode DecoderOptions}.
   * @param streamLiteral The initial {@linkcode FrameDecoder.streamLiteral}. @default {null}
   * @throws {RangeError} if a limit is not a positive integer.
   */
  constructor(options: DecoderOptions = {}, streamLiteral: LiteralAcceptor | null = null) {
    this.streamLiteral = streamLiteral;
    this.#maxLineBytes = checkLimit("maxLineBytes", options.maxLineBytes, DEFAULT_MAX_LINE_BYTES);
    this.#maxLiteralBytes = checkLimit(
      "maxLiteralBytes",
      options.maxLiteralBytes,
      DEFAULT_MAX_LITERAL_BYTES,
    );
    this.#maxResponseBytes = checkLimit(
      "maxResponseBytes",
      options.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
    );
  }

  /** True while a literal is being handed to a {@linkcode LiteralSink}. */
  get streaming(): boolean {
    return this.#sink !== null;
  }

  /** Bytes of the streamed literal still to come; 0 when no literal is being streamed. */
  get streamedLiteralRemainingBytes(): number {
    return this.#sink ? this.#literalRemaining : 0;
  }

  /**
   * Counts `bytes` of the streamed literal as delivered by the caller itself (read from the
   * connection straight into the consumer's buffer, bypassing `push`); the literal ends, and
   * its sink's `end` is called, when its last byte is counted.
   * @throws {RangeError} when no literal is streaming or `bytes` exceeds what remains of it.
   */
  skipStreamedLiteral(bytes: number): void {
    if (!this.#sink || bytes > this.#literalRemaining || bytes < 0) {
      throw new RangeError(`cannot skip ${bytes} bytes of the streamed literal`);
    }
    this.#literalRemaining -= bytes;
    this.#chunkOffset += bytes;
    if (this.#literalRemaining === 0) this.#endLiteral();
  }

  /** Bytes received that belong to a response not yet complete. 0 at a response boundary. */
  get bufferedBytes(): number {
    let total = this.#partBytes;
    for (const line of this.#lines) total += line.length + 2;
    for (const literal of this.#literals) total += literal.length;
    return total;
  }

  /**
   * Decodes one chunk, appending every response it completes to `out`.
   *
   * @param chunk Bytes from the server, in order.
   * @param out Receives the completed frames.
   * @param chunkGiven `true` when the caller gives `chunk` up for good (it will never write
   *   to its buffer again, as a transport's `readChunk()` promises): a buffered literal larger
   *   than 4 KiB that lies whole in it is then a view of it rather than a copy, and keeps the
   *   chunk's buffer alive as long as it is kept. @default {false}
   * @throws {IMAP4ProtocolError} on a bare LF or lone CR line ending or a malformed literal
   *   marker (`{-1}`, `{}`, `{ 5}`, `{0x10}`, `{1e3}`, sizes beyond 2^53).
   * @throws {IMAP4LimitError} when a line or announced literal exceeds its limit.
   * After an error the decoder is unusable (the stream's framing is lost).
   */
  push(chunk: Uint8Array, out: Frame[], chunkGiven = false): void {
    const length = chunk.length;
    let pos = 0;
    while (pos < length) {
      if (this.#literalRemaining >= 0) {
        const take = Math.min(this.#literalRemaining, length - pos);
        if (this.#sink) {
          this.#sink.write(chunk.subarray(pos, pos + take));
        } else if (this.#literal) {
          this.#literal.set(chunk.subarray(pos, pos + take), this.#partBytes);
          this.#partBytes += take;
        } else {
          this.#startLiteral(chunk, pos, take, chunkGiven);
        }
        this.#literalRemaining -= take;
        pos += take;
        if (this.#literalRemaining === 0) this.#endLiteral();
        continue;
      }
      const lf = chunk.indexOf(LF, pos);
      this.#chunkRest = length - pos;
      if (lf < 0) {
        // The line goes on in the next chunk: keep a copy of its start, since nothing may point
        // into a chunk after push (the caller may reuse it for the next read). Each byte of a
        // line is copied once here: linear in the line length.
        this.#addLinePart(chunk.slice(pos));
        pos = length;
        continue;
      }
      if (this.#parts.length === 0) {
        this.#wholeLine(chunk, pos, lf, out);
      } else {
        this.#addLinePart(chunk.subarray(pos, lf + 1));
        this.#endLine(this.#chunkOffset + lf, out);
      }
      pos = lf + 1;
    }
    this.#chunkOffset += length;
    // A small chunk means little traffic: let the arena go with the lines that use it, so an
    // idle connection keeps none (a connection waiting in IDLE would otherwise hold 64 KiB).
    if (length < ARENA_BYTES) {
      this.#arena = EMPTY;
      this.#arenaUsed = 0;
    }
  }

  /**
   * Declares the end of input.
   * @throws {IMAP4ProtocolError} if the input ended inside a response.
   */
  finish(): void {
    if (this.bufferedBytes > 0 || this.#literalRemaining > 0) {
      throw new IMAP4ProtocolError("input ended inside a response", this.#chunkOffset);
    }
  }

  #addLinePart(part: Uint8Array): void {
    this.#checkLineBytes(this.#partBytes + part.length);
    this.#parts.push(part);
    this.#partBytes += part.length;
  }

  // The limits a line of `total` bytes so far (CRLF included) must keep.
  #checkLineBytes(total: number): void {
    if (total > this.#maxLineBytes) {
      throw new IMAP4LimitError("maxLineBytes", this.#maxLineBytes, total);
    }
    if (this.#responseBytes + total > this.#maxResponseBytes) {
      throw new IMAP4LimitError(
        "maxResponseBytes",
        this.#maxResponseBytes,
        this.#responseBytes + total,
      );
    }
  }

  // A line that lies whole in the chunk, LF at `lf` (the usual case): checked in place and
  // copied once into the arena without its CRLF, with no view of the chunk kept in between.
  // Each view and array a line costs is garbage for the collector on every bulk FETCH.
  #wholeLine(chunk: Uint8Array, start: number, lf: number, out: Frame[]): void {
    this.#checkLineBytes(lf + 1 - start);
    const lfOffset = this.#chunkOffset + lf;
    if (lf - start < 1 || chunk[lf - 1] !== CR) {
      throw new IMAP4ProtocolError("bare LF line ending", lfOffset);
    }
    const end = lf - 1;
    const cr = chunk.indexOf(CR, start);
    if (cr < end) {
      throw new IMAP4ProtocolError("CR without LF inside a line", this.#chunkOffset + cr);
    }
    const line = this.#reserve(end - start);
    copyInto(line, 0, chunk, start, end);
    this.#lineDone(line, lf + 1 - start, lfOffset, out);
  }

  // A line that came in parts, across chunks (two or more: a whole line is #wholeLine's).
  #endLine(lfOffset: number, out: Frame[]): void {
    const parts = this.#parts;
    // Joined into a copy, so frames never alias the caller's chunks.
    const raw = concat(parts, this.#partBytes);
    parts.length = 0;
    this.#partBytes = 0;
    if (raw.length < 2 || raw[raw.length - 2] !== CR) {
      throw new IMAP4ProtocolError("bare LF line ending", lfOffset);
    }
    const line = raw.subarray(0, raw.length - 2);
    const cr = line.indexOf(CR);
    if (cr >= 0) {
      throw new IMAP4ProtocolError("CR without LF inside a line", lfOffset - line.length - 1 + cr);
    }
    this.#lineDone(line, raw.length, lfOffset, out);
  }

  // A complete line (`rawBytes` with its CRLF): it ends the response, or a literal follows.
  #lineDone(line: Uint8Array, rawBytes: number, lfOffset: number, out: Frame[]): void {
    // `[line]` rather than a push into an empty array, which would reserve room for 17.
    if (this.#lines.length === 0) this.#lines = [line];
    else this.#lines.push(line);
    this.#responseBytes += rawBytes;
    // Only untagged responses carry literals (RFC 3501 section 7): a tagged or continuation
    // line that happens to end in `{N}` (e.g. a server echoing a bad command) is just text.
    const continued = this.#lines.length > 1;
    const size = continued || line[0] === STAR ? this.#literalSize(line, lfOffset) : -1;
    if (size < 0) {
      const literals = this.#literals;
      out.push({ lines: this.#lines, literals: literals === NO_BYTES ? [] : literals });
      this.#lines = NO_BYTES;
      this.#literals = NO_BYTES;
      this.#responseBytes = 0;
      return;
    }
    this.#sink = this.streamLiteral?.(this.#lines[0], size, this.#literals.length) ?? null;
    if (!this.#sink) {
      if (size > this.#maxLiteralBytes) {
        throw new IMAP4LimitError("maxLiteralBytes", this.#maxLiteralBytes, size);
      }
      if (this.#responseBytes + size > this.#maxResponseBytes) {
        throw new IMAP4LimitError(
          "maxResponseBytes",
          this.#maxResponseBytes,
          this.#responseBytes + size,
        );
      }
      this.#responseBytes += size;
      // A small one in the arena; a larger one gets its buffer (or is a view of a given chunk)
      // when its first bytes arrive (#startLiteral).
      this.#literal = size <= ARENA_LITERAL_MAX_BYTES ? this.#reserve(size) : null;
      this.#partBytes = 0;
    }
    this.#literalRemaining = size;
    if (size === 0) this.#endLiteral();
  }

  // `size` bytes of the arena, for a line or a small literal (filled as its bytes arrive). Lines
  // go into a shared arena rather than one allocation each: thousands of small FETCH lines per
  // read otherwise spend most of their time in the allocator. Small literals too: on Deno each
  // ArrayBuffer is a backing store the runtime allocates, and that cost 1 µs per literal, most of
  // the decoder's time on thousands of small ones (`BODY[HEADER.FIELDS (SUBJECT)]` of a whole
  // mailbox). A new arena starts when one is full, as large as the rest of the chunk needs, at
  // most ARENA_BYTES (unless the line or literal is longer).
  #reserve(size: number): Uint8Array {
    if (this.#arenaUsed + size > this.#arena.length) {
      this.#arena = new Uint8Array(Math.max(size, Math.min(ARENA_BYTES, this.#chunkRest)));
      this.#arenaUsed = 0;
    }
    const view = this.#arena.subarray(this.#arenaUsed, this.#arenaUsed + size);
    this.#arenaUsed += size;
    return view;
  }

  // The first `take` bytes at `pos` of a literal larger than the arena's: a view when they are
  // all of it and the chunk was given (a Node or Bun socket's fresh chunk: a bulk FETCH of
  // 20 KB messages on Bun spent a fifth of its time writing copies into fresh memory, see
  // bench/RESULTS.md), else its own buffer (literal_memory.ts), filled as the bytes arrive: one
  // copy, no join. A large buffer is only reserved address space until written (the allocator
  // maps it lazily), so memory still grows only as bytes arrive; the announced size was checked
  // against the limits when its marker was read.
  #startLiteral(chunk: Uint8Array, pos: number, take: number, chunkGiven: boolean): void {
    if (chunkGiven && take === this.#literalRemaining) {
      this.#literal = chunk.subarray(pos, pos + take);
    } else {
      this.#literal = literalBuffer(this.#literalRemaining);
      this.#literal.set(chunk.subarray(pos, pos + take), 0);
    }
    this.#partBytes = take;
  }

  #endLiteral(): void {
    // Streamed: the frame keeps an empty placeholder where the literal was.
    const literal = this.#sink ? STREAMED_LITERAL : this.#literal!;
    if (this.#literals.length === 0) this.#literals = [literal];
    else this.#literals.push(literal);
    if (this.#sink) {
      const sink = this.#sink;
      this.#sink = null;
      sink.end();
    }
    this.#literal = null;
    this.#partBytes = 0;
    this.#literalRemaining = -1;
  }

  // The size announced at the end of `line`, or -1 if the line announces no literal.
  #literalSize(line: Uint8Array, lfOffset: number): number {
    const end = line.length - 1;
    if (end < 1 || line[end] !== CLOSE_BRACE) return -1;
    const from = Math.max(0, end - MARKER_LOOKBACK_BYTES);
    const open = line.lastIndexOf(OPEN_BRACE, end);
    if (open < from) return -1;
    // The usual `{N}` / `{N+}` read as digits, with no string or regular expression: decoding
    // 100,000 small responses with a literal each took 137-147 ms on Bun with them, 42-48 ms
    // without (Deno: 178-232 ms, 151-175 ms). Anything else, and sizes too long to add up
    // exactly in a double, take the checks below.
    const digitsEnd = line[end - 1] === 0x2b ? end - 1 : end;
    if (digitsEnd > open + 1 && digitsEnd - open - 1 <= 15) {
      let size = 0;
      let at = open + 1;
      for (; at < digitsEnd; at++) {
        const digit = line[at] - 0x30;
        if (digit < 0 || digit > 9) break;
        size = size * 10 + digit;
      }
      if (at === digitsEnd) return size;
    }
    const body = String.fromCharCode(...line.subarray(open + 1, end));
    const valid = VALID_MARKER.exec(body);
    if (!valid) {
      if (NUMBERISH.test(body)) {
        throw new IMAP4ProtocolError(`malformed literal marker {${body}}`, lfOffset - 2);
      }
      return -1;
    }
    const size = Number(valid[1]);
    if (!Number.isSafeInteger(size)) {
      throw new IMAP4ProtocolError(`literal size ${valid[1]} is beyond 2^53`, lfOffset - 2);
    }
    return size;
  }
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/**
 * {@linkcode FrameDecoder} as a `TransformStream<Uint8Array, Frame>`: bytes in, one
 * {@linkcode Frame} per complete response out.
 *
 * The stream errors with {@linkcode IMAP4ProtocolError} or {@linkcode IMAP4LimitError} as
 * {@linkcode FrameDecoder.push} throws them, and with {@linkcode IMAP4ProtocolError} if the
 * input ends inside a response.
 *
 * @example Framing a byte stream
 * ```ts
 * import { FrameDecoderStream } from "@imaplib/imaplib";
 * const bytes = new TextEncoder().encode("* OK ready\r\n* 2 EXISTS\r\n");
 * const frames = await Array.fromAsync(
 *   ReadableStream.from([bytes]).pipeThrough(new FrameDecoderStream()),
 * );
 * console.assert(frames.length === 2);
 * ```
 */
export class FrameDecoderStream extends TransformStream<Uint8Array, Frame> {
  /**
   * Makes the stream.
   * @param options Limits; see {@linkcode DecoderOptions}.
   * @throws {RangeError} if a limit is not a positive integer.
   */
  constructor(options: DecoderOptions = {}) {
    const decoder = new FrameDecoder(options);
    const out: Frame[] = [];
    super({
      transform(chunk, controller) {
        decoder.push(chunk, out);
        for (const frame of out) controller.enqueue(frame);
        out.length = 0;
      },
      flush() {
        decoder.finish();
      },
    });
  }
}
