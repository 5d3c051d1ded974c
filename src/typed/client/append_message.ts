/**
 * `appendMessage()`: APPEND by Unicode mailbox name, the new UID from APPENDUID.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { IMAP4ArgumentError } from "../../errors.ts";
import { Time2Internaldate } from "../../functions.ts";
import { parseResponseCodeTyped } from "../response_code.ts";
import { flagList, mailboxArg } from "./arguments.ts";
import { run } from "./errors.ts";

/**
 * Options of {@linkcode appendMessage}.
 *
 * @example Seen, with the original date
 * ```ts
 * import type { AppendMessageOptions } from "@imaplib/imaplib";
 * const options: AppendMessageOptions = { flags: ["\\Seen"], internalDate: new Date(0) };
 * console.assert(options.flags?.[0] === "\\Seen");
 * ```
 */
export interface AppendMessageOptions {
  /** Flags to set on the message, e.g. `["\\Seen", "$Forwarded"]`. @default {[]} */
  flags?: readonly string[];
  /** INTERNALDATE to give it (second precision, sent with its zone); the server's time if unset. */
  internalDate?: Date;
  /**
   * Send the message as a BINARY literal8, `~{N}` (RFC 3516 section 4.3), which may hold any
   * byte, NUL included (a body part with `Content-Transfer-Encoding: binary`). The server must
   * advertise `BINARY`. Unset: literal8 only when the message contains a NUL byte; `true`:
   * always; `false`: never (a NUL byte is then refused). A literal8 message is sent byte for
   * byte, bare CR and LF included (no MapCRLF): its header lines must end in CRLF.
   * @default {undefined}
   */
  binary?: boolean;
  /** Cancels the append; see {@linkcode IMAP4CancelledError}. */
  signal?: AbortSignal;
}

/**
 * Where an appended message went: APPENDUID (RFC 4315 section 3), when the server sends it
 * (it advertises `UIDPLUS`); otherwise `{}`.
 *
 * @example The UID a server with UIDPLUS reported
 * ```ts
 * import type { AppendResult } from "@imaplib/imaplib";
 * const result: AppendResult = { uidValidity: 1713200000, uid: 42 };
 * console.assert(result.uid === 42);
 * ```
 */
export interface AppendResult {
  /** The destination's UIDVALIDITY. */
  uidValidity?: number;
  /** The new message's UID. */
  uid?: number;
}

/**
 * Appends a message to a mailbox by its Unicode name (APPEND, RFC 3501 section 6.3.11) and
 * returns its UID when the server reports it (APPENDUID, RFC 4315): imapflow's `append()`.
 * Runs imaplib's `append()`, so bare CR and LF in the message become CRLF (imaplib's
 * MapCRLF): a message with CRLF line ends is stored byte for byte. A message with a NUL byte
 * (or any with `binary: true`) goes as a BINARY literal8 instead (RFC 3516 section 4.3,
 * `APPEND path ~{N}`), sent as it is, when the server advertises `BINARY`; without BINARY such
 * a message is refused before anything is sent.
 *
 * @param client A logged-in client.
 * @param path The destination's Unicode name.
 * @param message The RFC 5322 message: bytes, or text sent as UTF-8.
 * @param options `flags`, `internalDate`, `binary`, `signal`.
 * @returns `{ uidValidity, uid }`, or `{}` without APPENDUID.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "TRYCREATE"` when the mailbox
 *   does not exist, `"OVERQUOTA"`).
 * @throws {IMAP4ArgumentError} for a flag that is not `\Atom` or an atom; for a message with
 *   a NUL byte (or `binary: true`) when the server has no `BINARY`, or with `binary: false`.
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Saving a draft and remembering its UID
 * ```ts ignore
 * import { appendMessage, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * const { uid } = await appendMessage(M, "Entwürfe", "Subject: hi\r\n\r\nhello\r\n", {
 *   flags: ["\\Draft"],
 * });
 * ```
 */
export async function appendMessage(
  client: IMAP4,
  path: string,
  message: string | Uint8Array,
  options: AppendMessageOptions = {},
): Promise<AppendResult> {
  const { flags = [], internalDate, signal } = options;
  const name = mailboxArg(client, path);
  const flagArg = flags.length > 0 ? flagList(flags) : null;
  // Encoded within the command's turn, a part at a time (src/client/message.ts): only the NUL
  // check reads it here.
  const nul = nulOffset(message);
  const binary = options.binary ?? nul >= 0;
  const nulText = `the message has NUL at byte ${nul}, which only a BINARY literal8 can carry`;
  if (binary && !client.capabilities.includes("BINARY")) {
    throw new IMAP4ArgumentError(
      `appendMessage(): ${nul >= 0 ? nulText : "binary: true"}, and the server does not ` +
        "advertise BINARY (RFC 3516)",
    );
  }
  if (!binary && nul >= 0) {
    throw new IMAP4ArgumentError(`appendMessage(): ${nulText}, and binary is false`);
  }
  const [, data] = await run(
    signal,
    "appendMessage()",
    "APPEND",
    (o) =>
      binary
        // Through the command core: imaplib's append() has no literal8 (and maps CRLF).
        ? coreOf(client).append(
          [
            { kind: "raw", value: name },
            { kind: "raw", value: flagArg },
            { kind: "raw", value: internalDate ? Time2Internaldate(internalDate) : null },
          ],
          message,
          true,
          o,
        )
        : client.append(name, flagArg, internalDate ?? null, message, o),
  );
  // The tagged OK's text: `[APPENDUID 38505 3955] APPEND completed`.
  const text = data[data.length - 1];
  const code = text instanceof Uint8Array ? parseResponseCodeTyped(text) : null;
  return code?.code === "APPENDUID" && code.uid !== undefined
    ? { uidValidity: code.uidValidity, uid: code.uid }
    : {};
}

// The byte offset of the first NUL in the message as UTF-8, -1 for none.
function nulOffset(message: string | Uint8Array): number {
  if (typeof message !== "string") return message.indexOf(0);
  const at = message.indexOf("\0");
  return at < 0 ? at : new TextEncoder().encode(message.slice(0, at)).length;
}
