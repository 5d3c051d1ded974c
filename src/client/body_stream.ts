/**
 * One streamed literal as a readable byte stream: the decoder feeds its sink, the consumer's
 * reads pull the rest from the connection. Used by `fetchBody()` and `fetchBodies()`.
 *
 * @module
 */

import type { LiteralSink } from "../wire/decoder.ts";
import type { Connection } from "../session/connection.ts";

// Chunk size of a body stream for a default reader. Below the C allocator's mmap threshold
// (128 KiB), so dropped chunks are reused rather than returned to the OS and faulted in again.
const BODY_CHUNK_BYTES = 64 * 1024;

/** @internal A literal being streamed, and the means to finish it. */
export interface LiteralStream {
  /** What the consumer reads. */
  readonly body: ReadableStream<Uint8Array>;
  /** What the decoder writes to (see `Session.streamLiteral`). */
  readonly sink: LiteralSink;
  /**
   * Settles once the literal's last byte was read from the connection (by the consumer or by
   * a drain); rejects with the connection's error. Unobserved rejections are not reported.
   */
  readonly ended: Promise<void>;
  /**
   * Reads and drops the rest of the literal from the connection. If any of it was left
   * unread, the consumer's next read fails with `reason` (without a reason, or when all of it
   * had been read, the stream ends).
   */
  drain(reason?: Error): Promise<void>;
  /** Errors the consumer's stream (the connection failed). */
  fail(error: unknown): void;
}

/** @internal Makes the stream of the literal that the decoder is about to start. */
export function literalStream(connection: Connection): LiteralStream {
  let controller!: ReadableByteStreamController;
  let ended = false;
  let discard = false;
  let closed = false;
  // Bytes the decoder handed to the sink that no read has taken yet (copies: the sink's views
  // are valid only during write). Kept here rather than enqueued, so that the stream's own
  // queue is always empty and closing it never waits on a drain.
  const leftovers: Uint8Array[] = [];
  let pulling: Promise<void> | null = null;
  let literalDone!: { resolve: () => void; reject: (error: unknown) => void };
  const literalEnded = new Promise<void>((resolve, reject) => literalDone = { resolve, reject });
  literalEnded.catch(() => {});

  const close = () => {
    if (closed) return;
    closed = true;
    controller.close();
    // A read still pending after close gets its buffer back, empty (the streams spec leaves
    // that to the source).
    controller.byobRequest?.respond(0);
  };
  // Answers the pending read (there is one whenever pull runs: the stream has no queue of its
  // own and allocates for default readers). Straight from the connection when it can, so a
  // BYOB reader with one reused buffer streams with no copy and no allocation; else from the
  // bytes the decoder had already read.
  const fill = async (): Promise<void> => {
    const request = controller.byobRequest!;
    while (leftovers.length === 0 && !ended) {
      const filled = await connection.readStreamedLiteral(request.view as Uint8Array);
      if (discard) return;
      if (filled) {
        request.respondWithNewView(filled);
        if (ended) close();
        return;
      }
    }
    if (discard) return;
    if (leftovers.length > 0) {
      const view = request.view as Uint8Array;
      let n = 0;
      while (leftovers.length > 0 && n < view.length) {
        const first = leftovers[0];
        const take = Math.min(first.length, view.length - n);
        view.set(first.subarray(0, take), n);
        n += take;
        if (take === first.length) leftovers.shift();
        else leftovers[0] = first.subarray(take);
      }
      request.respond(n);
    }
    if (ended && leftovers.length === 0) close();
  };
  const drain = async (): Promise<void> => {
    discard = true;
    leftovers.length = 0;
    // A read in flight finishes first: two readers of one connection would both see it.
    await pulling?.catch(() => {});
    while (!ended) await connection.pump();
  };

  const body = new ReadableStream({
    type: "bytes",
    // A default reader gets chunks of this size, read into directly.
    autoAllocateChunkSize: BODY_CHUNK_BYTES,
    start: (c) => {
      controller = c;
    },
    pull: async () => {
      pulling = fill();
      try {
        await pulling;
      } catch (error) {
        literalDone.reject(error);
        throw error;
      } finally {
        pulling = null;
      }
    },
    cancel: async () => {
      closed = true;
      try {
        await drain();
      } catch (error) {
        literalDone.reject(error);
      }
    },
  }, { highWaterMark: 0 });

  return {
    body,
    sink: {
      write: (bytes) => {
        if (!discard) leftovers.push(bytes.slice());
      },
      end: () => {
        // The stream closes once a read has taken the last bytes (see fill).
        ended = true;
        literalDone.resolve();
      },
    },
    ended: literalEnded,
    drain: async (reason) => {
      const dropping = !ended || leftovers.length > 0;
      try {
        await drain();
      } catch (error) {
        literalDone.reject(error);
        throw error;
      }
      if (closed) return;
      if (reason && dropping) {
        closed = true;
        controller.error(reason);
      } else close();
    },
    fail: (error) => {
      literalDone.reject(error);
      if (closed) return;
      closed = true;
      try {
        controller.error(error);
      } catch {
        // already closed or errored
      }
    },
  };
}
