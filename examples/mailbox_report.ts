/**
 * A report of an account with the typed API: the folder tree with each folder's message and
 * unseen counts, the quota, and the newest messages of one mailbox with decoded senders,
 * subjects and attachment names. Nothing is changed or marked read.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... deno run -A examples/mailbox_report.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `MAILBOX`: the mailbox whose newest messages are listed (default `INBOX`), a Unicode name
 * - `NEWEST`: how many of them (default 5)
 *
 * How: `listMailboxTree()` with `statusItems` (one LIST with LIST-STATUS where the server has it,
 * else a STATUS per folder), `getQuota()`, then `selectMailbox(..., { readOnly: true })` (EXAMINE)
 * and `fetchMessages()` of the newest UIDs with ENVELOPE and BODYSTRUCTURE: names and subjects
 * come decoded (RFC 2047, RFC 2231, modified UTF-7), dates as `Date`s.
 *
 * @module
 */

import {
  type BodyStructure,
  fetchMessages,
  getQuota,
  listMailboxTree,
  type MailboxTreeNode,
  searchMessages,
  selectMailbox,
} from "../mod.ts";
import { connectFromEnv, env, envNumber } from "./_connect.ts";

const mailbox = env("MAILBOX", "INBOX");
const newest = envNumber("NEWEST", 5);

// The file names of a message's attachments (parts with a file name, or disposition attachment).
function attachmentNames(node: BodyStructure | undefined, out: string[] = []): string[] {
  if (!node) return out;
  for (const child of node.childNodes ?? []) attachmentNames(child, out);
  const name = node.dispositionParameters?.filename ?? node.parameters?.name;
  if (!node.childNodes && (name || node.disposition === "attachment")) {
    out.push(name ?? "(no name)");
  }
  return out;
}

function printTree(nodes: MailboxTreeNode[], depth = 0): void {
  for (const node of nodes) {
    const counts = node.status
      ? `${node.status.messages ?? "?"} messages, ${node.status.unseen ?? "?"} unseen`
      : node.disabled
      ? "(no messages of its own)"
      : "";
    const use = node.specialUse ? ` ${node.specialUse}` : "";
    console.log(`${"  ".repeat(depth + 1)}${node.name}${use}  ${counts}`.trimEnd());
    printTree(node.folders, depth + 1);
  }
}

await using M = await connectFromEnv("mailbox_report");

const tree = await listMailboxTree(M, { statusItems: { messages: true, unseen: true } });
console.log("folders:");
printTree(tree.folders);

const quota = await getQuota(M, mailbox);
if (quota?.storage) {
  const { used, limit } = quota.storage;
  const percent = Math.round((100 * used) / limit);
  console.log(`quota: ${Math.round(used / 1024)} of ${Math.round(limit / 1024)} KiB (${percent}%)`);
} else {
  console.log("quota: none reported");
}

const selected = await selectMailbox(M, mailbox, { readOnly: true });
const uids = (await searchMessages(M, {}, { uid: true })).slice(-newest);
console.log(`\n${mailbox}: ${selected.exists} messages, the newest ${uids.length}:`);
for await (
  const msg of fetchMessages(M, uids, { envelope: true, bodyStructure: true, flags: true }, {
    uid: true,
  })
) {
  const from = msg.envelope?.from?.[0];
  const sender = from?.name ? `${from.name} <${from.address}>` : from?.address ?? "?";
  const date = msg.envelope?.date?.toISOString().slice(0, 10) ?? "no date";
  const seen = msg.flags?.has("\\Seen") ? " " : "*";
  console.log(`  ${seen} UID ${msg.uid}  ${date}  ${sender}: ${msg.envelope?.subject ?? ""}`);
  const files = attachmentNames(msg.bodyStructure);
  if (files.length > 0) console.log(`      attachments: ${files.join(", ")}`);
}

await M.logout();
