/**
 * The demo: log in with STARTTLS, list mailboxes, read the inbox, then wait with IMAP4 IDLE
 * while a second connection delivers a new message, and read that one too.
 *
 * `deno task demo` runs it against a private Dovecot that it starts and seeds. To point it at
 * your own account:
 *
 *   IMAP_HOST=imap.example.org IMAP_USER=me IMAP_PASSWORD=... deno run -A examples/demo.ts
 *
 * Environment: IMAP_HOST, IMAP_PORT (143, or 993 with IMAP_TLS=ssl), IMAP_USER, IMAP_PASSWORD,
 * IMAP_TLS (`starttls`, the default, or `ssl`), IMAP_CA_FILE (PEM of a private CA, optional),
 * IMAP_DEMO_NO_APPEND=1 to wait for real mail (60 s) instead of appending a demo message.
 *
 * @module
 */

import { type ConnectOptions, IMAP4, IMAP4_SSL } from "../mod.ts";

const env = (name: string, fallback?: string): string => {
  const value = Deno.env.get(name) ?? fallback;
  if (value === undefined) throw new Error(`set ${name} (see the comment at the top of demo.ts)`);
  return value;
};

const host = env("IMAP_HOST", "localhost");
const implicitTls = env("IMAP_TLS", "starttls") === "ssl";
const port = Number(env("IMAP_PORT", implicitTls ? "993" : "143"));
const user = env("IMAP_USER");
const password = env("IMAP_PASSWORD");
const caFile = Deno.env.get("IMAP_CA_FILE");
const appendDemoMessage = Deno.env.get("IMAP_DEMO_NO_APPEND") !== "1";

const options: ConnectOptions = {
  timeout: 30,
  tls: caFile ? { caCerts: [await Deno.readTextFile(caFile)] } : {},
  starttls: !implicitTls,
};
const text = new TextDecoder();

function open(): Promise<IMAP4> {
  return implicitTls ? IMAP4_SSL.connect(host, port, options) : IMAP4.connect(host, port, options);
}

// "Subject: Hi\r\nFrom: ..." -> { subject: "Hi", from: "..." } (unfolded, not MIME-decoded).
function headers(block: Uint8Array): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.decode(block).replace(/\r\n[ \t]+/g, " ").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return fields;
}

await using M = await open();
console.log(
  `connected to ${host}:${port} over TLS (${implicitTls ? "IMAPS" : "STARTTLS"}), ` +
    `certificate verified`,
);
console.log(`server: ${text.decode(M.welcome)}`);

const [, [loggedIn]] = await M.login(user, password);
console.log(`login: ${text.decode(loggedIn as Uint8Array)}`);

const [, boxes] = await M.list();
console.log(`\nmailboxes (${boxes.length}):`);
for (const box of boxes) console.log(`  ${text.decode(box as Uint8Array)}`);

const [, [exists]] = await M.select("INBOX");
const [, [unseen]] = await M.search(null, "UNSEEN");
const unseenIds = text.decode(unseen as Uint8Array).split(" ").filter(Boolean);
console.log(
  `\nINBOX: ${text.decode(exists as Uint8Array)} messages, unseen: ${
    unseenIds.join(", ") || "none"
  }`,
);

const [, fetched] = text.decode(exists as Uint8Array) === "0"
  ? [null, []]
  : await M.fetch("1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE)])");
for (const item of fetched) {
  if (!Array.isArray(item)) continue;
  const [header, block] = item;
  const meta = text.decode(header);
  const num = meta.split(" ")[0];
  const flags = /FLAGS \(([^)]*)\)/.exec(meta)?.[1] || "-";
  const h = headers(block);
  console.log(`  #${num.padEnd(3)} ${flags.padEnd(18)} ${h.date ?? ""}`);
  console.log(`       from ${h.from ?? "?"}: ${h.subject ?? "(no subject)"}`);
}

console.log(`\nIDLE: waiting for new mail...`);
let newest = exists as Uint8Array;
let appendedAt = 0;
{
  await using idler = await M.idle({ duration: appendDemoMessage ? 10 : 60 });
  if (appendDemoMessage) {
    // A second connection delivers a message while the first one idles.
    await using sender = await open();
    await sender.login(user, password);
    const subject = `IDLE demo ${new Date().toISOString()}`;
    await sender.append(
      "INBOX",
      null,
      new Date(),
      `From: demo@example.org\r\nTo: ${user}\r\nSubject: ${subject}\r\n\r\nSent while you were idling.\r\n`,
    );
    appendedAt = performance.now();
    console.log(`  (second connection appended "${subject}")`);
  }
  for await (const [type, data] of idler) {
    const after = appendedAt
      ? ` (${Math.round(performance.now() - appendedAt)} ms after the APPEND)`
      : "";
    console.log(`  server says: * ${text.decode(data[0] as Uint8Array)} ${type}${after}`);
    if (type === "EXISTS") {
      newest = data[0] as Uint8Array;
      break;
    }
  }
}

const [, [last]] = await M.fetch(text.decode(newest), "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
if (Array.isArray(last)) console.log(`new message: ${headers(last[1]).subject}`);

const [bye] = await M.logout();
console.log(`\nlogout: ${bye}`);
