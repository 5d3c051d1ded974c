/**
 * Streaming FETCH methods of `IMAP4`, beyond imaplib: responses as they arrive, and message
 * parts as readable byte streams. A base class of `IMAP4`, so that the imaplib commands and
 * these stay in files of their own.
 *
 * @module
 */

import { coreOf } from "./core.ts";
import { IMAP4CancelledError } from "../errors.ts";
import { IMAP4Aliases } from "./aliases.ts";
import { type Arg, fetchCommand, text } from "./args.ts";
import {
  type BodyStream,
  type FetchedBody,
  type FetchResponse,
  type FetchStreamOptions,
  iterateBodies,
  openBody,
} from "./streaming_run.ts";
import { ResponseIterator } from "./response_iterator.ts";

/**
 * The streaming FETCH methods of {@linkcode IMAP4} (beyond imaplib): `fetchIter()`,
 * `fetchBody()` and `fetchBodies()`. Use them on an `IMAP4` client.
 */
export abstract class IMAP4Streaming extends IMAP4Aliases {
  /**
   * FETCH whose responses are delivered as they arrive (beyond imaplib; what imapflow's
   * `fetch()` and go-imap's `FetchCommand.Next()` offer): each untagged response, FETCH or not,
   * is one `[type, data]` item in imaplib's shape, and memory is bounded by one response: the
   * iterator keeps nothing of a response it handed over. (On Deno, a `for await` loop itself
   * keeps its last value referenced until the next arrives. On the Node/Bun transport a literal
   * over 4 KiB that arrived whole in one socket buffer is a view of that buffer, up to 512 KiB
   * on Bun, which it keeps alive while it is kept.)
   *
   * The command holds the connection while iterating: other commands called meanwhile fail at
   * once (do them after the loop). Leaving the loop early (`break`, an exception) reads and
   * drops the remaining responses, so the connection stays usable.
   *
   * @param message_set Sequence set (UIDs with `{ uid: true }`).
   * @param message_parts Fetch items, e.g. `"(UID FLAGS RFC822.SIZE)"`.
   * @param options `uid`: send UID FETCH; `signal`: see {@linkcode FetchStreamOptions}.
   * @returns An async iterator of `[type, data]`, e.g. `["FETCH", [b"1 (UID 7 FLAGS ())"]]`.
   * @throws {IMAP4Error} from the iterator when the server answers NO or BAD, or in the
   *   wrong state; {@linkcode IMAP4Abort} when the connection fails.
   *
   * @example Flags of a whole mailbox without holding them all
   * ```ts ignore
   * for await (const [type, data] of M.fetchIter("1:*", "(UID FLAGS)")) {
   *   if (type === "FETCH") console.log(new TextDecoder().decode(data[0] as Uint8Array));
   * }
   * ```
   */
  fetchIter(
    message_set: Arg,
    message_parts: Arg,
    options?: FetchStreamOptions,
  ): AsyncGenerator<FetchResponse, void, undefined> {
    options ??= {};
    const [name, args] = fetchCommand(message_set, message_parts, options);
    return new ResponseIterator<FetchResponse>(coreOf(this), {
      holder: "fetchIter()",
      signal: options.signal,
      command: () => [name, args],
      map: (type, data) => [type, data],
    });
  }

  /**
   * Fetches one message part as a `ReadableStream<Uint8Array>` (beyond imaplib): the bytes of
   * the literal are read from the connection only as the stream is consumed, so a 50 MB
   * message never sits in memory whole, and `maxLiteralBytes` does not apply to it.
   *
   * Read `body` to its end or cancel it (cancelling drains the rest; the connection stays
   * usable); other commands fail at once until then. `done` gives the tagged reply.
   *
   * @param message_num One message number (a UID with `{ uid: true }`).
   * @param message_part The part, e.g. `"BODY.PEEK[]"`, `"BODY.PEEK[2]"`, `"BINARY.PEEK[1]"`.
   *   Default: `"BODY.PEEK[]"`.
   * @param options `uid`: send UID FETCH; `signal`: see {@linkcode FetchStreamOptions}.
   * @returns The stream with its size and FETCH header, or `null` if the server returned no
   *   literal (no such message, or an empty NIL part).
   * @throws {IMAP4Error} on NO or BAD, or in the wrong state.
   *
   * @example Saving a large message to a file
   * ```ts ignore
   * const part = await M.fetchBody("1");
   * if (part) await part.body.pipeTo((await Deno.create("message.eml")).writable);
   * ```
   */
  fetchBody(
    message_num: Arg,
    message_part?: Arg,
    options?: FetchStreamOptions,
  ): Promise<BodyStream | null> {
    message_part ??= "BODY.PEEK[]";
    options ??= {};
    const [name, args] = fetchCommand(message_num, `(${text(message_part)})`, options);
    const signal = options.signal;
    return (async () => {
      const release = await coreOf(this).hold("fetchBody()", name, signal);
      const part = await openBody({ session: coreOf(this).session, name, args, release });
      if (signal?.aborted) {
        // Aborted while the body was being asked for: dropped, as a cancelled stream is.
        await part?.body.cancel();
        await part?.done.catch(() => {});
        throw new IMAP4CancelledError("fetchBody()", signal.reason);
      }
      return part;
    })();
  }

  /**
   * FETCH of one part of many messages, each part handed over as a stream as its response
   * arrives (beyond imaplib; what go-imap's `FetchCommand.Next()` and MailKit's streaming
   * fetches give): one command for the whole set, the bytes read from the connection only as
   * each body is consumed. With a BYOB reader and one reused buffer, a mailbox of any size
   * streams in bounded memory with no copy of the bodies.
   *
   * Each item is the first literal of one FETCH response, in order. Read its `body` to the
   * end (or cancel it) before asking for the next item: asking earlier reads and drops the
   * rest of it, and reading that body afterwards fails with {@linkcode IMAP4Error}. Leaving the
   * loop early drops the rest of the command's responses, so the connection stays usable;
   * other commands called meanwhile fail at once. FETCH responses without a literal (e.g. a
   * part that is NIL), those with a second literal (when `message_part` names two parts: the
   * second is buffered) and other untagged responses go to the untagged store.
   *
   * @param message_set Sequence set (UIDs with `{ uid: true }`), e.g. `"1:*"`.
   * @param message_part The part, e.g. `"BODY.PEEK[]"`, `"BINARY.PEEK[1]"`.
   *   Default: `"BODY.PEEK[]"`.
   * @param options `uid`: send UID FETCH; `signal`: see {@linkcode FetchStreamOptions}.
   * @returns An async iterator of {@linkcode FetchedBody} (`sizeBytes`, `header`, `body`).
   * @throws {IMAP4Error} from the iterator when the server answers NO or BAD, or in the wrong
   *   state; {@linkcode IMAP4Abort} when the connection fails (a body being read errors too).
   *
   * @example Saving every message of a mailbox, one reused buffer
   * ```ts ignore
   * let buffer = new Uint8Array(256 * 1024);
   * for await (const part of M.fetchBodies("1:*")) {
   *   const file = await Deno.create(`${new TextDecoder().decode(part.header).split(" ")[0]}.eml`);
   *   const reader = part.body.getReader({ mode: "byob" });
   *   for (;;) {
   *     const { value, done } = await reader.read(buffer);
   *     buffer = new Uint8Array(value!.buffer); // the read hands the buffer back
   *     if (done) break;
   *     await file.write(value);
   *   }
   *   file.close();
   * }
   * ```
   */
  fetchBodies(
    message_set: Arg,
    message_part?: Arg,
    options?: FetchStreamOptions,
  ): AsyncGenerator<FetchedBody, void, undefined> {
    message_part ??= "BODY.PEEK[]";
    options ??= {};
    const [name, args] = fetchCommand(message_set, `(${text(message_part)})`, options);
    return coreOf(this).stream("fetchBodies()", name, args, iterateBodies, options.signal);
  }
}
