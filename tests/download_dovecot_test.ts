// downloadPart() against the real Dovecot: a message whose parts use quoted-printable, base64,
// an unknown encoding and broken base64, in nested MIME, downloaded once from the server as it
// runs (BINARY advertised: the server decodes) and once from the same server with BINARY left
// out of its capabilities (imap_capability, over IMAP4_stream: the client decodes). Both must
// give the bytes the message was built from, which the test knows independently of any decoder.

import assert from "node:assert/strict";
import {
  appendMessage,
  downloadPart,
  downloadParts,
  type IMAP4,
  IMAP4_stream,
  IMAP4ArgumentError,
  IMAP4CancelledError,
  selectMailbox,
} from "../mod.ts";
import { shellQuote } from "../scripts/dovecot.ts";
import { test } from "./_harness.ts";
import { dovecot, login, uniqueMailbox } from "./_dovecot.ts";

const latin1 = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const utf8 = (s: string) => new TextEncoder().encode(s);

// Seeded bytes (xorshift), every value likely: an attachment no decoder could guess.
const ATTACHMENT = (() => {
  const out = new Uint8Array(3000);
  let x = 0x2545f491;
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
})();
const base64Lines = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).match(/.{1,76}/g)!.join("\r\n");

const GREETING = "Grüße aus Köln – bis bald";
const HTML = "<p>Café – “quoted”</p>";
// windows-1252: the en dash is 0x96 there, the curly quotes 0x93 and 0x94.
const HTML_1252 = latin1("<p>Caf\xe9 \x96 \x93quoted\x94</p>");

// 1 text/plain iso-8859-1 QP (soft break, escapes, padding); 2 a base64 attachment with an RFC
// 2231 file name; 3 message/rfc822 holding multipart/alternative: 3.1 text/plain utf-8 7bit,
// 3.2 text/html windows-1252 base64; 4 x-uuencode (unknown: raw); 5 base64 with junk bytes.
const MESSAGE = latin1(
  "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: download\r\n" +
    'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n' +
    "--outer\r\nContent-Type: text/plain; charset=ISO-8859-1\r\n" +
    "Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
    "Gr=FC=DFe aus K=F6ln, ein sehr langer Satz mit einem weichen =\r\n" +
    "Zeilenumbruch   \r\nund =3D Zeichen.\r\n" +
    "--outer\r\nContent-Type: application/octet-stream\r\n" +
    "Content-Disposition: attachment; filename*=utf-8''R%C3%A9sum%C3%A9%20final.bin\r\n" +
    `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(ATTACHMENT)}\r\n` +
    "--outer\r\nContent-Type: message/rfc822\r\n\r\n" +
    "From: carol@example.org\r\nSubject: inner\r\nMIME-Version: 1.0\r\n" +
    'Content-Type: multipart/alternative; boundary="inner"\r\n\r\n' +
    "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
    String.fromCharCode(...utf8(GREETING)) + "\r\n" +
    "--inner\r\nContent-Type: text/html; charset=windows-1252\r\n" +
    `Content-Transfer-Encoding: base64\r\n\r\n${base64Lines(HTML_1252)}\r\n` +
    "--inner--\r\n" +
    "--outer\r\nContent-Type: application/x-thing\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n" +
    "begin 644 a\r\n#86)C\r\n`\r\nend\r\n" +
    "--outer\r\nContent-Type: application/octet-stream; name=broken.bin\r\n" +
    "Content-Transfer-Encoding: base64\r\n\r\nAAE*CA!w==\r\n" +
    "--outer--\r\n",
);
const QP_TEXT = "Grüße aus Köln, ein sehr langer Satz mit einem weichen " +
  "Zeilenumbruch\r\nund = Zeichen.";

async function bytesOf(download: { content: ReadableStream<Uint8Array> } | null) {
  assert.ok(download);
  return new Uint8Array(await new Response(download.content).arrayBuffer());
}

// Every expectation, for a client that may or may not see BINARY. `sent` collects the FETCH
// commands the client writes.
async function checkDownloads(M: IMAP4, uid: number, sent: string[]) {
  const whole = await downloadPart(M, uid, undefined, { uid: true });
  assert.deepEqual(whole?.meta, { expectedSize: MESSAGE.length, contentType: "message/rfc822" });
  assert.deepEqual(await bytesOf(whole), MESSAGE);

  const qp = await downloadPart(M, uid, "1", { uid: true });
  assert.equal(qp?.meta.contentType, "text/plain");
  assert.equal(qp?.meta.charset, "utf-8"); // converted from ISO-8859-1
  assert.equal(qp?.meta.encoding, "quoted-printable");
  assert.equal(new TextDecoder().decode(await bytesOf(qp)), QP_TEXT);
  const raw = await downloadPart(M, uid, "1", { uid: true, decodeText: false });
  assert.equal(raw?.meta.charset, "iso-8859-1");
  assert.deepEqual(await bytesOf(raw), latin1(QP_TEXT));

  const attachment = await downloadPart(M, uid, "2", { uid: true });
  assert.deepEqual(attachment?.meta, {
    expectedSize: attachment!.meta.expectedSize,
    contentType: "application/octet-stream",
    encoding: "base64",
    disposition: "attachment",
    filename: "Résumé final.bin",
  });
  assert.deepEqual(await bytesOf(attachment), ATTACHMENT);

  const inner = await downloadPart(M, uid, "3.1", { uid: true });
  assert.equal(inner?.meta.charset, "utf-8");
  assert.equal(new TextDecoder().decode(await bytesOf(inner)), GREETING);
  const html = await downloadPart(M, uid, "3.2", { uid: true });
  assert.equal(html?.meta.contentType, "text/html");
  assert.equal(new TextDecoder().decode(await bytesOf(html)), HTML);
  // The embedded message whole (message/rfc822, 7bit): its bytes as they are.
  const embedded = new TextDecoder("latin1").decode(
    await bytesOf(await downloadPart(M, uid, "3", { uid: true })),
  );
  assert.match(embedded, /^From: carol@example.org\r\n[^]*--inner--\r\n$/);

  // An encoding neither side knows: the bytes as stored.
  const unknown = await downloadPart(M, uid, "4", { uid: true });
  assert.equal(unknown?.meta.encoding, "x-uuencode");
  assert.equal(
    new TextDecoder().decode(await bytesOf(unknown)),
    "begin 644 a\r\n#86)C\r\n`\r\nend",
  );
  // Junk in base64: Dovecot's BINARY refuses it (NO [PARSE]), the client skips the junk as RFC
  // 2045 section 6.8 says, and "AAECAw==" is 00 01 02 03.
  const broken = await downloadPart(M, uid, "5", { uid: true });
  assert.equal(broken?.meta.filename, "broken.bin");
  assert.deepEqual(await bytesOf(broken), Uint8Array.of(0, 1, 2, 3));

  // No such part, no such message: null, and nothing held.
  assert.equal(await downloadPart(M, uid, "9", { uid: true }), null);
  assert.equal(await downloadPart(M, uid, "2.1", { uid: true }), null);
  assert.equal(await downloadPart(M, uid + 1000, "1", { uid: true }), null);
  assert.equal(await downloadPart(M, uid + 1000, undefined, { uid: true }), null);
  // By sequence number too.
  assert.deepEqual(await bytesOf(await downloadPart(M, 1, "2")), ATTACHMENT);
  // A message of one part: that part is "1" (RFC 3501 section 6.4.5).
  const single = await downloadPart(M, 2, "1");
  assert.deepEqual(single?.meta.contentType, "text/plain");
  assert.equal(new TextDecoder().decode(await bytesOf(single)), "Привет, мир");

  // A download cancelled part-way leaves the connection usable.
  const cancelled = await downloadPart(M, uid, "2", { uid: true });
  const reader = cancelled!.content.getReader();
  await reader.read();
  await reader.cancel();
  assert.equal((await M.noop())[0], "OK");

  // A signal that has fired: nothing is sent, and the connection goes on.
  await assert.rejects(
    downloadPart(M, uid, "2", { uid: true, signal: AbortSignal.abort("stop") }),
    (e) => e instanceof IMAP4CancelledError && e.cause === "stop",
  );
  assert.equal((await M.noop())[0], "OK");
  // One that fires while the BODYSTRUCTURE is asked for: the FETCH runs to its end (the
  // connection stays in step), and the error names downloadPart().
  const later = new AbortController();
  const pending = downloadPart(M, uid, "2", { uid: true, signal: later.signal });
  later.abort("later");
  await assert.rejects(
    pending,
    (e) =>
      e instanceof IMAP4CancelledError && /downloadPart/.test(e.message) && e.cause === "later",
  );
  assert.equal((await M.noop())[0], "OK");
  await assert.rejects(downloadPart(M, uid, "1.TEXT"), IMAP4ArgumentError);
  await assert.rejects(downloadPart(M, "1:2", "1"), IMAP4ArgumentError);
  assert.ok(sent.length > 0);

  // Several parts at once (downloadParts(), imapflow's downloadMany()): each as downloadPart()
  // gives it. With part 5 in the FETCH, Dovecot refuses BINARY for all of them and the client
  // decodes every one; without it, the server does.
  for (const parts of [["1", "2", "3.1", "3.2", "4", "5", "9"], ["2", "1", "3"]]) {
    const many = await downloadParts(M, uid, parts, { uid: true });
    assert.deepEqual([...many.keys()], parts.filter((p) => p !== "9"));
    for (const [part, { meta, content }] of many) {
      const one = await downloadPart(M, uid, part, { uid: true });
      assert.deepEqual(content, await bytesOf(one), part);
      // The size sent differs where one of them had the server decode.
      assert.deepEqual({ ...meta, expectedSize: 0 }, { ...one!.meta, expectedSize: 0 }, part);
    }
    assert.deepEqual(many.get("2")?.content, ATTACHMENT);
    assert.equal(new TextDecoder().decode(many.get("1")?.content), QP_TEXT);
  }
  assert.equal((await downloadParts(M, uid + 1000, ["1"], { uid: true })).size, 0);
  const [[, koi8]] = await downloadParts(M, 2, ["1"]);
  assert.equal(new TextDecoder().decode(koi8.content), "Привет, мир");
  await assert.rejects(downloadParts(M, uid, ["1.TEXT"]), IMAP4ArgumentError);
  await assert.rejects(
    downloadParts(M, uid, ["1"], { signal: AbortSignal.abort("stop") }),
    (e) => e instanceof IMAP4CancelledError && /downloadParts/.test(e.message),
  );
  assert.equal((await M.noop())[0], "OK");
}

// KOI8-R, base64, a single part: "Привет, мир" is f0 d2 c9 d7 c5 d4 2c 20 cd c9 d2 there.
const SINGLE = "From: dmitri@example.org\r\nSubject: single\r\nMIME-Version: 1.0\r\n" +
  "Content-Type: text/plain; charset=KOI8-R\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
  `${btoa("\xf0\xd2\xc9\xd7\xc5\xd4, \xcd\xc9\xd2")}\r\n`;

async function seeded(M: IMAP4, box: string): Promise<number> {
  await M.create(box);
  const { uid } = await appendMessage(M, box, MESSAGE);
  await appendMessage(M, box, SINGLE);
  await selectMailbox(M, box);
  return uid!;
}

function recordFetches(M: IMAP4): string[] {
  const sent: string[] = [];
  const send = M.send.bind(M);
  M.send = (bytes) => {
    const line = new TextDecoder("latin1").decode(bytes);
    if (/ FETCH /.test(line)) sent.push(line.trim());
    return send(bytes);
  };
  return sent;
}

test("download dovecot: with BINARY the server undoes the encodings, text comes as UTF-8", async () => {
  const M = await login();
  const box = uniqueMailbox("Download");
  try {
    assert.ok(M.capabilities.includes("BINARY"));
    const uid = await seeded(M, box);
    const sent = recordFetches(M);
    await checkDownloads(M, uid, sent);
    assert.ok(sent.some((l) => /BINARY\.PEEK\[2\]/.test(l)), sent.join("\n"));
    // Part 5: BINARY refused, then BODY decoded by the client.
    assert.ok(
      sent.some((l) => /BINARY\.PEEK\[5\]/.test(l)) && sent.some((l) => /BODY\.PEEK\[5\]/.test(l)),
    );
    // Parts without a transfer encoding to undo never go through BINARY.
    assert.ok(!sent.some((l) => /BINARY\.PEEK\[(?:3|3\.1|4)\]/.test(l)), sent.join("\n"));
  } finally {
    await M.close().catch(() => {});
    await M.delete(box).catch(() => {});
    await M.logout();
  }
});

test("download dovecot: without BINARY the client decodes base64 and quoted-printable", async () => {
  const info = dovecot();
  const user = info.users[0].user;
  // The same Dovecot, its capability list without BINARY (the command works all the same; the
  // client must not use it).
  const command =
    `/bin/sh ${shellQuote(`${info.dir}/imap.sh`)} -c ${shellQuote(info.configPath)} ` +
    `-o ${shellQuote("imap_capability=IMAP4rev1 LITERAL+ UIDPLUS MOVE")} -u ${shellQuote(user)}`;
  const M = await IMAP4_stream.connect(command, { stderr: "null", timeout: 10 });
  const box = uniqueMailbox("DownloadNoBinary");
  try {
    assert.ok(!M.capabilities.includes("BINARY"), M.capabilities.join(" "));
    const uid = await seeded(M, box);
    const sent = recordFetches(M);
    await checkDownloads(M, uid, sent);
    assert.ok(!sent.some((l) => /BINARY/.test(l)), sent.join("\n"));
  } finally {
    await M.close().catch(() => {});
    await M.delete(box).catch(() => {});
    await M.logout();
  }
});
