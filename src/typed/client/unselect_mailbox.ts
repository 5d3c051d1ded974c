/**
 * `unselectMailbox()`: leave the selected mailbox without expunging anything (UNSELECT, RFC
 * 3691), with a safe fallback for servers without it.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { checkSignal, run, typedError } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

/**
 * How {@linkcode unselectMailbox} left the mailbox: `"UNSELECT"` (RFC 3691), `"CLOSE"` (only
 * for a mailbox selected read-only, where CLOSE removes nothing), `"EXAMINE"` (of a mailbox
 * that does not exist: the failed EXAMINE leaves no mailbox selected), or `null` when none was
 * selected.
 *
 * @example
 * ```ts
 * import type { UnselectMethod } from "@imaplib/imaplib";
 * const how: UnselectMethod = "UNSELECT";
 * console.assert(how !== null);
 * ```
 */
export type UnselectMethod = "UNSELECT" | "CLOSE" | "EXAMINE" | null;

/**
 * Leaves the selected mailbox for state AUTH without expunging: `\Deleted` messages stay
 * (CLOSE would remove them, RFC 3501 section 6.4.2). Runs imaplib's `unselect()` when the server
 * advertises `UNSELECT` (RFC 3691, part of IMAP4rev2). Without it:
 *
 * - a mailbox selected read-only (EXAMINE, `IMAP4.is_readonly`) is left with CLOSE, which
 *   removes nothing from a read-only mailbox (RFC 3501 section 6.4.2);
 * - otherwise the client EXAMINEs a mailbox name that does not exist: the server answers NO,
 *   and a failed SELECT or EXAMINE leaves no mailbox selected (RFC 3501 section 6.3.1). Should
 *   the name exist after all, it is now selected read-only, and CLOSE leaves it safely.
 *
 * Nothing is sent when no mailbox is selected.
 *
 * @param client A logged-in client.
 * @param options `signal`.
 * @returns How the mailbox was left; see {@linkcode UnselectMethod}.
 * @throws {IMAP4CommandError} when the server refuses UNSELECT or CLOSE (the client's state is
 *   AUTH all the same, as imaplib leaves it).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example Leaving INBOX before ENABLE, which needs no mailbox selected
 * ```ts ignore
 * import { IMAP4, selectMailbox, unselectMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await selectMailbox(M, "INBOX");
 * await unselectMailbox(M); // "\Deleted" messages are still there
 * await M.enable("QRESYNC");
 * ```
 */
export async function unselectMailbox(
  client: IMAP4,
  options: SignalOptions = {},
): Promise<UnselectMethod> {
  const { signal } = options;
  const method = "unselectMailbox()";
  if (client.state !== "SELECTED") return null;
  if (client.capabilities.includes("UNSELECT")) {
    await run(signal, method, "UNSELECT", (o) => client.unselect(o));
    return "UNSELECT";
  }
  if (client.is_readonly) {
    await run(signal, method, "CLOSE", (o) => client.close(o));
    return "CLOSE";
  }
  const nowhere = `"imaplib-unselect-${crypto.randomUUID()}"`;
  checkSignal(signal, method);
  let type: string;
  try {
    [type] = await client.select(nowhere, true, { signal }); // NO: state AUTH, as imaplib's
  } catch (error) {
    throw typedError(error, "EXAMINE", method);
  }
  checkSignal(signal, method);
  if (type === "OK") await run(signal, method, "CLOSE", (o) => client.close(o));
  return "EXAMINE";
}
