/**
 * Streaming FETCH, beyond imaplib: responses delivered as they arrive instead of after the
 * tagged reply (memory bounded by one response), and one large literal as a
 * `ReadableStream<Uint8Array>` with backpressure (memory bounded by one socket read).
 *
 * @module
 */

import type { Argument } from "./encoder.ts";
import { IMAP4Error } from "./errors.ts";
import type { Datum } from "./parser.ts";
import { dataRepr, decodeText } from "./repr.ts";
import type { Result, Session } from "./session.ts";

// Chunk size of fetchBody()'s stream for a default reader. Below the C allocator's mmap
// threshold (128 KiB), so dropped chunks are reused rather than returned to the OS and
// faulted in again.
const BODY_CHUNK_BYTES = 64 * 1024;

/** One response delivered by `IMAP4.fetchIter()`: `[type, data]` as imaplib stores it. */
export type FetchResponse = [type: string, data: Datum[]];

/** Options of `IMAP4.fetchIter()` and `IMAP4.fetchBody()`. */
export interface FetchStreamOptions {
  /** Send `UID FETCH` (the message set holds UIDs). @default {false} */
  uid?: boolean;
}

/**
 * A message part being received: its size, the FETCH header line, the bytes as a stream, and
 * the command's completion.
 */
export interface BodyStream {
  /** The announced size in bytes (the literal's `{N}`). */
  sizeBytes: number;
  /** The FETCH response line up to the literal, e.g. `b"1 (UID 7 BODY[] {52428800}"`. */
  header: Uint8Array;
  /**
   * The part's bytes, read from the connection only as fast as they are consumed. Read it to
   * the end, or `cancel()` it: cancelling drains the rest from the connection (it stays
   * usable). Until then other commands fail at once.
   *
   * A readable byte stream: a BYOB reader's buffer is filled straight from the socket when the
   * transport's readable is a byte stream (Deno's is), with no copy; a default reader gets
   * chunks of up to 64 KiB.
   */
  body: ReadableStream<Uint8Array>;
  /**
   * Settles when the FETCH command has completed, with its `[type, data]` (the tagged reply),
   * after the body was read or cancelled. Rejects with the connection's error if it failed.
   * (Unobserved rejections are not reported as unhandled.)
   */
  done: Promise<Result>;
}

/** @internal Runs the command and yields every untagged response as it arrives. */
export async function* iterateResponses(
  session: Session,
  name: string,
  args: Argument[],
  release: () => void,
): AsyncGenerator<FetchResponse, void, undefined> {
  const queue: FetchResponse[] = [];
  let tag: string | null = null;
  let completed = false;
  try {
    session.capture = queue;
    tag = await session.command(name, args);
    for (;;) {
      const item = session.takeCaptured();
      if (item) {
        yield item;
        continue;
      }
      if (session.tagged.get(tag)) break;
      session.checkBye();
      await session.getResponse();
    }
    completed = true;
    session.releaseCapture();
    const [type, data] = await session.commandComplete(name, tag);
    if (type !== "OK") {
      throw new IMAP4Error(`${name} failed: ${type} ${dataRepr(data as Uint8Array[])}`);
    }
  } finally {
    if (!completed && tag !== null && !session.failure) {
      // The caller stopped early: read and drop the rest, so the connection stays in step.
      try {
        while (!session.tagged.get(tag)) {
          session.takeCaptured();
          await session.getResponse();
        }
        session.tagged.delete(tag);
      } catch {
        // The connection failed while draining; it is closed and the failure is recorded.
      }
    }
    if (session.capture === queue) session.releaseCapture(() => false);
    release();
  }
}

/** @internal Starts `FETCH num (part)` and returns the body as a stream. */
export async function openBody(
  session: Session,
  name: string,
  args: Argument[],
  release: () => void,
): Promise<BodyStream | null> {
  let controller!: ReadableByteStreamController;
  let started: { header: Uint8Array; sizeBytes: number } | null = null;
  let ended = false;
  let discard = false;
  // Bytes the decoder handed to the sink that no read has taken yet (copies: the sink's views
  // are valid only during write). Kept here rather than enqueued, so that the stream's own
  // queue is always empty and closing it never waits on a drain.
  const leftovers: Uint8Array[] = [];
  let pulling: Promise<void> | null = null;
  // Settles when the literal's last byte was read (by the consumer or by a cancel's drain).
  let literalDone!: { resolve: () => void; reject: (error: unknown) => void };
  const literalEnded = new Promise<void>((resolve, reject) => literalDone = { resolve, reject });
  literalEnded.catch(() => {});
  const queue: FetchResponse[] = [];
  // Answers the pending read (there is one whenever pull runs: the stream has no queue of its
  // own and allocates for default readers). Straight from the connection when it can, so a
  // BYOB reader with one reused buffer streams with no copy and no allocation; else from the
  // bytes the decoder had already read.
  const fill = async (): Promise<void> => {
    const request = controller.byobRequest!;
    while (leftovers.length === 0 && !ended) {
      const filled = await session.readStreamedLiteral(request.view as Uint8Array);
      if (discard) return;
      if (filled) {
        request.respondWithNewView(filled);
        if (ended) controller.close();
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
    if (ended && leftovers.length === 0) {
      controller.close();
      // A read still pending after close gets its buffer back, empty (the streams spec
      // leaves that to the source).
      controller.byobRequest?.respond(0);
    }
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
      discard = true;
      try {
        // A read in flight finishes first: two readers of one connection would both see it.
        await pulling?.catch(() => {});
        while (!ended) await session.pump();
      } catch (error) {
        literalDone.reject(error);
      }
    },
  }, { highWaterMark: 0 });

  let tag: string;
  try {
    session.capture = queue;
    session.streamLiteral = (line, sizeBytes) => {
      // Only the first literal of the first FETCH response is streamed.
      if (started || !/^\* \d+ FETCH /i.test(decodeText(line.subarray(0, 40)))) return null;
      session.streamLiteral = null;
      // imaplib's header shape: `N rest`, without the word FETCH.
      const number = line.subarray(2, line.indexOf(0x20, 2));
      const rest = line.subarray(2 + number.length + " FETCH".length);
      const header = new Uint8Array(number.length + rest.length);
      header.set(number, 0);
      header.set(rest, number.length);
      started = { header, sizeBytes };
      return {
        write: (bytes) => {
          if (!discard) leftovers.push(bytes.slice());
        },
        end: () => {
          // The stream closes once a read has taken the last bytes (see fill).
          ended = true;
          literalDone.resolve();
        },
      };
    };
    tag = await session.command(name, args);
    while (!started) {
      if (session.hasBufferedResponse) {
        await session.getResponse();
        if (session.tagged.get(tag)) {
          // Completed without a literal: nothing to stream.
          session.releaseCapture();
          session.streamLiteral = null;
          const [type, data] = await session.commandComplete(name, tag);
          if (type !== "OK") {
            throw new IMAP4Error(`${name} failed: ${type} ${dataRepr(data as Uint8Array[])}`);
          }
          release();
          return null;
        }
      } else {
        await session.pump();
      }
    }
  } catch (error) {
    if (session.capture === queue) session.releaseCapture();
    session.streamLiteral = null;
    release();
    throw error;
  }

  const done = (async (): Promise<Result> => {
    try {
      await literalEnded;
      const result = await session.commandComplete(name, tag);
      // Drop the FETCH response whose literal was streamed; anything else goes to the store.
      session.releaseCapture((type) => type !== "FETCH");
      return result;
    } catch (error) {
      try {
        controller.error(error);
      } catch {
        // already closed or errored
      }
      throw error;
    } finally {
      if (session.capture === queue) session.releaseCapture((type) => type !== "FETCH");
      session.streamLiteral = null;
      release();
    }
  })();
  done.catch(() => {});
  const { header, sizeBytes } = started as { header: Uint8Array; sizeBytes: number };
  return { sizeBytes, header, body, done };
}
