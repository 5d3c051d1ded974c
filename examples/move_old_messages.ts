/**
 * Moves messages older than `DAYS` days from one mailbox to another (an archive), by their
 * INTERNALDATE (the date the server received them), and prints what it moved.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... DAYS=90 \
 *     deno run -A examples/move_old_messages.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `DAYS`: move messages received before this many days ago (default 30)
 * - `FROM_MAILBOX`: where to look (default `INBOX`)
 * - `TO_MAILBOX`: where to move them (default `Archive`; created if missing)
 * - `NO_MOVE=1`: behave as if the server lacked MOVE, to try the COPY/STORE/EXPUNGE fallback
 *
 * How: `UID SEARCH BEFORE <date>` finds the messages; `UID MOVE` (RFC 6851) moves them when the
 * server has MOVE. Otherwise they are copied (`UID COPY`), flagged `\Deleted` and expunged:
 * with `UID EXPUNGE` (RFC 4315, UIDPLUS) only those messages, without UIDPLUS a plain EXPUNGE,
 * which also removes any other message already flagged `\Deleted` in that mailbox.
 * UIDs are used throughout, since message sequence numbers shift as messages go away.
 *
 * @module
 */

import { Internaldate2tuple, type Result } from "../mod.ts";
import { connectFromEnv, env, envNumber } from "./_connect.ts";
import { decodeEncodedWords, headerFields } from "./_mime.ts";

const days = envNumber("DAYS", 30);
const from = env("FROM_MAILBOX", "INBOX");
const to = env("TO_MAILBOX", "Archive");
const noMove = Deno.env.get("NO_MOVE") === "1";
if (from === to) throw new Error("FROM_MAILBOX and TO_MAILBOX must differ");

const text = new TextDecoder();

// IMAP's date (RFC 3501 `date`): dd-Mon-yyyy with English month names, whatever the locale.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
function imapDate(d: Date): string {
  return `${String(d.getDate()).padStart(2, "0")}-${MONTHS[d.getMonth()]}-${d.getFullYear()}`;
}

// Sorted UIDs as a compact set: [1, 2, 3, 7] -> "1:3,7" (keeps the command line short).
function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}:${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(",");
}

// Throws unless the server said OK; the message carries the server's text.
function ok([type, data]: Result, what: string): Result {
  if (type !== "OK") {
    const detail = data.map((d) => (d instanceof Uint8Array ? text.decode(d) : "")).join(" ");
    throw new Error(`${what} failed: ${type} ${detail}`);
  }
  return [type, data];
}

await using M = await connectFromEnv("move_old_messages");

// SEARCH BEFORE compares dates only (no time, server's time zone): "received before that day".
const cutoff = new Date(Date.now() - days * 24 * 60 * 60 * 1000);
const before = imapDate(cutoff);

// The target must exist for MOVE/COPY; STATUS answers NO for a mailbox that does not.
const [exists] = await M.status(to, "(MESSAGES)");
if (exists !== "OK") {
  ok(await M.create(to), `CREATE ${to}`);
  console.log(`created mailbox ${to}`);
}

ok(await M.select(from), `SELECT ${from}`);
const [, [found]] = ok(await M.uid("SEARCH", "BEFORE", before), "UID SEARCH");
const uids = (found instanceof Uint8Array ? text.decode(found) : "")
  .split(" ").filter(Boolean).map(Number);

if (uids.length === 0) {
  console.log(`no messages in ${from} received before ${before}`);
} else {
  const set = uidSet(uids);

  // Say what is about to move: date received and subject of each message.
  console.log(`${uids.length} message(s) in ${from} received before ${before}:`);
  const [, fetched] = ok(
    await M.uid("FETCH", set, "(UID INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])"),
    "UID FETCH",
  );
  for (const item of fetched) {
    if (!Array.isArray(item)) continue; // the ")" closing each message's items
    const [meta, header] = item;
    const uid = /UID (\d+)/.exec(text.decode(meta))?.[1] ?? "?";
    const date = Internaldate2tuple(meta); // parses `INTERNALDATE "01-Jan-2020 00:00:00 +0000"`
    const subject = decodeEncodedWords(headerFields(header).subject ?? "(no subject)");
    console.log(`  UID ${uid.padEnd(6)} ${date?.toISOString().slice(0, 10) ?? "?"}  ${subject}`);
  }

  let how: string;
  if (M.capabilities.includes("MOVE") && !noMove) {
    ok(await M.uid("MOVE", set, to), "UID MOVE");
    how = "UID MOVE";
  } else {
    ok(await M.uid("COPY", set, to), "UID COPY");
    ok(await M.uid("STORE", set, "+FLAGS.SILENT", "(\\Deleted)"), "UID STORE");
    if (M.capabilities.includes("UIDPLUS")) {
      ok(await M.uid("EXPUNGE", set), "UID EXPUNGE");
      how = "UID COPY + STORE \\Deleted + UID EXPUNGE";
    } else {
      ok(await M.expunge(), "EXPUNGE");
      how = "UID COPY + STORE \\Deleted + EXPUNGE";
    }
  }
  console.log(`moved ${uids.length} message(s) from ${from} to ${to} (${how})`);
}

await M.logout();
