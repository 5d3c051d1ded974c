/**
 * `appendMessage()`: APPEND by Unicode mailbox name, the new UID from APPENDUID.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
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
 * MapCRLF): a message with CRLF line ends is stored byte for byte.
 *
 * @param client A logged-in client.
 * @param path The destination's Unicode name.
 * @param message The RFC 5322 message: bytes, or text sent as UTF-8.
 * @param options `flags`, `internalDate`, `signal`.
 * @returns `{ uidValidity, uid }`, or `{}` without APPENDUID.
 * @throws {IMAP4CommandError} on NO or BAD (e.g. `code.code === "TRYCREATE"` when the mailbox
 *   does not exist, `"OVERQUOTA"`).
 * @throws {IMAP4ArgumentError} for a flag that is not `\Atom` or an atom.
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
  const [, data] = await run(
    signal,
    "appendMessage()",
    "APPEND",
    () => client.append(name, flagArg, internalDate ?? null, message),
  );
  // The tagged OK's text: `[APPENDUID 38505 3955] APPEND completed`.
  const text = data[data.length - 1];
  const code = text instanceof Uint8Array ? parseResponseCodeTyped(text) : null;
  return code?.code === "APPENDUID" && code.uid !== undefined
    ? { uidValidity: code.uidValidity, uid: code.uid }
    : {};
}
