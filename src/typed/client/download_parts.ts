/**
 * `downloadParts()`: several MIME parts of one message at once, in memory, each decoded as
 * `downloadPart()` decodes it (imapflow's `downloadMany()`).
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { concat } from "../../wire/bytes.ts";
import { IMAP4ArgumentError } from "../../errors.ts";
import type { BodyStructure } from "../body_structure.ts";
import type { FetchMessage } from "../fetch.ts";
import { type ChunkDecoder, chunkDecoderFor } from "../transfer_encoding.ts";
import {
  decodeSteps,
  type DownloadMeta,
  type DownloadPartOptions,
  findPart,
  messageNumber,
  metaOf,
  PART_NUMBER,
} from "./download_part.ts";
import { checkSignal, IMAP4CommandError, typedError } from "./errors.ts";
import { fetchMessage } from "./fetch_messages.ts";
import type { Turn } from "../../session/connection.ts";
import { turnOf } from "./slices.ts";

/**
 * One part that {@linkcode downloadParts} fetched: what is known of it, and its content.
 *
 * @example
 * ```ts
 * import type { DownloadedPart } from "@imaplib/imaplib";
 * const part: DownloadedPart = {
 *   meta: { expectedSize: 3, contentType: "text/plain", charset: "utf-8" },
 *   content: new TextEncoder().encode("Hi!"),
 * };
 * console.assert(part.content.length === part.meta.expectedSize);
 * ```
 */
export interface DownloadedPart {
  /** As for `downloadPart()`: type, charset, encoding, disposition, file name, size sent. */
  meta: DownloadMeta;
  /** The content, transfer encoding undone (and inline text in UTF-8, see `decodeText`). */
  content: Uint8Array;
}

// Bytes decoded between two looks at the event loop's clock (base64 at ~450 MB/s).
const DECODE_BYTES_PER_PART = 256 * 1024;

/**
 * Downloads several MIME parts of one message in memory: imapflow's `downloadMany(range,
 * parts)`. One FETCH of the BODYSTRUCTURE (types, charsets, encodings, file names), then one
 * FETCH of every part found: `BINARY.PEEK[part]` for the encoded ones where the server
 * advertises `BINARY` (RFC 3516; on NO the client decodes after all), `BODY.PEEK[part]`
 * otherwise, decoded by the client (see `transferDecoder()`). Inline text in another charset
 * comes as UTF-8 (`decodeText`). `\Seen` is never set. Decoding runs between turns of the
 * event loop. For one large part, stream it with `downloadPart()` instead: this holds every
 * part in memory, twice while it decodes.
 *
 * @param client A client with a mailbox selected.
 * @param message One message sequence number, or a UID with `{ uid: true }`.
 * @param parts Part numbers (`"2"`, `"1.2"`, as in `BodyStructure.part`).
 * @param options `uid`, `decodeText`, `signal`, as for `downloadPart()`.
 * @returns The parts found, by part number, in the order asked; a part the message does not
 *   have is absent, and so is everything when there is no such message (imapflow resolves
 *   with `{}` then).
 * @throws {IMAP4ArgumentError} for a `message` or a part that is not a number as above.
 * @throws {IMAP4CommandError} when the server answers a FETCH with NO or BAD.
 * @throws {IMAP4CancelledError} when `signal` fires.
 * @throws {IMAP4Error} in the wrong state, or while something else holds the connection.
 * @throws {IMAP4Abort} when the connection fails.
 *
 * @example The text and the first attachment of message 7
 * ```ts ignore
 * import { downloadParts } from "@imaplib/imaplib";
 * const parts = await downloadParts(M, 7, ["1", "2"], { uid: true });
 * console.log(new TextDecoder().decode(parts.get("1")?.content), parts.get("2")?.meta.filename);
 * ```
 */
export async function downloadParts(
  client: IMAP4,
  message: number | string,
  parts: readonly string[],
  options: DownloadPartOptions = {},
): Promise<Map<string, DownloadedPart>> {
  const { uid = false, decodeText = true, signal } = options;
  const method = "downloadParts()";
  const number = Number(messageNumber(message));
  for (const part of parts) {
    if (!PART_NUMBER.test(part)) {
      throw new IMAP4ArgumentError(`not a part number: ${JSON.stringify(part)}`);
    }
  }
  checkSignal(signal, method);
  const out = new Map<string, DownloadedPart>();
  const command = uid ? "UID FETCH" : "FETCH";
  try {
    const root = (await fetchMessage(client, number, { bodyStructure: true }, { uid, signal }))
      ?.bodyStructure;
    const nodes = new Map<string, BodyStructure>();
    for (const part of parts) {
      const node = root && findPart(root, part);
      if (node) nodes.set(part, node);
    }
    if (nodes.size === 0) return out;
    const wanted = [...nodes.keys()];
    const encoded = wanted.filter((part) => chunkDecoderFor(nodes.get(part)!.encoding ?? "7bit"));
    let byServer: FetchMessage | null = null;
    if (encoded.length > 0 && client.capabilities.includes("BINARY")) {
      const plain = wanted.filter((part) => !encoded.includes(part));
      try {
        byServer = await fetchMessage(
          client,
          number,
          { binaryParts: encoded, bodyParts: plain },
          { uid, signal },
        );
      } catch (error) {
        // As downloadPart(): NO [UNKNOWN-CTE], or Dovecot's NO [PARSE] for invalid base64.
        if (!(error instanceof IMAP4CommandError && error.status === "NO")) throw error;
      }
    }
    const fetched = byServer ??
      await fetchMessage(client, number, { bodyParts: wanted }, { uid, signal });
    const turn = turnOf(client);
    for (const part of wanted) {
      const decodedByServer = byServer !== null && encoded.includes(part);
      const bytes = fetched?.bodyParts?.get(decodedByServer ? `BINARY[${part}]` : part);
      if (bytes === undefined) continue;
      const node = nodes.get(part)!;
      const meta = metaOf(node, bytes.length);
      const steps = decodeSteps(meta, decodedByServer ? null : node.encoding ?? "7bit", decodeText);
      out.set(part, { meta, content: await decodeInParts(bytes, steps, turn) });
    }
  } catch (error) {
    throw typedError(error, command, method);
  }
  return out;
}

// `bytes` through `steps` a piece at a time, the event loop turning between pieces.
async function decodeInParts(
  bytes: Uint8Array,
  steps: ChunkDecoder[],
  turn: Turn,
): Promise<Uint8Array> {
  if (steps.length === 0) return bytes;
  const pieces: Uint8Array[] = [];
  const through = (chunk: Uint8Array, from: number) => {
    for (let i = from; i < steps.length && chunk.length > 0; i++) chunk = steps[i].push(chunk);
    if (chunk.length > 0) pieces.push(chunk);
  };
  for (let at = 0; at < bytes.length; at += DECODE_BYTES_PER_PART) {
    through(bytes.subarray(at, at + DECODE_BYTES_PER_PART), 0);
    const pending = turn();
    if (pending) await pending;
  }
  for (let i = 0; i < steps.length; i++) through(steps[i].end(), i + 1);
  return pieces.length === 1 ? pieces[0] : concat(pieces);
}
