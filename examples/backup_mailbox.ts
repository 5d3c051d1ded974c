/**
 * Backs up every message of a mailbox as one `.eml` file per message, in bounded memory
 * whatever the size of the mailbox or of its messages, without marking anything as read.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... OUT_DIR=./backup \
 *     deno run -A examples/backup_mailbox.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `MAILBOX`: the mailbox to back up (default `INBOX`)
 * - `OUT_DIR`: where the files go (default `./backup`, created if missing)
 *
 * How: the mailbox is opened read-only (EXAMINE) and one `UID FETCH 1:* (BODY.PEEK[])` runs for
 * the whole of it; `fetchBodies()` hands each message over as a stream as it arrives, and a
 * BYOB reader moves its bytes from the socket into one reused 256 KiB buffer and from there to
 * the file. Files are named after the mailbox's UIDVALIDITY and the message's UID
 * (`<uidvalidity>-<uid>.eml`), so a second run skips what the first one saved: a file is
 * written under a temporary name and renamed once complete, so a broken run leaves no partial
 * `.eml`.
 *
 * @module
 */

import { connectFromEnv, env } from "./_connect.ts";

const mailbox = env("MAILBOX", "INBOX");
const outDir = env("OUT_DIR", "./backup").replace(/(.)\/+$/, "$1");
const text = new TextDecoder();

await using M = await connectFromEnv("backup_mailbox");
const [selected, [count]] = await M.select(mailbox, true); // EXAMINE: flags stay as they are
if (selected !== "OK") throw new Error(`cannot open ${mailbox}`);
const [, [validity]] = M.response("UIDVALIDITY");
const uidValidity = validity instanceof Uint8Array ? text.decode(validity) : "0";
console.log(`${text.decode(count as Uint8Array)} message(s) in ${mailbox}`);
await Deno.mkdir(outDir, { recursive: true });

// What an earlier run saved already.
const have = new Set<string>();
for await (const entry of Deno.readDir(outDir)) {
  if (entry.isFile && entry.name.endsWith(".eml")) have.add(entry.name);
}

let saved = 0, skipped = 0, bytes = 0;
let buffer = new Uint8Array(256 * 1024);
if (text.decode(count as Uint8Array) !== "0") {
  for await (const part of M.fetchBodies("1:*", "BODY.PEEK[]", { uid: true })) {
    // The header is imaplib's `7 (UID 42 BODY[] {2048}`.
    const uid = /UID (\d+)/.exec(text.decode(part.header))?.[1];
    const name = `${uidValidity}-${uid}.eml`;
    if (!uid || have.has(name)) {
      await part.body.cancel(); // drains this message; the FETCH goes on
      skipped++;
      continue;
    }
    const partial = `${outDir}/.${name}.partial`;
    const file = await Deno.open(partial, { write: true, create: true, truncate: true });
    try {
      const reader = part.body.getReader({ mode: "byob" });
      for (;;) {
        const { value, done } = await reader.read(buffer);
        buffer = new Uint8Array(value!.buffer); // a BYOB read hands its buffer back
        if (done) break;
        for (let at = 0; at < value.length;) at += await file.write(value.subarray(at));
      }
    } finally {
      file.close();
    }
    await Deno.rename(partial, `${outDir}/${name}`);
    saved++;
    bytes += part.sizeBytes;
  }
}
console.log(`${saved} message(s) saved (${bytes} bytes), ${skipped} already there, in ${outDir}`);

await M.logout();
