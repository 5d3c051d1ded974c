/**
 * `mailboxEvents()`: the untagged responses that report changes to the selected mailbox (RFC
 * 3501 section 7.3-7.4, RFC 7162 section 3.2.10) as typed events, imapflow's `exists`,
 * `expunge` and `flags` events.
 *
 * @module
 */

import type { DataItem } from "./data.ts";
import { parseFetchResponse } from "./fetch.ts";
import { numberText } from "./sequence_set.ts";
import { latin1 } from "./text.ts";
import { parseVanished } from "./vanished.ts";
import type { FlagColor } from "./flag_color.ts";

/**
 * A change to the selected mailbox, as the server reported it:
 *
 * - `exists`: the mailbox now holds `count` messages (`* n EXISTS`);
 * - `expunge`: message `seq` was removed; the numbers of those after it went down by one
 *   (`* n EXPUNGE`);
 * - `vanished`: the messages with these UIDs were removed (`* VANISHED`, with QRESYNC enabled);
 *   `earlier` for the ones removed before the command that reported them;
 * - `flags`: message `seq` now has these flags (a FETCH with FLAGS), with its UID and
 *   mod-sequence when the server sent them.
 *
 * @example
 * ```ts
 * import type { MailboxEvent } from "@imaplib/imaplib";
 * const event: MailboxEvent = { type: "flags", seq: 3, uid: 41, flags: new Set(["\\Seen"]) };
 * console.assert(event.type === "flags" && event.flags.has("\\Seen"));
 * ```
 */
export type MailboxEvent =
  | { type: "exists"; count: number }
  | { type: "expunge"; seq: number }
  | { type: "vanished"; uids: number[]; earlier: boolean }
  | {
    type: "flags";
    seq: number;
    uid?: number;
    flags: Set<string>;
    flagColor?: FlagColor;
    modseq?: bigint;
  };

/**
 * The events of one untagged response (`[type, data]`, as `M.idle()` and `fetchIter()` yield
 * them): EXISTS, EXPUNGE, VANISHED, and FETCH responses that carry FLAGS. Other responses
 * (RECENT, OK with a response code, a FETCH without FLAGS) give none.
 *
 * Pure and synchronous.
 *
 * @param response The response's type and imaplib data.
 * @returns Its events, in order; `[]` for a response that reports no change.
 * @throws {TypedParseError} for a FETCH or VANISHED response that cannot be read.
 * @throws {RangeError} for a VANISHED set of more than a million UIDs.
 *
 * @example Flags changed by another client, seen during IDLE
 * ```ts
 * import { mailboxEvents } from "@imaplib/imaplib";
 * const b = (s: string) => new TextEncoder().encode(s);
 * const [event] = mailboxEvents(["FETCH", [b("3 (UID 41 FLAGS (\\Seen \\Flagged))")]]);
 * console.assert(event.type === "flags" && event.uid === 41 && event.flags.has("\\Flagged"));
 * console.assert(mailboxEvents(["EXISTS", [b("12")]])[0].type === "exists");
 * ```
 */
export function mailboxEvents(response: [type: string, data: DataItem[]]): MailboxEvent[] {
  const [type, data] = response;
  switch (type.toUpperCase()) {
    case "EXISTS":
    case "EXPUNGE": {
      const events: MailboxEvent[] = [];
      for (const datum of data) {
        const n = numberText(datum instanceof Uint8Array ? latin1(datum).trim() : "");
        if (n === undefined) continue;
        events.push(
          type.toUpperCase() === "EXISTS"
            ? { type: "exists", count: n }
            : { type: "expunge", seq: n },
        );
      }
      return events;
    }
    case "VANISHED": {
      const { earlier, now } = parseVanished(data);
      const events: MailboxEvent[] = [];
      if (earlier.length > 0) events.push({ type: "vanished", uids: earlier, earlier: true });
      if (now.length > 0) events.push({ type: "vanished", uids: now, earlier: false });
      return events;
    }
    case "FETCH": {
      const message = parseFetchResponse(data);
      if (message.flags === undefined) return [];
      const event: MailboxEvent = { type: "flags", seq: message.seq, flags: message.flags };
      if (message.uid !== undefined) event.uid = message.uid;
      if (message.flagColor !== undefined) event.flagColor = message.flagColor;
      if (message.modseq !== undefined) event.modseq = message.modseq;
      return [event];
    }
    default:
      return [];
  }
}
