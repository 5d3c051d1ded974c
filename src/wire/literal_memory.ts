/**
 * Memory for a buffered literal that has a buffer of its own (larger than the line arenas'
 * share, and not a view of the chunk it arrived in).
 *
 * @module
 */

// JSC (Bun) zero-fills a large typed array when it makes one, and during a bulk FETCH its
// allocator hands back memory it had already returned to the system: `new Uint8Array(5 MB)`
// then took 10-15 ms in one go, every page faulted and zeroed at once, and was the longest
// stall a 5 ms application timer saw in the whole FETCH (bench/RESULTS.md, fourteenth session).
// `Buffer.allocUnsafeSlow()` leaves the memory as it is, so its pages fault as the literal's
// bytes are copied in, chunk by chunk, within the connection's time slices. Its old contents
// never leak: the decoder overwrites every byte before it hands the literal over, and drops it
// unseen if the response never completes. V8 (Deno, Node) takes a large buffer from calloc,
// which maps fresh zeroed pages lazily: nothing to gain there, so they keep the plain way.
const runtime = globalThis as {
  Bun?: unknown;
  Buffer?: { allocUnsafeSlow(bytes: number): Uint8Array };
};
// Bun's own Buffer, as it is when this module loads.
const uninitialized = runtime.Bun === undefined ? undefined : runtime.Buffer;

/**
 * A buffer of `bytes` for a literal that the caller fills completely before anyone else sees
 * it: zeroed, or (on Bun) uninitialized.
 */
export function literalBuffer(bytes: number): Uint8Array {
  const buffer = uninitialized?.allocUnsafeSlow(bytes);
  // A plain Uint8Array over the Buffer's memory: imaplib's data are bytes, and a Buffer's
  // `slice()` would share memory where a Uint8Array's copies. Bun's `allocUnsafeSlow()` never
  // takes from the shared pool: the ArrayBuffer is this literal's alone (a test checks).
  return buffer === undefined
    ? new Uint8Array(bytes)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, bytes);
}
