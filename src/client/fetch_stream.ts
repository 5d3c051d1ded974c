/**
 * Streaming FETCH, beyond imaplib: responses delivered as they arrive instead of after the
 * tagged reply (memory bounded by one response), and one large literal as a
 * `ReadableStream<Uint8Array>` with backpressure (memory bounded by one socket read).
 *
 * @module
 */

import { STREAMED_LITERAL } from "../wire/decoder.ts";
import type { Argument } from "../wire/encoder.ts";
import { IMAP4Error } from "../errors.ts";
import { type LiteralStream, literalStream } from "./body_stream.ts";
import type { Datum } from "../wire/parser.ts";
import { dataRepr, decodeText } from "../wire/bytes.ts";
import type { Result, Session } from "../session/session.ts";

/** One response delivered by `IMAP4.fetchIter()`: `[type, data]` as imaplib stores it. */
export type FetchResponse = [type: string, data: Datum[]];

/** Options of `IMAP4.fetchIter()` and `IMAP4.fetchBody()`. */
export interface FetchStreamOptions {
  /** Send `UID FETCH` (the message set holds UIDs). @default {false} */
  uid?: boolean;
}

/** A message part being received: its size, the FETCH header line, the bytes as a stream. */
export interface FetchedBody {
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
}

/** `IMAP4.fetchBody()`'s part: a {@linkcode FetchedBody} and the command's completion. */
export interface BodyStream extends FetchedBody {
  /**
   * Settles when the FETCH command has completed, with its `[type, data]` (the tagged reply),
   * after the body was read or cancelled. Rejects with the connection's error if it failed.
   * (Unobserved rejections are not reported as unhandled.)
   */
  done: Promise<Result>;
}

// The tagged reply of a streaming FETCH: NO and BAD throw, as imaplib's fetch() would.
async function completeOk(session: Session, name: string, tag: string): Promise<void> {
  const [type, data] = await session.commandComplete(name, tag);
  if (type !== "OK") {
    throw new IMAP4Error(`${name} failed: ${type} ${dataRepr(data as Uint8Array[])}`);
  }
}

// After the caller stopped early: reads the rest of the command's responses up to its tagged
// reply, calling `between` before each (to drop what was captured), so the connection stays
// in step. A failure while draining is recorded by the session, which is then closed.
async function drainTo(session: Session, tag: string, between: () => void): Promise<void> {
  try {
    while (!session.tagged.get(tag)) {
      between();
      await session.getResponse();
    }
    session.tagged.delete(tag);
  } catch {
    // The connection failed while draining; it is closed and the failure is recorded.
  }
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
    await completeOk(session, name, tag);
  } finally {
    if (!completed && tag !== null && !session.failure) {
      await drainTo(session, tag, () => session.takeCaptured());
    }
    if (session.capture === queue) session.releaseCapture(() => false);
    release();
  }
}

// A FETCH response's first line, `* N FETCH (...`, as imaplib's data header `N (...`.
function fetchHeader(line: Uint8Array): Uint8Array | null {
  if (!/^\* \d+ FETCH /i.test(decodeText(line.subarray(0, 40)))) return null;
  const number = line.subarray(2, line.indexOf(0x20, 2));
  const rest = line.subarray(2 + number.length + " FETCH".length);
  const header = new Uint8Array(number.length + rest.length);
  header.set(number, 0);
  header.set(rest, number.length);
  return header;
}

// A captured FETCH response whose literals all went to streams has its data there, so it does
// not go to the untagged store; one that also holds a buffered literal (a second part named in
// the same FETCH) does, so that literal is not lost.
const notStreamed = (type: string, data: Datum[]): boolean =>
  type !== "FETCH" || !data.some((d) => Array.isArray(d) && d[1] === STREAMED_LITERAL) ||
  data.some((d) => Array.isArray(d) && d[1] !== STREAMED_LITERAL);

/** @internal Starts `FETCH num (part)` and returns the body as a stream. */
export async function openBody(
  session: Session,
  name: string,
  args: Argument[],
  release: () => void,
): Promise<BodyStream | null> {
  let part: (FetchedBody & { stream: LiteralStream }) | null = null;
  const queue: FetchResponse[] = [];
  let tag: string;
  try {
    session.capture = queue;
    session.streamLiteral = (line, sizeBytes, literalIndex) => {
      // Only the first literal of the first FETCH response is streamed.
      const header = part || literalIndex > 0 ? null : fetchHeader(line);
      if (!header) return null;
      session.streamLiteral = null;
      const stream = literalStream(session);
      part = { sizeBytes, header, body: stream.body, stream };
      return stream.sink;
    };
    tag = await session.command(name, args);
    while (!part) {
      if (session.hasBufferedResponse) {
        await session.getResponse();
        if (session.tagged.get(tag)) {
          // Completed without a literal: nothing to stream.
          session.releaseCapture();
          session.streamLiteral = null;
          await completeOk(session, name, tag);
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

  const { sizeBytes, header, body, stream } = part as FetchedBody & { stream: LiteralStream };
  const done = (async (): Promise<Result> => {
    try {
      await stream.ended;
      const result = await session.commandComplete(name, tag);
      session.releaseCapture(notStreamed);
      return result;
    } catch (error) {
      stream.fail(error);
      throw error;
    } finally {
      if (session.capture === queue) session.releaseCapture(notStreamed);
      session.streamLiteral = null;
      release();
    }
  })();
  done.catch(() => {});
  return { sizeBytes, header, body, done };
}

/**
 * @internal Runs a FETCH and yields the first literal of each FETCH response as a stream, in
 * order, as the responses arrive. Asking for the next part drops what is left of the current
 * one (its stream then errors, unless it was read to the end).
 */
export async function* iterateBodies(
  session: Session,
  name: string,
  args: Argument[],
  release: () => void,
): AsyncGenerator<FetchedBody, void, undefined> {
  // Parts whose literal has started and that were not handed over yet: several when small
  // messages arrive in one read.
  const started: (FetchedBody & { stream: LiteralStream })[] = [];
  const queue: FetchResponse[] = [];
  let tag: string | null = null;
  let current: LiteralStream | null = null;
  let completed = false;
  const skipped = () =>
    new IMAP4Error(
      "fetchBodies(): the next part was asked for before this body was read to its end; " +
        "its rest was read and dropped",
    );
  // The FETCH responses whose literal went to a stream leave the capture as they arrive; the
  // others (an EXISTS, a NIL part) stay in it, counted, for the untagged store at the end.
  const dropStreamed = () => session.dropCaptured((type, data) => !notStreamed(type, data));
  try {
    session.capture = queue;
    session.streamLiteral = (line, sizeBytes, literalIndex) => {
      const header = literalIndex > 0 ? null : fetchHeader(line);
      if (!header) return null;
      const stream = literalStream(session);
      started.push({ sizeBytes, header, body: stream.body, stream });
      return stream.sink;
    };
    tag = await session.command(name, args);
    for (;;) {
      const part = started.shift();
      if (part) {
        current = part.stream;
        yield { sizeBytes: part.sizeBytes, header: part.header, body: part.body };
        // The consumer asked for the next part: what it left of this one is dropped.
        await part.stream.drain(skipped());
        current = null;
        continue;
      }
      dropStreamed();
      if (session.tagged.get(tag)) break;
      session.checkBye();
      if (session.hasBufferedResponse) await session.getResponse();
      else await session.pump();
    }
    completed = true;
    dropStreamed();
    session.streamLiteral = null;
    session.releaseCapture();
    await completeOk(session, name, tag);
  } finally {
    if (!completed && tag !== null && !session.failure) {
      // The caller stopped early: what is left of the bodies handed out or started is read
      // and dropped, then the rest of the command (its literals dropped as they arrive).
      try {
        if (current) await current.drain(skipped());
        for (const part of started) await part.stream.drain(skipped());
      } catch {
        // The connection failed; it is closed and the failure is recorded.
      }
      session.streamLiteral = () => DROP;
      if (!session.failure) await drainTo(session, tag, dropStreamed);
    }
    if (session.failure) {
      current?.fail(session.failure);
      for (const part of started) part.stream.fail(session.failure);
    }
    session.streamLiteral = null;
    // Responses that were not streamed bodies (an EXISTS, a NIL part) stay available.
    if (session.capture === queue) session.releaseCapture(notStreamed);
    release();
  }
}

// A sink that drops a literal's bytes as they arrive (draining after an early exit).
const DROP = { write: () => {}, end: () => {} };
