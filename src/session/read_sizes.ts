/**
 * How large the session's reads are: the sizes of a BYOB reader's buffers as traffic comes and
 * goes, and when a read goes straight into a literal's own buffer instead.
 *
 * @module
 */

// Sizes of the read buffers of a BYOB reader: a read that fills its buffer makes the next one
// four times larger, up to the maximum (bulk traffic: few large reads); one that brings little
// (at most the minimum) makes the next one the minimum, or the idle size when it brought less
// still; in between, the next read halves at most, to what came. Reads larger than the minimum
// go into buffers of the maximum size, reused (fresh memory is dear: a 256 KiB buffer costs its
// page faults again each time); those are let go, and reads of the minimum size take fresh small
// buffers, when traffic stops.
export const MAX_READ_BYTES = 256 * 1024;
export const MIN_READ_BYTES = 8 * 1024;
// Below the minimum, a read that brought at most this much (a tagged reply, an IDLE
// notification) makes the next one this small, in a fresh buffer of its own: that read is what
// an idle connection holds while it waits, 1 KiB instead of 8 (workload (h)). One that fills it
// makes the next one the minimum; a reply of 1-8 KiB after a quiet spell costs one more read.
export const IDLE_READ_BYTES = 1024;
// A read of the minimum size that brought at least this much is taken for bulk traffic in small
// pieces, and its buffer serves the next small read: Deno's TLS reads return one ~4 KiB piece
// each however large the buffer, so a bulk FETCH over TLS is ~25,000 small reads per 100 MB,
// and a fresh buffer for each cost a third more CPU than the raw TLS socket. Less than this
// (a tagged reply, an IDLE notification) lets the buffer go, so an idle connection keeps none.
export const SMALL_BULK_BYTES = 2 * 1024;
// A buffered literal with at least this much still to come after the chunk being decoded is
// read straight into its own buffer when the reader reads in place (FrameDecoder.literalTarget):
// no copy out of a read buffer for all but its first bytes.
export const IN_PLACE_MIN_BYTES = 64 * 1024;

/** The size of the next read after a read of `size` bytes returned `n`. */
export function nextReadSize(size: number, n: number): number {
  if (n <= IDLE_READ_BYTES && n < size) return IDLE_READ_BYTES;
  if (size === IDLE_READ_BYTES) return MIN_READ_BYTES;
  if (n >= size) return Math.min(size * 4, MAX_READ_BYTES);
  if (n <= MIN_READ_BYTES) return MIN_READ_BYTES;
  let fit = MIN_READ_BYTES;
  while (fit < n) fit *= 2;
  return Math.max(fit, size / 2);
}
