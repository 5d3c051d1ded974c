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
import type { CommandOptions } from "../session/options.ts";
import { type LiteralStream, literalStream } from "./body_stream.ts";
import type { Datum } from "../wire/parser.ts";
import { dataRepr, decodeText } from "../wire/bytes.ts";
import type { Command } from "../session/command.ts";
import type { Result, Session } from "../session/session.ts";

/** One response delivered by `IMAP4.fetchIter()`: `[type, data]` as imaplib stores it. */
export type FetchResponse = [type: string, data: Datum[]];

/**
 * Options of `IMAP4.fetchIter()`, `IMAP4.fetchBody()` and `IMAP4.fetchBodies()`. `signal`
 * (see `CommandOptions`) is checked as each response or part arrives; aborted, the rest of the
 * command is read and dropped, then `IMAP4CancelledError` is thrown. For `fetchBody()` it
 * covers the wait until the body starts; once you hold the stream, cancel the stream.
 */
export interface FetchStreamOptions extends CommandOptions {
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

/**
 * @internal A streaming FETCH about to start: the session (whose queue is held), the command
 * and its arguments, and the function that lets the next command run once it is over.
 */
export interface StreamStart {
  session: Session;
  name: string;
  args: Argument[];
  release: () => void;
}

/** @internal The tagged reply of a streaming FETCH: NO and BAD throw, as imaplib's fetch() would. */
export async function completeOk(
  command: Command,
  keep?: (type: string, data: Datum[]) => boolean,
): Promise<Result> {
  const [type, data] = await command.complete(keep);
  if (type !== "OK") {
    throw new IMAP4Error(`${command.name} failed: ${type} ${dataRepr(data as Uint8Array[])}`);
  }
  return [type, data];
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
const streamed = (type: string, data: Datum[]): boolean => !notStreamed(type, data);

type Part = FetchedBody & { stream: LiteralStream };

/** @internal Starts `FETCH num (part)` and returns the body as a stream. */
export async function openBody(
  { session, name, args, release }: StreamStart,
): Promise<BodyStream | null> {
  let part = null as Part | null;
  let command: Command | null = null;
  try {
    command = await session.start(name, args, {
      capture: true,
      // Only the first literal of the first FETCH response is streamed.
      streamLiteral: (line, sizeBytes, literalIndex) => {
        const header = part || literalIndex > 0 ? null : fetchHeader(line);
        if (!header) return null;
        const stream = literalStream(session.connection);
        part = { sizeBytes, header, body: stream.body, stream };
        return stream.sink;
      },
    });
    if (!(await command.stepUntil(() => part !== null))) {
      // Completed without a literal: nothing to stream.
      await completeOk(command);
      release();
      return null;
    }
  } catch (error) {
    command?.end();
    release();
    throw error;
  }

  const running = command;
  const { sizeBytes, header, body, stream } = part!;
  const done = (async (): Promise<Result> => {
    try {
      await stream.ended;
      return await running.complete(notStreamed);
    } catch (error) {
      stream.fail(error);
      throw error;
    } finally {
      running.end(notStreamed);
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
  { session, name, args, release }: StreamStart,
): AsyncGenerator<FetchedBody, void, undefined> {
  // Parts whose literal has started and that were not handed over yet: several when small
  // messages arrive in one read.
  const started: Part[] = [];
  let command: Command | null = null;
  let current: LiteralStream | null = null;
  let completed = false;
  const skipped = () =>
    new IMAP4Error(
      "fetchBodies(): the next part was asked for before this body was read to its end; " +
        "its rest was read and dropped",
    );
  try {
    command = await session.start(name, args, {
      capture: true,
      streamLiteral: (line, sizeBytes, literalIndex) => {
        const header = literalIndex > 0 ? null : fetchHeader(line);
        if (!header) return null;
        const stream = literalStream(session.connection);
        started.push({ sizeBytes, header, body: stream.body, stream });
        return stream.sink;
      },
    });
    for await (const _ of command.steps()) {
      for (let part = started.shift(); part; part = started.shift()) {
        current = part.stream;
        yield { sizeBytes: part.sizeBytes, header: part.header, body: part.body };
        // The consumer asked for the next part: what it left of this one is dropped.
        await part.stream.drain(skipped());
        current = null;
      }
      // The FETCH responses whose literal went to a stream leave the capture as they arrive;
      // the others (an EXISTS, a NIL part) stay in it, counted, for the untagged store.
      command.drop(streamed);
    }
    completed = true;
    await completeOk(command);
  } finally {
    if (!completed && command && !session.failure) {
      // The caller stopped early: what is left of the bodies handed out or started is read
      // and dropped, then the rest of the command (its literals dropped as they arrive).
      try {
        if (current) await current.drain(skipped());
        for (const part of started) await part.stream.drain(skipped());
      } catch {
        // The connection failed; it is closed and the failure is recorded.
      }
      if (!session.failure) await command.drain(streamed);
    }
    if (session.failure) {
      current?.fail(session.failure);
      for (const part of started) part.stream.fail(session.failure);
    }
    // Responses that were not streamed bodies (an EXISTS, a NIL part) stay available.
    command?.end(notStreamed);
    release();
  }
}
