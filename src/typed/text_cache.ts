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

/**
 * A direct-mapped table: a key's slot is a hash of its bytes, and a new key takes the slot from
 * the one there. A hit compares the bytes and makes no string, slice or copy; only a miss that
 * is remembered copies its key. Colliding keys (a hostile server can make them) only evict each
 * other: every hit is checked byte for byte.
 */
export class TextCache {
  readonly #keys: (Uint8Array | undefined)[];
  readonly #texts: string[];
  readonly #mask: number;
  // The slot of the last lookup, for the remember() that follows a miss.
  #slot = 0;

  /** @param slots The table's size, a power of two. */
  constructor(slots = 4096) {
    this.#keys = new Array(slots).fill(undefined);
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
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
    const slot = hash & this.#mask;
    this.#slot = slot;
    const key = this.#keys[slot];
    if (key === undefined || key.length !== length) return undefined;
    for (let i = 0; i < length; i++) if (key[i] !== bytes[start + i]) return undefined;
    return this.#texts[slot];
  }

  /** Remembers `text` for `bytes[start, end)`, just looked up with {@linkcode get}. */
  remember(bytes: Uint8Array, start: number, end: number, text: string): void {
    if (this.#slot === -1) return;
    this.#keys[this.#slot] = bytes.slice(start, end);
    this.#texts[this.#slot] = text;
  }
}
