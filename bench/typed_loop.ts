// Event-loop responsiveness of the typed functions on large answers (no network): an in-memory
// server answers in 64 KiB chunks with 100,000 mailboxes (LIST), a million UIDs (SEARCH), a
// COPYUID of 100,000 scattered UIDs and one of a million, 500,000 threads (THREAD), and 50,000
// FETCH responses to a STORE; and a STORE given a million UIDs as a list to write as a set.
// For each call: its time and the gaps between the ticks of a 5 ms interval timer in the same
// process while it ran (the loop's budget is 20 ms), first call and warm repeats.
//
//   deno run -A bench/typed_loop.ts [REPEATS]
//   bun bench/typed_loop.ts [REPEATS]
//
// Prints a markdown table on stdout.

import {
  addFlags,
  copyMessages,
  IMAP4,
  listMailboxes,
  listMailboxTree,
  searchMessages,
  selectMailbox,
  setFlags,
  threadMessages,
  type Transport,
} from "../mod.ts";
import { type LoopSample as Sample, timedWithTimer as timed } from "./lib/loop_gap.ts";
import { lineServer } from "./lib/replay.ts";

// Deno's arguments, or Bun's and Node's (the same file runs on each).
const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
const args = deno?.args ?? (globalThis as unknown as { process: { argv: string[] } }).process
  .argv.slice(2);
const REPEATS = Number(args[0] ?? 3);
const encoder = new TextEncoder();
const CHUNK_BYTES = 64 * 1024;

const MAILBOXES = 100_000;
const SEARCH_UIDS = 1_000_000;
const SCATTERED_UIDS = 100_000;
const MAPPED_UIDS = 1_000_000;
const STORED = 50_000;
const THREADS = 500_000;
const LISTED_UIDS = 1_000_000;
const LISTED = Array.from({ length: LISTED_UIDS }, (_, i) => 2 * i + 1);

// The answers, built once: untagged lines as one byte array each.
function lines(count: number, line: (i: number) => string): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < count; i++) parts.push(line(i));
  return encoder.encode(parts.join(""));
}
const LIST = lines(
  MAILBOXES,
  (i) => `* LIST (\\HasNoChildren) "." "Folder${i % 100}.Sub${i}"\r\n`,
);
const SEARCH = encoder.encode(
  `* SEARCH ${Array.from({ length: SEARCH_UIDS }, (_, i) => i + 1).join(" ")}\r\n`,
);
const SCATTERED = Array.from({ length: SCATTERED_UIDS }, (_, i) => 2 * i + 1)
  .join(",");
const STORE = lines(
  STORED,
  (i) => `* ${i + 1} FETCH (UID ${i + 1} FLAGS (\\Seen))\r\n`,
);
const THREAD = encoder.encode(
  `* THREAD ${Array.from({ length: THREADS }, (_, i) => `(${i + 1})`).join("")}\r\n`,
);

function chunks(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    out.push(bytes.subarray(at, at + CHUNK_BYTES));
  }
  return out;
}

function server(): Transport {
  const caps = "IMAP4rev1 LITERAL+ UIDPLUS MOVE THREAD=REFERENCES";
  return lineServer(`* OK [CAPABILITY ${caps}] ready\r\n`, (line, { send, close }) => {
    const [tag, name, sub] = line.split(" ", 3);
    // The STORE of a long list (odd UIDs, no ranges): done, nothing to report.
    if (line.length > 1_000_000) return send(`${tag} OK Store completed.\r\n`);
    const command = name.toUpperCase() === "UID" ? `UID ${sub.toUpperCase()}` : name.toUpperCase();
    switch (command) {
      case "CAPABILITY":
        return send(`* CAPABILITY ${caps}\r\n${tag} OK done\r\n`);
      case "LOGIN":
        return send(`${tag} OK [CAPABILITY ${caps}] Logged in\r\n`);
      case "SELECT":
        return send(
          `* ${SEARCH_UIDS} EXISTS\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT ${
            SEARCH_UIDS + 1
          }] ok\r\n`,
          `${tag} OK [READ-WRITE] Select completed.\r\n`,
        );
      case "LIST":
        return send(...chunks(LIST), `${tag} OK List completed.\r\n`);
      case "UID SEARCH":
        return send(...chunks(SEARCH), `${tag} OK Search completed.\r\n`);
      case "UID COPY":
        return line.includes(",")
          ? send(`${tag} OK [COPYUID 7 ${SCATTERED} 5000:${4999 + SCATTERED_UIDS}] Copied.\r\n`)
          : send(
            `${tag} OK [COPYUID 7 1:${MAPPED_UIDS} ${MAPPED_UIDS + 1}:${
              2 * MAPPED_UIDS
            }] Copied.\r\n`,
          );
      case "UID THREAD":
        return send(...chunks(THREAD), `${tag} OK Thread completed.\r\n`);
      case "UID STORE":
        return send(...chunks(STORE), `${tag} OK Store completed.\r\n`);
      case "LOGOUT":
        send("* BYE bye\r\n", `${tag} OK Logout completed.\r\n`);
        return close();
      default:
        return send(`${tag} BAD unexpected\r\n`);
    }
  });
}

const M = await IMAP4.fromTransport(server());
await M.login("bench", "bench");
await selectMailbox(M, "INBOX");

const calls: [string, () => Promise<unknown>][] = [
  [
    `listMailboxes(): ${MAILBOXES.toLocaleString("en")} mailboxes`,
    () => listMailboxes(M),
  ],
  [
    `listMailboxTree(): ${MAILBOXES.toLocaleString("en")} mailboxes`,
    () => listMailboxTree(M),
  ],
  [
    `searchMessages(): ${SEARCH_UIDS.toLocaleString("en")} UIDs in one line`,
    () => searchMessages(M, {}, { uid: true }),
  ],
  [
    `copyMessages(): COPYUID of ${SCATTERED_UIDS.toLocaleString("en")} scattered UIDs`,
    () =>
      copyMessages(
        M,
        Array.from({ length: SCATTERED_UIDS }, (_, i) => 2 * i + 1),
        "Archive",
        {
          uid: true,
        },
      ),
  ],
  [
    `copyMessages(): COPYUID mapping ${MAPPED_UIDS.toLocaleString("en")} UIDs`,
    () => copyMessages(M, `1:${MAPPED_UIDS}`, "Archive", { uid: true }),
  ],
  [
    `threadMessages(): ${THREADS.toLocaleString("en")} threads in one line`,
    () => threadMessages(M, "references", {}, { uid: true }),
  ],
  [
    `addFlags(): ${LISTED_UIDS.toLocaleString("en")} odd UIDs as a list (the set written)`,
    () => addFlags(M, LISTED, ["\\Seen"], { uid: true, silent: true }),
  ],
  [
    `setFlags(): ${STORED.toLocaleString("en")} FETCH responses`,
    () => setFlags(M, `1:${STORED}`, ["\\Seen"], { uid: true }),
  ],
];

const rows: string[] = [];
for (const [name, call] of calls) {
  const samples: Sample[] = [];
  for (let i = 0; i <= REPEATS; i++) samples.push(await timed(call));
  const [first, ...warm] = samples;
  const worst = warm.reduce(
    (a, b) => (b.maxGapMs > a.maxGapMs ? b : a),
    warm[0] ?? first,
  );
  const median = warm.map((s) => s.seconds).sort((a, b) => a - b)[Math.floor(warm.length / 2)];
  rows.push(
    `| ${name} | ${first.seconds.toFixed(3)} | ${first.maxGapMs.toFixed(1)} | ${
      median?.toFixed(3) ?? "-"
    } | ${worst?.maxGapMs.toFixed(1) ?? "-"} |`,
  );
  console.error(`[typed-loop] ${rows[rows.length - 1]}`);
}
await M.logout();

console.log(
  [
    "| call | first s | first: longest 5 ms timer gap ms | warm s (median) | warm: longest gap ms |",
    "| ---- | ------- | -------------------------------- | --------------- | -------------------- |",
    ...rows,
  ].join("\n"),
);
