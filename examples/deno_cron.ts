/**
 * Checks a mailbox for unseen mail every 5 minutes with `Deno.cron` (locally, or on Deno Deploy,
 * which runs the schedule for you). Each run connects, logs in, counts UNSEEN in INBOX and logs
 * out; a failed run is logged and the next one tries again.
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... \
 *     deno run -A --unstable-cron examples/deno_cron.ts
 *
 * `Deno.cron` is unstable: it needs `--unstable-cron` (or `"unstable": ["cron"]` in deno.json).
 * Environment: the connection variables of `examples/_connect.ts` (IMAP_HOST, IMAP_PORT,
 * IMAP_USER, IMAP_PASSWORD, IMAP_TLS=starttls|ssl, IMAP_CA_FILE), and `MAILBOX` (default
 * `INBOX`).
 *
 * @module
 */

import { connectFromEnv, env } from "./_connect.ts";

const mailbox = env("MAILBOX", "INBOX");
const text = new TextDecoder();

/** One run: the number of unseen messages in `mailbox`. */
export async function countUnseen(): Promise<number> {
  await using M = await connectFromEnv("deno_cron"); // LOGOUT when this scope ends
  const [selected] = await M.select(mailbox, true); // read-only: no \Recent or \Seen changes
  if (selected !== "OK") throw new Error(`cannot select ${mailbox}`);
  const [, [ids]] = await M.search(null, "UNSEEN"); // b"1 4 7", or b"" when none
  return text.decode(ids as Uint8Array).split(" ").filter(Boolean).length;
}

if (import.meta.main) {
  // Minute 0, 5, 10, ... of every hour (UTC). Runs never overlap: a slow run delays the next.
  Deno.cron("check mail", "*/5 * * * *", async () => {
    try {
      console.log(`${new Date().toISOString()} ${mailbox}: ${await countUnseen()} unseen`);
    } catch (error) {
      console.error(`${new Date().toISOString()} check failed: ${error}`);
    }
  });
}
