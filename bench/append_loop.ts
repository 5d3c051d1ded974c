// Event-loop responsiveness of APPEND with a message of megabytes (a mail with a 30 MB base64
// attachment, as bytes and as text, CRLF or bare LF line ends; imaplib's append() and the typed appendMessage()):
// each call's time and the longest gap between the ticks of a 5 ms interval timer in the same
// process (the loop's budget is 20 ms), first call and warm repeats. Needs a running test
// Dovecot: `deno task dovecot > fixture.json`, then
//   deno run -A bench/append_loop.ts fixture.json [REPEATS]
//   bun bench/append_loop.ts fixture.json [REPEATS]
// Prints a markdown table on stdout. Each message is expunged after its APPEND (the fixture's
// quota is 100 MiB per user).

import { readFileSync } from "node:fs";
import { appendMessage, IMAP4 } from "../mod.ts";
import { type LoopSample, timedWithTimer } from "./lib/loop_gap.ts";

const args = (globalThis as { Deno?: { args: string[] } }).Deno?.args ??
  (globalThis as unknown as { process: { argv: string[] } }).process.argv.slice(
    2,
  );
const [fixturePath, repeatsArg] = args;
if (!fixturePath) {
  throw new Error("usage: append_loop.ts FIXTURE_JSON [REPEATS]");
}
const { imapPort, users } = JSON.parse(readFileSync(fixturePath, "utf8")) as {
  imapPort: number;
  users: { user: string; password: string }[];
};
const REPEATS = Number(repeatsArg ?? 3);
const MESSAGE_BYTES = 30 * 1024 * 1024;

// A mail with a 30 MB attachment, as mail clients write one: headers, a short UTF-8 text part,
// then the attachment in base64 lines of 76 characters (ASCII, as most of any large message).
const base64Line =
  "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n";
const crlfText = "From: a@example.org\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n" +
  'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n' +
  "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGrüße aus Zürich 😀\r\n" +
  "--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
  base64Line.repeat(Math.floor(MESSAGE_BYTES / base64Line.length)) + "--b--\r\n";
const lfText = crlfText.replaceAll("\r\n", "\n");
const crlfBytes = new TextEncoder().encode(crlfText);
// The texts flat from here on: V8 flattens a string built by concatenation on its first read,
// ~3 ms per MB in one go, which is the caller's string and not the library's work.
new TextEncoder().encode(lfText);

const M = await IMAP4.connect("127.0.0.1", imapPort);
await M.login(users[0].user, users[0].password);
const mailbox = `append-loop-${Date.now()}`;
await M.create(mailbox);
await M.select(mailbox);

// Each call timed with the 5 ms timer ticking; the message it stored expunged after it.
async function timed(call: () => Promise<unknown>): Promise<LoopSample> {
  const sample = await timedWithTimer(call);
  await M.store("1:*", "+FLAGS.SILENT", "\\Deleted");
  await M.expunge();
  return sample;
}

const calls: [string, () => Promise<unknown>][] = [
  ["append(): bytes, CRLF", () => M.append(mailbox, null, null, crlfBytes)],
  ["append(): text, CRLF", () => M.append(mailbox, null, null, crlfText)],
  ["append(): text, bare LF", () => M.append(mailbox, null, null, lfText)],
  ["appendMessage(): bytes", () => appendMessage(M, mailbox, crlfBytes)],
  ["appendMessage(): text", () => appendMessage(M, mailbox, crlfText)],
];

const rows: string[] = [];
for (const [name, call] of calls) {
  const samples: LoopSample[] = [];
  for (let i = 0; i <= REPEATS; i++) samples.push(await timed(call));
  const [first, ...warm] = samples;
  const worst = Math.max(...warm.map((s) => s.maxGapMs));
  const median = warm.map((s) => s.seconds).sort((a, b) => a - b)[Math.floor(warm.length / 2)];
  rows.push(
    `| ${name} | ${first.seconds.toFixed(3)} | ${first.maxGapMs.toFixed(1)} | ${
      median.toFixed(3)
    } | ${worst.toFixed(1)} |`,
  );
}
await M.close();
await M.delete(mailbox);
await M.logout();

console.log(
  `30 MB message (${crlfBytes.length.toLocaleString("en")} bytes with CRLF)\n`,
);
console.log(
  "| call | first s | first: longest 5 ms timer gap ms | warm s (median) | warm: longest gap ms |",
);
console.log(
  "| ---- | ------- | -------------------------------- | --------------- | -------------------- |",
);
for (const row of rows) console.log(row);
