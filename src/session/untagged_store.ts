/**
 * imaplib's `untagged_responses` and CPython 3.14's IDLE capture queue, with the byte count that
 * bounds them (`maxStoredBytes`): everything held for the caller between reads is counted here.
 *
 * @module
 */

import { IMAP4LimitError } from "../errors.ts";
import type { Datum } from "../wire/parser.ts";
import { ARENA_LITERAL_MAX_BYTES } from "../wire/decoder.ts";
import { bytesRepr, dataRepr } from "../wire/bytes.ts";
import type { Trace } from "./trace.ts";

/** One captured response: `[type, data]` as imaplib stores it. */
export type Captured = [type: string, data: Datum[]];

/** Default of `maxStoredBytes`: 256 MiB. */
export const DEFAULT_MAX_STORED_BYTES = 268_435_456;

// The socket chunk a literal is a view of, or null. The decoder hands over a literal over 4 KiB
// that arrived whole in a chunk the transport gave up (a Node or Bun socket's) as a view of that
// chunk (FrameDecoder.push), and the view keeps the whole chunk alive, up to 512 KiB on Bun.
const chunkOf = (literal: Uint8Array): ArrayBufferLike | null =>
  literal.length > ARENA_LITERAL_MAX_BYTES && literal.byteLength < literal.buffer.byteLength
    ? literal.buffer
    : null;

/** The untagged store of one connection, and the capture queue of the command that has one. */
export class UntaggedStore {
  readonly #maxStoredBytes: number;
  readonly #trace: Trace;
  #store: Record<string, Datum[]> = {};
  // Bytes held in the store and the capture queue, against maxStoredBytes: what they keep
  // alive, so a literal that is a view of a socket's chunk counts that chunk, once however many
  // views of it are held (#chunks: the views of each). Counting the literal alone would let a
  // server make a few KiB counted hold a hundred times that, e.g. a view kept in the store whose
  // chunk's other responses the caller has taken and dropped.
  #storedBytes = 0;
  #chunks = new WeakMap<ArrayBufferLike, number>();
  #capture: Captured[] | null = null;

  /**
   * @param maxStoredBytes Bytes the store and the capture queue may hold together.
   * @throws {RangeError} if `maxStoredBytes` is not a positive integer.
   */
  constructor(maxStoredBytes: number | undefined, trace: Trace) {
    const max = maxStoredBytes ?? DEFAULT_MAX_STORED_BYTES;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new RangeError(`maxStoredBytes must be a positive integer, got ${maxStoredBytes}`);
    }
    this.#maxStoredBytes = max;
    this.#trace = trace;
  }

  /** imaplib's `untagged_responses`: `{type: [data, ...]}` (the live object). */
  get responses(): Record<string, Datum[]> {
    return this.#store;
  }

  /** Whether data of `type` is stored. */
  has(type: string): boolean {
    return Object.hasOwn(this.#store, type);
  }

  /** The stored data of `type`, left in place. */
  peek(type: string): Datum[] | undefined {
    return Object.hasOwn(this.#store, type) ? this.#store[type] : undefined;
  }

  /** Removes and returns the stored data of `type`, releasing its bytes from the count. */
  take(type: string): Datum[] | undefined {
    if (!Object.hasOwn(this.#store, type)) return undefined;
    const data = this.#store[type];
    this.#release(data);
    delete this.#store[type];
    return data;
  }

  /** Empties the store (imaplib's `select()` does; STARTTLS drops what came in clear). */
  clear(): void {
    for (const data of Object.values(this.#store)) this.#release(data);
    this.#store = {};
  }

  /**
   * imaplib's `_append_untagged`, including CPython 3.14's IDLE capture.
   * @throws {IMAP4LimitError} when the bytes held would exceed `maxStoredBytes` (the caller
   *   ends the connection).
   */
  append(type: string, datum: Datum | null): void {
    const dat = datum ?? new Uint8Array(0);
    this.#count(dat, 1);
    if (this.#storedBytes > this.#maxStoredBytes) this.#recount(dat);
    const capture = this.#capture;
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
    const store = this.#store;
    if (this.#trace.level >= 5) {
      const count = Object.hasOwn(store, type) ? store[type].length : 0;
      const shown = dat instanceof Uint8Array ? bytesRepr(dat) : dataRepr([dat]).slice(1, -1);
      this.#trace.mesg(`untagged_responses[${type}] ${count} += ["${shown}"]`);
    }
    if (Object.hasOwn(store, type)) store[type].push(dat);
    else store[type] = [dat];
  }

  /** Whether untagged responses go to the capture queue instead of the store. */
  get capturing(): boolean {
    return this.#capture !== null;
  }

  /** Starts capturing (a capture in progress goes on, e.g. across an IDLE restart). */
  startCapture(): void {
    this.#capture ??= [];
  }

  /** Takes the first captured response, releasing its bytes from the count. */
  takeCaptured(): Captured | undefined {
    const item = this.#capture?.shift();
    if (item) this.#release(item[1]);
    return item;
  }

  /**
   * Removes the captured responses that `drop` selects, releasing their bytes from the count;
   * the others stay captured, in order (and counted: a flood of them meets `maxStoredBytes`).
   */
  dropCaptured(drop: (type: string, data: Datum[]) => boolean): void {
    const capture = this.#capture;
    if (!capture) return;
    let kept = 0;
    for (const item of capture) {
      if (drop(item[0], item[1])) this.#release(item[1]);
      else capture[kept++] = item;
    }
    capture.length = kept;
  }

  /**
   * Ends capturing: the captured responses not yet taken move to the store (those `keep`
   * accepts), in order, one fragment at a time as imaplib appends them.
   */
  endCapture(keep: (type: string, data: Datum[]) => boolean): void {
    if (!this.#capture) return;
    const left: Captured[] = [];
    for (let item = this.takeCaptured(); item; item = this.takeCaptured()) left.push(item);
    this.#capture = null;
    for (const [type, data] of left) {
      if (keep(type, data)) { for (const datum of data) this.append(type, datum); }
    }
  }

  // Adds (`sign` 1) or removes (-1) one item's bytes from the count.
  #count(datum: Datum, sign: 1 | -1): void {
    if (datum instanceof Uint8Array) {
      this.#storedBytes += sign * datum.length;
      return;
    }
    const chunk = chunkOf(datum[1]);
    this.#storedBytes += sign * (datum[0].length + (chunk ? 0 : datum[1].length));
    if (!chunk) return;
    const views = this.#chunks.get(chunk) ?? 0;
    if (views + sign < 0) return; // not counted (the count was made again meanwhile)
    if (views === (sign > 0 ? 0 : 1)) this.#storedBytes += sign * chunk.byteLength;
    this.#chunks.set(chunk, views + sign);
  }

  #release(data: readonly Datum[]): void {
    for (const datum of data) this.#count(datum, -1);
  }

  // Over the limit: the count made again from what is held and `adding` (a caller may have
  // taken data out of the live store without the count knowing), and only then a refusal.
  #recount(adding: Datum): void {
    this.#storedBytes = 0;
    this.#chunks = new WeakMap();
    const held = [...Object.values(this.#store), ...(this.#capture ?? []).map((c) => c[1])];
    for (const data of [...held, [adding]]) for (const datum of data) this.#count(datum, 1);
    if (this.#storedBytes > this.#maxStoredBytes) {
      throw new IMAP4LimitError("maxStoredBytes", this.#maxStoredBytes, this.#storedBytes);
    }
  }
}
