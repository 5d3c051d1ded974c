// Prints the subjects of the newest messages of a mailbox, then (optionally) waits with IDLE
// for new mail. Plain JavaScript for Node 20 or later, on the package built from a checkout:
//
//   deno task build   # once: dist/ (ESM .js, .d.ts, package.json)
//   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... node examples/node/fetch_subjects.mjs
//
// Without Deno, `npx -y deno@2.9.6 task build` does the same. In a project of your own,
// `npm install /path/to/checkout/dist` and import from "@imaplib/imaplib" instead of
// "../../dist/mod.js".
//
// Environment:
//
// - IMAP_HOST (default localhost), IMAP_PORT (143, or 993 with IMAP_TLS=ssl)
// - IMAP_USER, IMAP_PASSWORD (required)
// - IMAP_TLS: starttls (default: STARTTLS before anything else is sent) or ssl (implicit TLS)
// - IMAP_CA_FILE: PEM of a private CA to verify the server against (optional; Node's roots
//   otherwise). Certificates are always verified.
// - MAILBOX (default INBOX), COUNT: how many of the newest messages (default 10)
// - IDLE_SECONDS: then IDLE this long and print what the server reports (default 0: no IDLE)
//
// Node 20 cannot parse `await using`, so what `await using` would do at scope exit is done in
// `finally`: `idler.done()` ends IDLE (DONE, then the tagged reply) and `logout()` sends LOGOUT
// and closes the connection. The mailbox is opened read-only (EXAMINE) and BODY.PEEK marks
// nothing as read.

import { readFile } from "node:fs/promises";
import process from "node:process";
import { IMAP4, IMAP4_SSL } from "../../dist/mod.js";

function env(name, fallback) {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`set ${name} (see the comment at the top of the file)`);
  return value;
}

const tlsMode = env("IMAP_TLS", "starttls");
if (tlsMode !== "starttls" && tlsMode !== "ssl") throw new Error("IMAP_TLS: starttls or ssl");
const host = env("IMAP_HOST", "localhost");
const port = Number(env("IMAP_PORT", tlsMode === "ssl" ? "993" : "143"));
const mailbox = env("MAILBOX", "INBOX");
const count = Number(env("COUNT", "10"));
const idleSeconds = Number(env("IDLE_SECONDS", "0"));
const caFile = process.env.IMAP_CA_FILE;
const options = {
  timeout: 30, // seconds, per network wait
  tls: caFile ? { caCerts: [await readFile(caFile, "utf8")] } : {},
  starttls: tlsMode === "starttls", // refuse to go on in clear text if STARTTLS fails
};
const text = new TextDecoder();

const M = tlsMode === "ssl"
  ? await IMAP4_SSL.connect(host, port, options)
  : await IMAP4.connect(host, port, options);
try {
  await M.login(env("IMAP_USER"), env("IMAP_PASSWORD")); // throws IMAP4.error if refused
  const [, [exists]] = await M.select(mailbox, true); // EXAMINE: read-only
  const total = Number(text.decode(exists));
  console.log(`${mailbox}: ${total} messages`);
  if (total > 0) {
    const first = Math.max(1, total - count + 1);
    const [, data] = await M.fetch(`${first}:${total}`, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    // data: [[b"1 (BODY[HEADER.FIELDS (SUBJECT)] {21}", b"Subject: ...\r\n\r\n"], b")", ...]
    for (const item of data) {
      if (!Array.isArray(item)) continue; // the b")" closing each message
      const [header, literal] = item;
      const number = text.decode(header).split(" ")[0];
      const subject = text.decode(literal).replace(/\r\n[ \t]+/g, " ") // unfold
        .replace(/^subject:[ \t]*/i, "").trim();
      console.log(`${number.padStart(6)}  ${subject || "(no subject)"}`);
    }
  }
  if (idleSeconds > 0) {
    const idler = await M.idle({ duration: idleSeconds }); // resolves once the server sent `+`
    try {
      for await (const [type, data] of idler) {
        const shown = data.map((d) => (d instanceof Uint8Array ? text.decode(d) : String(d)));
        console.log(`idle: ${type} ${shown.join(" ")}`); // "idle: EXISTS 4"
      }
    } finally {
      await idler.done();
    }
    console.log(`idle: ended after ${idleSeconds} s`);
  }
} finally {
  await M.logout();
}
