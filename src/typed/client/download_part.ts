/**
 * `downloadPart()`: one message, or one of its MIME parts, as a stream of its content, with the
 * transfer encoding undone and inline text in UTF-8 (imapflow's `download()`).
 *
 * @module
 */

import { IMAP4ArgumentError } from "../../errors.ts";
import type { IMAP4 } from "../../client/imap4.ts";
import type { BodyStream } from "../../client/streaming_run.ts";
import type { BodyStructure } from "../body_structure.ts";
import { type ChunkDecoder, chunkDecoderFor } from "../transfer_encoding.ts";
import { checkSignal, IMAP4CommandError, typedError } from "./errors.ts";
import { fetchMessages } from "./fetch_messages.ts";

/**
 * What {@linkcode downloadPart} found out about the content: imapflow's download `meta`.
 *
 * @example
 * ```ts
 * import type { DownloadMeta } from "@imaplib/imaplib";
 * const meta: DownloadMeta = {
 *   expectedSize: 1200,
 *   contentType: "application/pdf",
 *   encoding: "base64",
 *   disposition: "attachment",
 *   filename: "Rechnung März.pdf",
 * };
 * console.assert(meta.filename?.endsWith(".pdf"));
 * ```
 */
export interface DownloadMeta {
  /**
   * Bytes the server announced for the part (its literal's size): the encoded size when the
   * client decodes, the decoded size when the server did (BINARY). The content's length may
   * differ; a progress measure, not a check.
   */
  expectedSize: number;
  /** `type/subtype` in lower case; `"message/rfc822"` for a whole message. */
  contentType: string;
  /**
   * The part's charset parameter in lower case; `"utf-8"` once the content was converted to
   * UTF-8 (see `DownloadPartOptions.decodeText`).
   */
  charset?: string;
  /** The part's Content-Transfer-Encoding in lower case (`"base64"`), as declared. */
  encoding?: string;
  /** The Content-Disposition type in lower case (`"attachment"`, `"inline"`). */
  disposition?: string;
  /** The file name: the disposition's `filename`, else the type's `name` (RFC 2231/2047 decoded). */
  filename?: string;
}

/** A download: its {@linkcode DownloadMeta} and the content as a stream. */
export interface Download {
  /** What is known of the content. */
  meta: DownloadMeta;
  /**
   * The content, read from the connection only as it is consumed. Read it to the end or
   * `cancel()` it (the rest is then drained; the connection stays usable). Until then other
   * commands on the client fail at once. Errors with the connection's error if it fails.
   */
  content: ReadableStream<Uint8Array>;
}

/**
 * Options of {@linkcode downloadPart}.
 *
 * @example
 * ```ts
 * import type { DownloadPartOptions } from "@imaplib/imaplib";
 * const options: DownloadPartOptions = { uid: true, decodeText: false };
 * console.assert(options.uid);
 * ```
 */
export interface DownloadPartOptions {
  /** `message` is a UID: send `UID FETCH`. @default {false} */
  uid?: boolean;
  /**
   * Convert an inline text part (`text/*` without `attachment` disposition) in another charset
   * to UTF-8, as imapflow does; `false` leaves its bytes as they are. A charset the runtime's
   * `TextDecoder` does not know leaves them too (`meta.charset` says which). @default {true}
   */
  decodeText?: boolean;
  /** Stops the download until the content starts; then cancel `content` instead. */
  signal?: AbortSignal;
}

/** @internal A part number (`"2"`, `"1.2"`). */
export const PART_NUMBER = /^[1-9]\d*(?:\.[1-9]\d*)*$/;
const MESSAGE_NUMBER = /^[1-9]\d*$/;
const UTF8_LABELS = new Set(["utf-8", "utf8", "us-ascii", "ascii", "unicode-1-1-utf-8"]);

/**
 * Downloads a whole message, or one MIME part of it, as a stream of its content: imapflow's
 * `download(range, part, { uid })`.
 *
 * - Without `part`: the message as the server stores it (`BODY.PEEK[]`, RFC 3501 section
 *   6.4.5), `meta.contentType` `"message/rfc822"`.
 * - With a part number (`"2"`, `"1.2"`, as in `BodyStructure.part`): one FETCH of the
 *   message's BODYSTRUCTURE gives the part's type, charset, encoding and file name, then the
 *   part is streamed. Its Content-Transfer-Encoding (RFC 2045 section 6) is undone: by the
 *   server with `BINARY.PEEK[part]` where it advertises `BINARY` (RFC 3516; should it answer
 *   NO, as for an encoding it does not know or data it finds invalid, the client does it
 *   after all), else by the client over
 *   `BODY.PEEK[part]` (see {@linkcode transferDecoder}). An inline text part in another
 *   charset is converted to UTF-8 (`decodeText`). `\Seen` is never set (`.PEEK`).
 *
 * Unlike imapflow, which asks for 64 KiB at a time, the part comes in one FETCH; the stream
 * reads it from the socket only as fast as it is consumed.
 *
 * Where a part begins and ends is the server's reading of the MIME structure. Dovecot 2.3 takes
 * a line that merely starts with a multipart's boundary for a delimiter (measured: in a
 * multipart with boundary `b`, a part `first CRLF --bx CRLF last` comes back as `first`), where
 * RFC 2046 section 5.1.1 wants the whole line; for such mail, fetch the whole message (no
 * `part`) and read it with a MIME parser of your own.
 *
 * @param client A client with a mailbox selected.
 * @param message One message sequence number, or a UID with `{ uid: true }`.
 * @param part A part number; omitted or `""` for the whole message.
 * @param options `uid`, `decodeText`, `signal`.
 * @returns The download, or `null` when there is no such message, or the message has no such
 *   part (imapflow resolves with an empty object then).
 * @throws {IMAP4ArgumentError} for a `message` or `part` that is not a number as above.
 * @throws {IMAP4CommandError} when the server answers the FETCH with NO or BAD.
 * @throws {IMAP4Error} in the wrong state, or while something else holds the connection.
 * @throws {IMAP4CancelledError} when `signal` fires before the content starts.
 * @throws {IMAP4Abort} when the connection fails.
 *
 * @example Saving the attachments of the newest message
 * ```ts ignore
 * import { downloadPart, fetchMessages, IMAP4, selectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await selectMailbox(M, "INBOX", { readOnly: true });
 * for await (const msg of fetchMessages(M, "*", { bodyStructure: true })) {
 *   for (const node of msg.bodyStructure?.childNodes ?? []) {
 *     if (node.disposition !== "attachment") continue;
 *     const download = await downloadPart(M, msg.uid!, node.part, { uid: true });
 *     if (!download) continue;
 *     const file = await Deno.create(download.meta.filename ?? `part-${node.part}`);
 *     await download.content.pipeTo(file.writable);
 *   }
 * }
 * ```
 */
export async function downloadPart(
  client: IMAP4,
  message: number | string,
  part?: string,
  options: DownloadPartOptions = {},
): Promise<Download | null> {
  const { uid = false, decodeText = true, signal } = options;
  const method = "downloadPart()";
  const number = messageNumber(message);
  if (part !== undefined && part !== "" && !PART_NUMBER.test(part)) {
    throw new IMAP4ArgumentError(`not a part number: ${JSON.stringify(part)}`);
  }
  checkSignal(signal, method);
  const command = uid ? "UID FETCH" : "FETCH";
  const fetchBody = async (section: string): Promise<BodyStream | null> => {
    try {
      return await client.fetchBody(number, section, { uid, signal });
    } catch (error) {
      throw typedError(error, command, method);
    }
  };

  if (!part) {
    const body = await fetchBody("BODY.PEEK[]");
    if (!body) return null;
    return {
      meta: { expectedSize: body.sizeBytes, contentType: "message/rfc822" },
      content: contentOf(body, [], command, method),
    };
  }

  let node: BodyStructure | null;
  try {
    node = await partOf(client, number, part, uid, signal);
  } catch (error) {
    throw typedError(error, command, method); // a cancellation names downloadPart()
  }
  if (!node) return null;
  const encoding = node.encoding ?? "7bit";
  let body: BodyStream | null = null;
  let decodedByServer = false;
  if (chunkDecoderFor(encoding) && client.capabilities.includes("BINARY")) {
    try {
      body = await fetchBody(`BINARY.PEEK[${part}]`);
      decodedByServer = true;
    } catch (error) {
      // A part the server will not decode: `NO [UNKNOWN-CTE]` (RFC 3516 section 4.2), or
      // Dovecot's `NO [PARSE] Invalid data in MIME part` for base64 with bytes outside the
      // alphabet (measured, 2.3.19). The client decodes tolerantly, as RFC 2045 asks; should
      // the NO have another cause, the FETCH below gets it too.
      if (!(error instanceof IMAP4CommandError && error.status === "NO")) throw error;
    }
  }
  if (!decodedByServer) body = await fetchBody(`BODY.PEEK[${part}]`);
  if (!body) return null;
  const meta = metaOf(node, body.sizeBytes);

  const steps = decodeSteps(meta, decodedByServer ? null : encoding, decodeText);
  return { meta, content: contentOf(body, steps, command, method) };
}

/** @internal `message` as sent (`"42"`). @throws {IMAP4ArgumentError} for anything else. */
export function messageNumber(message: number | string): string {
  const number = String(message);
  if (!MESSAGE_NUMBER.test(number) || Number(number) > 0xffffffff) {
    throw new IMAP4ArgumentError(`not a message number: ${JSON.stringify(message)}`);
  }
  return number;
}

/**
 * @internal What turns a part's bytes into its content: the transfer decoding (`encoding`; null
 * when the server decoded), then, for inline text in another charset, UTF-8 (`meta.charset`
 * then says `"utf-8"`).
 */
export function decodeSteps(
  meta: DownloadMeta,
  encoding: string | null,
  decodeText: boolean,
): ChunkDecoder[] {
  const steps: ChunkDecoder[] = [];
  const transfer = encoding === null ? null : chunkDecoderFor(encoding);
  if (transfer) steps.push(transfer);
  const charset = meta.charset;
  if (
    decodeText && charset && !UTF8_LABELS.has(charset) && meta.contentType.startsWith("text/") &&
    meta.disposition !== "attachment"
  ) {
    const text = toUtf8(charset);
    if (text) {
      steps.push(text);
      meta.charset = "utf-8";
    }
  }
  return steps;
}

// The content: the body's bytes through `steps`, in order, as the caller reads. The stream ends
// once the FETCH has completed, and a cancel resolves once the rest is drained, so that the
// client is free for the next command either way (as awaiting BodyStream.done would make it).
function contentOf(
  body: BodyStream,
  steps: ChunkDecoder[],
  command: string,
  method: string,
): ReadableStream<Uint8Array> {
  const reader = body.body.getReader();
  const through = (bytes: Uint8Array, from: number): Uint8Array => {
    for (let i = from; i < steps.length && bytes.length > 0; i++) bytes = steps[i].push(bytes);
    return bytes;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read();
        if (!done) {
          const out = through(value, 0);
          if (out.length === 0) continue;
          controller.enqueue(out);
          return;
        }
        for (let i = 0; i < steps.length; i++) {
          const tail = through(steps[i].end(), i + 1);
          if (tail.length > 0) controller.enqueue(tail);
        }
        try {
          await body.done;
        } catch (error) {
          throw typedError(error, command, method);
        }
        controller.close();
        return;
      }
    },
    async cancel(reason) {
      await reader.cancel(reason);
      await body.done.catch(() => {});
    },
  }, { highWaterMark: 0 });
}

// Text in `charset` to UTF-8, chunk by chunk (a character split between chunks waits for the
// rest); null for a label the runtime's TextDecoder does not know.
function toUtf8(charset: string): ChunkDecoder | null {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    return null; // RangeError: an unknown label
  }
  const encoder = new TextEncoder();
  return {
    push: (chunk) => encoder.encode(decoder.decode(chunk, { stream: true })),
    end: () => encoder.encode(decoder.decode()),
  };
}

// The node of `part` in the message's BODYSTRUCTURE; null without the message or the part.
async function partOf(
  client: IMAP4,
  number: string,
  part: string,
  uid: boolean,
  signal: AbortSignal | undefined,
): Promise<BodyStructure | null> {
  let found: BodyStructure | null = null;
  const wanted = Number(number);
  for await (
    const msg of fetchMessages(client, number, { bodyStructure: true }, { uid, signal })
  ) {
    // Unsolicited FETCH responses of other messages may come along (RFC 3501 section 7).
    if ((uid ? msg.uid : msg.seq) !== wanted || !msg.bodyStructure) continue;
    found = findPart(msg.bodyStructure, part);
  }
  return found;
}

/** @internal The node of `part` in a BODYSTRUCTURE; null without it. */
export function findPart(node: BodyStructure, part: string): BodyStructure | null {
  if (node.part === part) return node;
  for (const child of node.childNodes ?? []) {
    // Only a child whose number starts the wanted one (or a root without a number) leads there.
    if (child.part !== undefined && !`${part}.`.startsWith(`${child.part}.`)) continue;
    const hit = findPart(child, part);
    if (hit) return hit;
  }
  return null;
}

/** @internal The meta of a part from its BODYSTRUCTURE node. */
export function metaOf(node: BodyStructure, expectedSize: number): DownloadMeta {
  const meta: DownloadMeta = { expectedSize, contentType: node.type };
  const charset = node.parameters?.charset?.trim().toLowerCase();
  if (charset) meta.charset = charset;
  if (node.encoding) meta.encoding = node.encoding;
  if (node.disposition) meta.disposition = node.disposition;
  const filename = node.dispositionParameters?.filename ?? node.parameters?.name;
  if (filename) meta.filename = filename;
  return meta;
}
