/**
 * Watches a mailbox with IMAP4 IDLE (RFC 2177) and prints the sender and subject of each new
 * message as it arrives. Ctrl-C stops it cleanly (IDLE ended with DONE, then LOGOUT).
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... deno run -A examples/watch_mailbox.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `MAILBOX`: the mailbox to watch (default `INBOX`)
 * - `IDLE_MINUTES`: re-issue IDLE after this many minutes (default 29, the most RFC 2177
 *   allows before a server may drop the connection; fractions allowed, e.g. `0.05` = 3 s)
 * - `MAX_EVENTS`: stop after this many new messages (default: run until Ctrl-C)
 *
 * How: new messages are found by UID, not by message number: the watcher remembers the next
 * UID it has not shown yet (UIDNEXT at the start) and, whenever the server reports `EXISTS`,
 * ends IDLE and fetches the headers of `UID <next>:*`. That stays right when messages are
 * expunged meanwhile, and when several arrive at once.
 *
 * @module
 */

import { connectFromEnv, env, envNumber } from "./_connect.ts";
import { decodeEncodedWords, headerFields } from "./_mime.ts";

const mailbox = env("MAILBOX", "INBOX");
const idleSeconds = envNumber("IDLE_MINUTES", 29) * 60;
const idleShown = `${Math.round(idleSeconds * 1000) / 1000} s`; // "6 s", not "6.000000000000001 s"
const maxEvents = envNumber("MAX_EVENTS", Infinity);
const text = new TextDecoder();

// Ctrl-C (SIGINT) aborts this; the idler's iteration then ends and the loop below stops.
const stop = new AbortController();
const onSigint = () => {
  console.log("interrupted, stopping");
  stop.abort();
};
Deno.addSignalListener("SIGINT", onSigint);

try {
  await using M = await connectFromEnv("watch_mailbox");
  const [selected, [count]] = await M.select(mailbox);
  if (selected !== "OK") throw new Error(`cannot select ${mailbox}`);

  // The first UID not shown yet: UIDNEXT from SELECT's response codes, else the highest + 1.
  const [, [uidnext]] = M.response("UIDNEXT");
  let next = uidnext instanceof Uint8Array ? Number(text.decode(uidnext)) : NaN;
  if (!Number.isSafeInteger(next)) {
    const [, [all]] = await M.uid("SEARCH", "ALL");
    const uids = (all instanceof Uint8Array ? text.decode(all) : "").split(" ").map(Number);
    next = Math.max(0, ...uids.filter(Number.isSafeInteger)) + 1;
  }
  console.log(
    `watching ${mailbox} (${text.decode(count as Uint8Array)} messages), ` +
      `IDLE re-issued every ${idleShown}; Ctrl-C to stop`,
  );

  let shown = 0;
  let pending = false; // EXISTS arrived outside IDLE: fetch again before idling
  M.response("EXISTS"); // SELECT's count, already known: drop it from the untagged store
  while (!stop.signal.aborted && shown < maxEvents) {
    if (!pending) {
      let news = false;
      {
        // Resolves once the server accepted IDLE. Leaving this block sends DONE and waits for
        // the server's reply, after which other commands may run again.
        await using idler = await M.idle({ duration: idleSeconds, signal: stop.signal });
        console.log(`idling on ${mailbox}...`);
        for await (const [type] of idler) {
          if (type === "EXISTS") { // the mailbox grew (EXPUNGE, FETCH flag changes: ignored)
            news = true;
            break;
          }
        }
      }
      if (!news) {
        if (!stop.signal.aborted) console.log(`IDLE ran ${idleShown}, no news; re-issuing`);
        continue;
      }
    }
    // EXISTS responses that came after the one above wait in the untagged store; the FETCH
    // below covers them.
    M.response("EXISTS");

    const items = "(UID BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)])";
    const [, data] = await M.uid("FETCH", `${next}:*`, items);
    for (const item of data) {
      if (!Array.isArray(item)) continue; // the ")" after each message
      const uid = Number(/UID (\d+)/.exec(text.decode(item[0]))?.[1]);
      // `UID n:*` always matches the last message, even when its UID is below n: skip it then.
      if (!(uid >= next) || shown >= maxEvents) continue;
      next = uid + 1;
      shown++;
      const h = headerFields(item[1]);
      const from = decodeEncodedWords(h.from ?? "?");
      const subject = decodeEncodedWords(h.subject ?? "(no subject)");
      console.log(`new message UID ${uid}: from ${from}: ${subject}`);
    }
    // Mail that arrived during the FETCH was announced in its response, not in an IDLE.
    pending = M.response("EXISTS")[1][0] !== null;
    // Nothing here reads these; drop them so that a long-running watcher does not pile them up.
    for (const name of ["RECENT", "EXPUNGE", "FETCH"]) M.response(name);
  }
  if (shown >= maxEvents) console.log(`${shown} new message(s) seen, stopping`);

  const [bye] = await M.logout();
  console.log(`logged out (${bye})`);
} finally {
  Deno.removeSignalListener("SIGINT", onSigint);
}
