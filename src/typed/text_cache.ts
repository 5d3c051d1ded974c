/**
 * Texts remembered by the bytes they were read from, for texts that repeat across responses
 * (an ENVELOPE's display names and addresses: a mailbox has few senders and recipients).
 *
 * Internal to `src/typed/`; not re-exported.
 *
 * @module
 */

/** Longest key remembered, in bytes: longer texts rarely repeat. */
const MAX_KEY_BYTES = 256;

/** Slots a key may take: its hash's slot and the next ones. */
const WAYS = 4;

/**
 * An open-addressed table: a key may sit in any of the `WAYS` slots from its hash's slot; a new
 * key takes an empty one or, all taken, each of them in turn. A few colliding keys that keep
 * coming back (a mailbox's regular senders) thus keep their places rather than evict each other
 * on every message. A hit compares the bytes and makes no string, slice or copy; only a miss that
 * is remembered copies its key. Keys a hostile server makes collide only evict each other: every
 * hit is checked byte for byte.
 */
export class TextCache {
  readonly #keys: (Uint8Array | undefined)[];
  readonly #hashes: Int32Array;
  readonly #texts: string[];
  readonly #mask: number;
  // The hash and first slot of the last lookup, for the remember() that follows a miss.
  #hash = 0;
  #slot = 0;
  #victim = 0;

  /** @param slots The table's size, a power of two. */
  constructor(slots = 4096) {
    this.#keys = new Array(slots).fill(undefined);
    this.#hashes = new Int32Array(slots);
    this.#texts = new Array(slots).fill("");
    this.#mask = slots - 1;
  }

  /** The text remembered for `bytes[start, end)`, or `undefined`. */
  get(bytes: Uint8Array, start: number, end: number): string | undefined {
    const length = end - start;
    if (length > MAX_KEY_BYTES) {
      this.#slot = -1;
      return undefined;
    }
    // FNV-1a, 32 bits.
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    this.#hash = hash;
    this.#slot = hash & this.#mask;
    for (let way = 0; way < WAYS; way++) {
      const slot = (this.#slot + way) & this.#mask;
      const key = this.#keys[slot];
      if (key === undefined) return undefined; // keys fill a run of slots from its start
      if (this.#hashes[slot] !== hash || key.length !== length) continue;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (key[i] !== bytes[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return this.#texts[slot];
    }
    return undefined;
  }

  /** Remembers `text` for `bytes[start, end)`, just looked up with {@linkcode get}. */
  remember(bytes: Uint8Array, start: number, end: number, text: string): void {
    if (this.#slot === -1) return;
    let slot = -1;
    for (let way = 0; way < WAYS; way++) {
      const at = (this.#slot + way) & this.#mask;
      if (this.#keys[at] === undefined) {
        slot = at;
        break;
      }
    }
    if (slot === -1) {
      slot = (this.#slot + this.#victim) & this.#mask;
      this.#victim = (this.#victim + 1) % WAYS;
    }
    this.#keys[slot] = bytes.slice(start, end);
    this.#hashes[slot] = this.#hash;
    this.#texts[slot] = text;
  }
}
