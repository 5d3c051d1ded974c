// The work any API that hands each message's bytes to its caller must do (fetchIter(),
// fetchMessages(), imapflow's fetch()): frame the FETCH stream's literals (RFC 3501 section 4.3:
// a `{N}` at the end of a line, then N bytes) and copy each into a fresh buffer of its own,
// dropped at once (or kept, for a buffered FETCH that holds each message whole). Lines are framed
// but not copied. Shared by the Deno and the Node/Bun floors (job.via "handover", and
// "handover-keep" on Node/Bun); plain JavaScript, so that Node runs it as it is.

/**
 * Frames literals and hands each over in a fresh buffer; counts them. With `keep`, every
 * literal's buffer is kept (`kept`), as a buffered FETCH must hold each message whole.
 */
export class LiteralHandover {
  /** The literals, when kept. */
  kept = [];
  #keep;

  /** @param {boolean} keep Whether to keep every literal rather than drop it. */
  constructor(keep = false) {
    this.#keep = keep;
  }

  // Bytes of literal still to come (-1: in a line), and the literal being filled.
  #remaining = -1;
  #literal = new Uint8Array(0);
  // The last bytes of the line in progress, when it goes on in the next chunk.
  #tail = new Uint8Array(0);
  /** Literals handed over so far. */
  literals = 0;

  /** @param {Uint8Array} chunk The next bytes of the stream. */
  push(chunk) {
    let pos = 0;
    while (pos < chunk.length) {
      if (this.#remaining >= 0) {
        const take = Math.min(this.#remaining, chunk.length - pos);
        this.#literal.set(chunk.subarray(pos, pos + take), this.#literal.length - this.#remaining);
        this.#remaining -= take;
        pos += take;
        if (this.#remaining === 0) this.#remaining = -1;
        continue;
      }
      const lf = chunk.indexOf(10, pos);
      if (lf < 0) {
        this.#tail = joinTail(this.#tail, chunk.subarray(pos));
        return;
      }
      const end = joinTail(this.#tail, chunk.subarray(pos, lf + 1));
      this.#tail = new Uint8Array(0);
      pos = lf + 1;
      const size = literalSize(end);
      if (size >= 0) {
        this.#literal = new Uint8Array(size);
        this.#remaining = size;
        this.literals++;
        if (this.#keep) this.kept.push(this.#literal);
      }
    }
  }
}

// The last 32 bytes of `tail` followed by `more`: enough for a `{N}` marker and CRLF.
function joinTail(tail, more) {
  if (tail.length === 0 && more.length >= 32) return more.subarray(more.length - 32);
  const out = new Uint8Array(Math.min(32, tail.length + more.length));
  const fromMore = Math.min(more.length, out.length);
  out.set(tail.subarray(tail.length - (out.length - fromMore)), 0);
  out.set(more.subarray(more.length - fromMore), out.length - fromMore);
  return out;
}

// N of a line that ends in `{N}` CRLF, else -1.
function literalSize(end) {
  let i = end.length - 3; // the byte before CR LF
  if (i < 1 || end[i] !== 0x7d) return -1;
  let n = 0;
  let scale = 1;
  for (i--; i >= 0 && end[i] >= 0x30 && end[i] <= 0x39; i--, scale *= 10) {
    n += (end[i] - 0x30) * scale;
  }
  return i >= 0 && end[i] === 0x7b && scale > 1 ? n : -1;
}
