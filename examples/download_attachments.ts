/**
 * Saves the attachments of every unseen message in a mailbox to a directory, without marking
 * anything as read.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... OUT_DIR=./attachments \
 *     deno run -A examples/download_attachments.ts
 *
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and
 *
 * - `MAILBOX`: the mailbox to read (default `INBOX`)
 * - `OUT_DIR`: where the files go (default `./attachments`, created if missing)
 *
 * How: the mailbox is opened read-only (EXAMINE) and each message is fetched with `BODY.PEEK[]`,
 * so its `\Seen` flag stays as it was. `examples/_mime.ts` walks the MIME tree (nested
 * multiparts; base64 and quoted-printable; RFC 2231 and RFC 2047 file names). File names are
 * sanitised (no directories, no `..`), and an existing file is never overwritten: `a.pdf`
 * becomes `a-1.pdf`, `a-2.pdf`, ...
 *
 * @module
 */

import { connectFromEnv, env } from "./_connect.ts";
import { decodeEncodedWords, findAttachments, parseMessage, safeFilename } from "./_mime.ts";

const mailbox = env("MAILBOX", "INBOX");
const outDir = env("OUT_DIR", "./attachments").replace(/(.)\/+$/, "$1");
const text = new TextDecoder();

/** Writes `data` as `name` in `dir`, or as `name-1`, `name-2`... if taken; returns the path. */
async function saveNew(dir: string, name: string, data: Uint8Array): Promise<string> {
  const dot = name.lastIndexOf(".");
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  for (let n = 0;; n++) {
    const path = `${dir}/${n === 0 ? name : `${stem}-${n}${ext}`}`;
    try {
      // createNew: fails if the file exists, atomically (no check-then-write race).
      await Deno.writeFile(path, data, { createNew: true });
      return path;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    }
  }
}

await using M = await connectFromEnv("download_attachments");
const [selected, [why]] = await M.select(mailbox, true); // EXAMINE: nothing can change flags
if (selected !== "OK") {
  throw new Error(`cannot open ${mailbox}: ${why instanceof Uint8Array ? text.decode(why) : ""}`);
}

const [, [found]] = await M.uid("SEARCH", "UNSEEN");
const uids = (found instanceof Uint8Array ? text.decode(found) : "").split(" ").filter(Boolean);
console.log(`${uids.length} unseen message(s) in ${mailbox}`);
await Deno.mkdir(outDir, { recursive: true });

let saved = 0;
for (const uid of uids) {
  // One message at a time, so memory holds one message, not the whole mailbox.
  const [, data] = await M.uid("FETCH", uid, "(BODY.PEEK[])");
  // The message is the literal of the first [b'7 (UID 7 BODY[] {2048}', bytes] item.
  const item = data.find((d): d is [Uint8Array, Uint8Array] => Array.isArray(d));
  if (!item) continue; // expunged meanwhile
  const message = parseMessage(item[1]);
  const title = decodeEncodedWords(message.headers.subject ?? "(no subject)");
  for (const attachment of findAttachments(message)) {
    const path = await saveNew(outDir, safeFilename(attachment.filename), attachment.data);
    console.log(
      `saved ${path} (${attachment.data.length} bytes, ${attachment.type}) ` +
        `from UID ${uid} "${title}"`,
    );
    saved++;
  }
}
console.log(`${saved} attachment(s) saved to ${outDir}`);

await M.logout();
