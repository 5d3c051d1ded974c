/**
 * The conversations of a mailbox, threaded by the server: each thread as a tree of senders and
 * subjects, threads with the newest message first, flagged messages with their colour. Nothing
 * is changed or marked read.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... deno run -A examples/conversations.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `MAILBOX`: the mailbox (default `INBOX`), a Unicode name
 * - `DAYS`: only messages of the last so many days (default: all)
 * - `THREADS`: how many threads to show (default 10)
 *
 * How: `threadMessages(M, "references", query, { uid: true })` (THREAD, RFC 5256: by Message-ID,
 * In-Reply-To and References) gives the trees; one `fetchAll()` brings the envelopes and flags
 * of their messages. On a server without THREAD=REFERENCES the messages are listed one by one,
 * by date with `sortMessages()` (SORT), else by UID.
 *
 * @module
 */

import {
  fetchAll,
  type FetchMessage,
  searchMessages,
  selectMailbox,
  sortMessages,
  threadMessages,
  type ThreadNode,
} from "../mod.ts";
import { connectFromEnv, env, envNumber } from "./_connect.ts";

const mailbox = env("MAILBOX", "INBOX");
const days = envNumber("DAYS", 0);
const shown = envNumber("THREADS", 10);
const query = days > 0 ? { since: new Date(Date.now() - days * 86_400_000) } : {};

// The UIDs of a thread, and its newest UID (UIDs grow with arrival).
function uidsOf(node: ThreadNode, out: number[] = []): number[] {
  if (node.id !== null) out.push(node.id);
  for (const child of node.children) uidsOf(child, out);
  return out;
}

function line(message: FetchMessage | undefined): string {
  if (!message) return "(not in the mailbox)";
  const from = message.envelope?.from?.[0];
  const sender = from?.name ?? from?.address ?? "?";
  const date = message.envelope?.date?.toISOString().slice(0, 10) ?? "no date";
  const flag = message.flagColor ? `  [${message.flagColor} flag]` : "";
  return `${date}  ${sender}: ${message.envelope?.subject ?? ""}${flag}`;
}

function print(node: ThreadNode, messages: Map<number, FetchMessage>, depth: number): void {
  const text = node.id === null ? "(a message that is not here)" : line(messages.get(node.id));
  console.log(`${"  ".repeat(depth)}- ${text}`);
  for (const child of node.children) print(child, messages, depth + 1);
}

await using M = await connectFromEnv("conversations");
const selected = await selectMailbox(M, mailbox, { readOnly: true });
let threads: ThreadNode[];
if (M.capabilities.includes("THREAD=REFERENCES")) {
  threads = await threadMessages(M, "references", query, { uid: true });
} else {
  // No threading here: the messages one by one, newest first (by date with SORT, else by UID).
  console.log("(no THREAD=REFERENCES here: messages one by one)");
  const uids = M.capabilities.includes("SORT")
    ? await sortMessages(M, [{ key: "date", reverse: true }], query, { uid: true })
    : (await searchMessages(M, query, { uid: true })).reverse();
  threads = uids.map((id) => ({ id, children: [] }));
}
const newest = (node: ThreadNode) => Math.max(...uidsOf(node));
threads = threads.sort((a, b) => newest(b) - newest(a)).slice(0, shown);

const uids = threads.flatMap((thread) => uidsOf(thread));
const messages = new Map<number, FetchMessage>();
if (uids.length > 0) {
  for (const message of await fetchAll(M, uids, { envelope: true, flags: true }, { uid: true })) {
    messages.set(message.uid!, message);
  }
}
console.log(`${mailbox}: ${selected.exists} messages, ${threads.length} conversations shown`);
for (const thread of threads) print(thread, messages, 1);
await M.logout();
