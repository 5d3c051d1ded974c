// The rest of imaplib's commands against the real Dovecot: AUTHENTICATE (PLAIN, CRAM-MD5),
// ACL, QUOTA, SORT, THREAD, xatom, upper-case aliases, IMAP4_stream, debug output.

import assert from "node:assert/strict";
import { cramMd5Auth, IMAP4, IMAP4_stream, IMAP4Error, plainAuth, xoauth2Auth } from "../mod.ts";
import { streamCommandFor } from "../scripts/dovecot.ts";
import { test } from "./_harness.ts";
import { connect, dovecot, login, message, uniqueMailbox } from "./_dovecot.ts";
import { show } from "./_bytes.ts";

test("dovecot: authenticate PLAIN logs in and refreshes capabilities", async () => {
  const { user, password } = dovecot().users[1];
  await using M = await connect();
  const [type, [text]] = show(await M.authenticate("plain", plainAuth(user, password)));
  assert.equal(type, "OK");
  assert.match(text as string, /Logged in/);
  assert.equal(M.state, "AUTH");
  assert.ok(M.capabilities.includes("MOVE"));
});

test("dovecot: authenticate PLAIN with a wrong password throws the server's text", async () => {
  await using M = await connect();
  await assert.rejects(M.authenticate("PLAIN", plainAuth("alice", "nope")), (e: Error) => {
    assert.ok(e instanceof IMAP4Error);
    assert.equal(e.message, "[AUTHENTICATIONFAILED] Authentication failed.");
    return true;
  });
  assert.equal(M.state, "NONAUTH");
});

test("dovecot: login_cram_md5 and cramMd5Auth answer Dovecot's challenge", async () => {
  const { user, password } = dovecot().users[0];
  {
    await using M = await connect();
    assert.equal((await M.login_cram_md5(user, password))[0], "OK");
    assert.equal(M.state, "AUTH");
  }
  await using M = await connect();
  assert.equal((await M.authenticate("CRAM-MD5", cramMd5Auth(user, password)))[0], "OK");
});

test("dovecot: a cancelled AUTHENTICATE (authobject returns null) is refused, usable after", async () => {
  await using M = await connect();
  await assert.rejects(M.authenticate("PLAIN", () => null), IMAP4Error);
  assert.equal(M.state, "NONAUTH");
  assert.equal((await M.noop())[0], "OK");
});

test("dovecot: XOAUTH2 is not offered; the authenticator still completes the exchange", async () => {
  await using M = await connect();
  assert.ok(!M.capabilities.includes("AUTH=XOAUTH2"));
  await assert.rejects(M.authenticate("XOAUTH2", xoauth2Auth("alice", "token")), IMAP4Error);
  assert.equal((await M.noop())[0], "OK");
});

test("dovecot: getacl, setacl, myrights, deleteacl", async () => {
  await using M = await login();
  const box = uniqueMailbox("Acl");
  await M.create(box);
  assert.deepEqual(show(await M.getacl(box)), ["OK", [`${box} alice lrwstipekxacd`]]);
  assert.deepEqual(show(await M.myrights(box)), ["OK", [`${box} lrwstipekxacd`]]);
  assert.equal((await M.setacl(box, "bob", "lr"))[0], "OK");
  assert.deepEqual(show(await M.getacl(box)), ["OK", [`${box} bob lr alice lrwstipekxacd`]]);
  assert.equal((await M.deleteacl(box, "bob"))[0], "OK");
  assert.deepEqual(show(await M.getacl(box)), ["OK", [`${box} alice lrwstipekxacd`]]);
  await M.delete(box);
});

test("dovecot: getquotaroot gives imaplib's two lists; getquota quotes 'User quota'", async () => {
  await using M = await login();
  const [type, [roots, quotas]] = await M.getquotaroot("INBOX");
  assert.equal(type, "OK");
  assert.deepEqual(show(["OK", roots])[1], ['INBOX "User quota"']);
  assert.match(show(["OK", quotas])[1][0] as string, /^"User quota" \(STORAGE \d+ 102400\)$/);
  const [, [quota]] = show(await M.getquota("User quota"));
  assert.match(quota as string, /^"User quota" \(STORAGE \d+ 102400\)$/);
  // Dovecot lets only quota admins SETQUOTA: a refusal, and the connection goes on.
  const [refused, [why]] = show(await M.setquota("User quota", "(STORAGE 512)"));
  assert.equal(refused, "NO");
  assert.match(why as string, /only by admin/);
  assert.equal((await M.noop())[0], "OK");
});

test("dovecot: sort and thread, and their UID forms", async () => {
  await using M = await login();
  const box = uniqueMailbox("Sort");
  await M.create(box);
  await M.append(box, null, new Date("2024-01-03T00:00:00Z"), message("banana"));
  await M.append(box, null, new Date("2024-01-01T00:00:00Z"), message("cherry"));
  await M.append(box, null, new Date("2024-01-02T00:00:00Z"), message("apple"));
  await M.append(
    box,
    null,
    null,
    message("Re: apple", "reply\r\n", "In-Reply-To: <x@example.org>\r\n"),
  );
  await M.select(box);
  assert.deepEqual(show(await M.sort("SUBJECT", "UTF-8", "ALL")), ["OK", ["3 4 1 2"]]);
  assert.deepEqual(show(await M.sort("(REVERSE ARRIVAL)", "UTF-8", "ALL")), ["OK", ["4 1 3 2"]]);
  assert.deepEqual(show(await M.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")), ["OK", ["3 4 1 2"]]);
  assert.deepEqual(show(await M.thread("ORDEREDSUBJECT", "UTF-8", "ALL")), [
    "OK",
    ["(2)(3 4)(1)"],
  ]);
  assert.deepEqual(show(await M.uid("THREAD", "ORDEREDSUBJECT", "UTF-8", "ALL")), [
    "OK",
    ["(2)(3 4)(1)"],
  ]);
  await M.close();
  await M.delete(box);
});

test("dovecot: xatom sends extension commands (MOVE, ID); data stays for response()", async () => {
  await using M = await login();
  const [src, dst] = [uniqueMailbox("XSrc"), uniqueMailbox("XDst")];
  await M.create(src);
  await M.create(dst);
  await M.append(src, null, null, message("move me"));
  await M.select(src);
  assert.equal((await M.xatom("MOVE", "1", dst))[0], "OK");
  assert.deepEqual(show(M.response("EXPUNGE")), ["EXPUNGE", ["1"]]);
  assert.equal((await M.xatom("ID", "NIL"))[0], "OK");
  assert.match(show(M.response("ID"))[1][0] as string, /"name" "Dovecot"/);
  assert.deepEqual(show(await M.status(dst, "(MESSAGES)")), ["OK", [`${dst} (MESSAGES 1)`]]);
  await M.close();
  await M.delete(src);
  await M.delete(dst);
});

test("dovecot: upper-case aliases are the bound lower-case methods (imaplib __getattr__)", async () => {
  await using M = await connect();
  const { user, password } = dovecot().users[0];
  assert.equal((await M.LOGIN(user, password))[0], "OK");
  const select = M.SELECT;
  assert.deepEqual(show(await select("INBOX", true))[0], "OK");
  assert.equal((await M.NOOP())[0], "OK");
  assert.equal(typeof (M as unknown as Record<string, unknown>).EXAMINE, "undefined");
});

test("dovecot: debug level 4 traces lines but never the LOGIN or AUTHENTICATE secrets", async () => {
  const lines: string[] = [];
  const { user, password } = dovecot().users[1];
  for (const how of ["login", "plain", "cram-md5"] as const) {
    const M = await connect();
    M.debug = 5;
    M.logger = (line) => lines.push(line);
    if (how === "login") await M.login(user, password);
    else if (how === "plain") await M.authenticate("PLAIN", plainAuth(user, password));
    else await M.login_cram_md5(user, password);
    await M.noop();
    await M.logout();
  }
  const all = lines.join("\n");
  const blob = new TextEncoder().encode(`\0${user}\0${password}`).toBase64();
  assert.ok(!all.includes(password), "password in debug output");
  assert.ok(!all.includes(blob), "PLAIN blob in debug output");
  assert.ok(!all.includes("b0b") && !all.includes("quoted"), "password fragments in output");
  assert.match(all, /^ {2}\d\d:\d\d\.\d\d > [A-P]{4}\d+ LOGIN \[redacted\]$/m);
  // PLAIN's blob goes on the AUTHENTICATE line (Dovecot advertises SASL-IR); CRAM-MD5 answers
  // a challenge.
  assert.match(all, /> [A-P]{4}\d+ AUTHENTICATE PLAIN \[redacted\]$/m);
  assert.match(all, /> \[redacted: \d+ bytes of authentication data\]/);
  assert.match(all, /< b'[A-P]{4}\d+ OK NOOP completed/);
});

test("dovecot: print_log shows the last 10 interactions below level 4", async () => {
  await using M = await login();
  const lines: string[] = [];
  M.logger = (line) => lines.push(line);
  for (let i = 0; i < 12; i++) await M.noop();
  M.print_log();
  assert.match(lines[0], /last 10 IMAP4 interactions:/);
  assert.equal(lines.length, 11);
  assert.ok(lines.slice(1).every((l) => /NOOP/.test(l)));
  assert.ok(!lines.join("\n").includes(dovecot().users[0].password));
});

test("dovecot: IMAP4_stream runs the preauthenticated imap binary over pipes", async () => {
  const info = dovecot();
  const command = streamCommandFor(info, info.users[0].user);
  const M = await IMAP4_stream.connect(command, { stderr: "null", timeout: 10 });
  assert.equal(M.command, command);
  assert.equal(M.state, "AUTH");
  assert.match(new TextDecoder().decode(M.welcome), /^\* PREAUTH .*Logged in as alice/);
  const box = uniqueMailbox("Stream");
  assert.equal((await M.create(box))[0], "OK");
  await M.append(box, null, null, message("over a pipe"));
  assert.deepEqual(show(await M.select(box)), ["OK", ["1"]]);
  const [, [[, header]]] = await M.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])") as [
    string,
    [Uint8Array, Uint8Array][],
  ];
  assert.equal(new TextDecoder().decode(header), "Subject: over a pipe\r\n\r\n");
  await assert.rejects(M.idle({ duration: 1 }), /duration requires a socket connection/);
  {
    await using idler = await M.idle();
    await assert.rejects(idler.burst().next(), /burst\(\) requires a socket connection/);
  }
  await M.close();
  await M.delete(box);
  const [bye] = await M.logout();
  assert.equal(bye, "BYE");
  assert.equal(M.socket(), null);
});

test("dovecot: read() and readline() read raw bytes between commands", async () => {
  const M = await login();
  const tagless = new TextEncoder().encode("x NOOP\r\n");
  await M.send(tagless);
  const line = new TextDecoder().decode(await M.readline());
  assert.match(line, /^x OK NOOP completed/);
  assert.ok(line.endsWith("\r\n"));
  assert.equal((await M.noop())[0], "OK");
  await M.logout();
  assert.ok(M instanceof IMAP4);
});

test("dovecot: recent() returns stored RECENT data, else prompts with NOOP", async () => {
  await using M = await login();
  await using other = await login();
  const box = uniqueMailbox("Recent");
  await M.create(box);
  await M.select(box);
  // SELECT's `* 0 RECENT` is stored: returned without a command, and taken out.
  assert.deepEqual(show(await M.recent()), ["OK", ["0"]]);
  // Nothing stored now: NOOP is sent, and no RECENT comes back.
  assert.deepEqual(show(await M.recent()), ["OK", [null]]);
  await other.append(box, null, null, message("new one"));
  const [type, data] = show(await M.recent());
  assert.equal(type, "OK");
  assert.deepEqual(data, ["1"]);
  await M.close();
  await M.delete(box);
});

test("dovecot: read(size) takes raw bytes between commands", async () => {
  const M = await login();
  await M.send(new TextEncoder().encode("y NOOP\r\n"));
  const head = new TextDecoder().decode(await M.read(7));
  assert.equal(head, "y OK NO");
  const rest = new TextDecoder().decode(await M.readline());
  assert.match(rest, /^OP completed/);
  assert.equal((await M.noop())[0], "OK");
  await M.logout();
});
