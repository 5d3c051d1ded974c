/**
 * COMPRESS=DEFLATE (RFC 4978): compress the rest of the connection, both ways.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { IMAP4Error } from "../../errors.ts";
import type { Result, Session } from "../../session/session.ts";
import { checkCompressor, compressTransport } from "../../transport/compress.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

/**
 * Sends `COMPRESS DEFLATE` (RFC 4978) and, on OK, compresses everything after it both ways:
 * from the byte after the CRLF of the server's tagged OK, responses are inflated before the
 * decoder sees them, and every write (a command line, a literal) is deflated and sync-flushed
 * so the server sees it at once. Nothing else changes: the same client, commands, IDLE and
 * streams go on working, only fewer bytes cross the network (measured on Dovecot: half the
 * bytes of whole messages with attachments, a seventh of an ENVELOPE listing; see
 * `bench/RESULTS.md`).
 *
 * Behaviour: one queued command, legal after login (RFC 4978 section 5: `command-auth`), once
 * per connection. Needs the `COMPRESS=DEFLATE` capability, which servers such as Dovecot
 * announce only after login (the capabilities are refreshed then). Nothing is read past the
 * tagged reply before the switch. STARTTLS cannot follow (it is legal only before login, and
 * RFC 4978 section 3 puts TLS beneath compression): use STARTTLS first. Compressing is done
 * with `CompressionStream("deflate-raw")` where it flushes per write (Deno), else `node:zlib`
 * (Bun, Node and workerd, whose CompressionStream holds output until closed); inflating with
 * `DecompressionStream("deflate-raw")`, fed at most 8 KiB of compressed bytes at a time.
 *
 * Limits: the decoder's limits (`maxLineBytes`, `maxLiteralBytes`, `maxResponseBytes`,
 * `maxStoredBytes`) apply to the decompressed bytes, so they cap what one response may inflate
 * to; a small compressed flood (a "zip bomb" of zeros) ends with `IMAP4LimitError` and a closed
 * connection once a line passes `maxLineBytes`, with memory bounded as on a plain connection.
 * Bytes that are not valid DEFLATE end the connection with `IMAP4ConnectionError`.
 *
 * @param client A logged-in client.
 * @param options `signal`: aborted while COMPRESS waits in the queue, nothing is sent; in
 *   flight, the reply is awaited and, if it was OK, the connection is compressed all the same
 *   before `IMAP4CancelledError` is thrown (see `CommandOptions`).
 * @throws {IMAP4Error} before sending: outside AUTH/SELECTED state, when the connection is
 *   already compressed, or when the server does not advertise `COMPRESS=DEFLATE`.
 * @throws {IMAP4CommandError} when the server answers NO or BAD (e.g. `NO [COMPRESSIONACTIVE]`
 *   when TLS already compresses); the connection stays uncompressed and usable.
 * @throws {IMAP4CancelledError} when `signal` fires (see above).
 * @throws {IMAP4Error} before sending, when the runtime can neither compress with flushes
 *   (a `CompressionStream` that flushes each write, or `node:zlib`) nor inflate
 *   (`DecompressionStream`).
 *
 * @example Compress after login
 * ```ts ignore
 * import { compress, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await compress(M);
 * await M.select("INBOX"); // and everything else, compressed
 * ```
 */
export async function compress(client: IMAP4, options: SignalOptions = {}): Promise<void> {
  const core = coreOf(client);
  await checkCompressor();
  await run(
    options.signal,
    "compress()",
    "COMPRESS",
    () => core.run("COMPRESS", (session) => start(client, session), { signal: options.signal }),
  );
}

// The clients whose connection is compressed (COMPRESS is once per connection).
const compressed = new WeakSet<IMAP4>();

// COMPRESS DEFLATE within the queue: nothing read past the tagged reply; on OK the session's
// connection swaps its transport for the compressed one, at that response boundary.
async function start(client: IMAP4, session: Session): Promise<Result> {
  session.addCommand("COMPRESS", ["AUTH", "SELECTED"]);
  session.checkState("COMPRESS");
  if (compressed.has(client)) {
    throw new IMAP4Error("COMPRESS: the connection is already compressed (RFC 4978)");
  }
  if (!session.capabilities.includes("COMPRESS=DEFLATE")) {
    throw new IMAP4Error(
      "COMPRESS=DEFLATE is not supported by the server (not among its capabilities; " +
        "servers such as Dovecot announce it only after login)",
    );
  }
  const argument = { kind: "raw", value: "DEFLATE" } as const;
  const command = await session.start("COMPRESS", [argument], { stopAtCompletion: true });
  const result = await command.reply();
  command.end();
  if (result[0] !== "OK") return result;
  await session.connection.wrapTransport(compressTransport);
  compressed.add(client);
  session.log({ level: "info", event: "compress" });
  return result;
}
