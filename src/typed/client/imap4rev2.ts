/**
 * `enableImap4rev2()`: switches a connection to IMAP4rev2 (RFC 9051) where the server offers it.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { coreOf } from "../../client/core.ts";
import { decodeText } from "../../wire/bytes.ts";
import { run } from "./errors.ts";
import type { SignalOptions } from "./mailboxes.ts";

/** The version `PROTOCOL_VERSION` shows once IMAP4rev2 is in force. */
export const IMAP4REV2 = "IMAP4REV2";

/**
 * @internal Whether the connection speaks IMAP4rev2: `enableImap4rev2()` succeeded (or the
 * caller set `PROTOCOL_VERSION` to it).
 */
export function isImap4rev2(client: IMAP4): boolean {
  return client.PROTOCOL_VERSION === IMAP4REV2;
}

/**
 * Switches the connection to IMAP4rev2 (RFC 9051 section 6.3.1: `ENABLE IMAP4rev2`) when the
 * server advertises both versions, and records it: `M.PROTOCOL_VERSION` becomes
 * `"IMAP4REV2"`. Opt-in: the imaplib methods never send it, and `M.enable("IMAP4rev2")` sends
 * the command without recording it (as CPython's imaplib).
 *
 * What changes (RFC 9051 Appendix E), and how the typed methods follow:
 * - SEARCH is answered with `* ESEARCH` instead of `* SEARCH`: `searchMessages()` and
 *   `searchSummary()` read either.
 * - No `\Recent`: STATUS RECENT is not asked (the `recent` fields stay absent); STATUS
 *   `SIZE` and `DELETED` are available without `STATUS=SIZE`.
 * - Mailbox names are UTF-8 (section 5.1): the typed methods send and read them as UTF-8,
 *   not modified UTF-7.
 * - LIST-EXTENDED, LIST-STATUS and SPECIAL-USE are part of the protocol: `listMailboxes()`
 *   uses them.
 *
 * Call it after login and before selecting a mailbox (ENABLE is valid in the authenticated
 * state only).
 *
 * @param client A logged-in client, no mailbox selected.
 * @param options `signal`.
 * @returns `true` once IMAP4rev2 is in force (also when it already was; then nothing is sent);
 *   `false`, with nothing sent, when the server does not advertise `IMAP4rev2`, or when its
 *   `* ENABLED` response leaves it out.
 * @throws {IMAP4CommandError} on NO or BAD.
 * @throws {IMAP4Error} with a mailbox selected (imaplib's state error).
 * @throws {IMAP4CancelledError} when `signal` fires.
 *
 * @example IMAP4rev2 where available
 * ```ts ignore
 * import { enableImap4rev2, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * if (await enableImap4rev2(M)) console.log(M.PROTOCOL_VERSION); // "IMAP4REV2"
 * ```
 */
export async function enableImap4rev2(
  client: IMAP4,
  options: SignalOptions = {},
): Promise<boolean> {
  if (isImap4rev2(client)) return true;
  if (!client.capabilities.includes(IMAP4REV2)) return false;
  let enabled = false;
  await run(
    options.signal,
    "enableImap4rev2()",
    "ENABLE",
    (o) =>
      coreOf(client).run("ENABLE", async (session) => {
        // ENABLED data of earlier commands may still be stored (imaplib keeps it): only what
        // this command adds counts.
        const before = session.store.peek("ENABLED")?.length ?? 0;
        const result = await session.simple("ENABLE", [{ kind: "raw", value: "IMAP4rev2" }]);
        if (result[0] !== "OK") return result;
        // RFC 5161 section 3.1: ENABLED lists what was enabled; a server that sends none is
        // trusted on its OK (the capability was advertised).
        const listed = session.store.peek("ENABLED")?.slice(before) ?? [];
        enabled = listed.length === 0 ||
          listed.some((d) =>
            d instanceof Uint8Array && /(^|\s)IMAP4REV2(\s|$)/i.test(decodeText(d))
          );
        if (enabled) session.setProtocolVersion(IMAP4REV2);
        return result;
      }, o),
  );
  return enabled;
}
