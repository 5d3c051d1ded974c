/**
 * `watchMailbox()`: the selected mailbox's changes as typed events while the client IDLEs
 * (RFC 2177), imapflow's `exists`, `expunge` and `flags` events as an async iterable.
 *
 * @module
 */

import type { IMAP4 } from "../../client/imap4.ts";
import { type MailboxEvent, mailboxEvents } from "../mailbox_events.ts";

/**
 * Options of {@linkcode watchMailbox}.
 *
 * @example Ten minutes between IDLE restarts, as Gmail wants
 * ```ts
 * import type { WatchMailboxOptions } from "@imaplib/imaplib";
 * const options: WatchMailboxOptions = { idleRestartSeconds: 9 * 60, watchdogSeconds: 10 * 60 };
 * console.assert(options.idleRestartSeconds! < options.watchdogSeconds!);
 * ```
 */
export interface WatchMailboxOptions {
  /** Ends the watch: the loop then ends without error, and DONE is sent. */
  signal?: AbortSignal;
  /**
   * Seconds between IDLE restarts (DONE, then IDLE again), unseen by the loop: RFC 2177 asks
   * for at most 29 minutes, and some servers (Gmail) drop IDLE after about 10. `Infinity`: no
   * restarts. @default {1500}
   */
  idleRestartSeconds?: number;
  /**
   * Seconds without a byte from the server after which the connection is taken for dead:
   * closed, and the loop throws `IMAP4TimeoutError` (see `IdleOptions.watchdogSeconds`). No
   * watchdog if undefined.
   */
  watchdogSeconds?: number;
}

/**
 * Watches the selected mailbox: IDLEs (RFC 2177) and yields each change the server reports as a
 * {@linkcode MailboxEvent}: new messages (`exists`), removed ones (`expunge`, or `vanished` with
 * QRESYNC), changed flags (`flags`). imapflow's `exists`, `expunge` and `flags` events, as a
 * loop: the events come in the server's order, and nothing is missed between them.
 *
 * IDLE is restarted every `idleRestartSeconds` without the loop seeing it. The loop ends
 * without error when `signal` fires or the server ends IDLE itself, and DONE is sent when it
 * ends or is left (`break`); the client is then ready for other commands. While it runs, other
 * commands on the client fail at once (as during `M.idle()`): do them after the loop, or on a
 * second connection.
 *
 * @param client A client with a mailbox selected, on a server that advertises IDLE.
 * @param options `signal`, `idleRestartSeconds`, `watchdogSeconds`.
 * @returns An async iterable of events.
 * @throws {IMAP4Error} "Server does not support IMAP4 IDLE" without the capability, or when the
 *   server refuses IDLE.
 * @throws {IMAP4Abort} on BYE or a broken connection; `IMAP4TimeoutError` from the
 *   watchdog.
 * @throws {TypedParseError} for a FETCH or VANISHED response that cannot be read, and
 *   `RangeError` for a VANISHED set of more than a million UIDs (the watch then ends, DONE
 *   sent).
 *
 * @example New mail and flag changes in INBOX, until the process is asked to stop
 * ```ts ignore
 * import { IMAP4, selectMailbox, watchMailbox } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * await M.login("alice", "secret");
 * await selectMailbox(M, "INBOX");
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGINT", () => stop.abort());
 * for await (const event of watchMailbox(M, { signal: stop.signal })) {
 *   if (event.type === "exists") console.log(`${event.count} messages now`);
 *   if (event.type === "flags") console.log(`message ${event.seq}:`, [...event.flags]);
 * }
 * ```
 */
export async function* watchMailbox(
  client: IMAP4,
  options: WatchMailboxOptions = {},
): AsyncGenerator<MailboxEvent, void, undefined> {
  const { signal, idleRestartSeconds = 25 * 60, watchdogSeconds } = options;
  if (signal?.aborted) return;
  const idler = await client.idle({
    signal,
    idleRestartSeconds: Number.isFinite(idleRestartSeconds) ? idleRestartSeconds : undefined,
    watchdogSeconds,
  });
  // try/finally rather than `await using`: the Node 20 build of the library cannot parse it.
  try {
    for await (const response of idler) yield* mailboxEvents(response);
  } finally {
    await idler[Symbol.asyncDispose]();
  }
}
