// Every command of the spine against the real Dovecot, asserting on the bytes it returns.

import assert from "node:assert/strict";
import { type IMAP4, IMAP4Error, Internaldate2tuple } from "../mod.ts";
import { test } from "./_harness.ts";
import { connect, dovecot, login, message, uniqueMailbox } from "./_dovecot.ts";
import { show } from "./_bytes.ts";

test("dovecot: connect reads the greeting and CAPABILITY; logout returns BYE", async () => {
  const M = await connect();
  assert.match(new TextDecoder().decode(M.welcome), /^\* OK /);
  assert.equal(M.state, "NONAUTH");
  assert.equal(M.PROTOCOL_VERSION, "IMAP4REV1");
  for (const cap of ["IMAP4REV1", "IDLE", "AUTH=PLAIN", "AUTH=CRAM-MD5"]) {
    assert.ok(M.capabilities.includes(cap), cap);
  }
  // Over TLS Dovecot no longer offers STARTTLS.
  assert.ok(!M.capabilities.includes("STARTTLS"));
  const [type, [caps]] = show(await M.capability());
  assert.equal(type, "OK");
  assert.match(caps as string, /^IMAP4rev1 .*IDLE/);
  const [bye, [text]] = show(await M.logout());
  assert.equal(bye, "BYE");
  assert.equal(text, "Logging out");
  assert.equal(M.state, "LOGOUT");
  assert.equal(M.socket(), null);
});

test("dovecot: login refreshes capabilities; wrong password throws the server's text", async () => {
  const M = await connect();
  assert.ok(!M.capabilities.includes("MOVE"));
  await assert.rejects(M.login("alice", "wrong"), (e: Error) => {
    assert.ok(e instanceof IMAP4Error);
    assert.equal(e.message, "[AUTHENTICATIONFAILED] Authentication failed.");
    return true;
  });
  assert.equal(M.state, "NONAUTH");
  const [type, [text]] = show(await M.login("alice", dovecot().users[0].password));
  assert.equal(type, "OK");
  assert.match(text as string, /Logged in/);
  assert.equal(M.state, "AUTH");
  for (const cap of ["MOVE", "UIDPLUS", "QUOTA", "ACL", "NAMESPACE"]) {
    assert.ok(M.capabilities.includes(cap), cap);
  }
  await M.logout();
});

test("dovecot: a password with space, quotes and backslash is quoted correctly", async () => {
  const bob = dovecot().users[1];
  assert.match(bob.password, /[ "\\]/);
  await using M = await connect();
  assert.equal((await M.login(bob.user, bob.password))[0], "OK");
});

test("dovecot: await using logs out at scope exit", async () => {
  let M: IMAP4;
  {
    await using inner = await login();
    M = inner;
    assert.equal(M.state, "AUTH");
  }
  assert.equal(M.state, "LOGOUT");
  assert.equal(M.socket(), null);
});

test("dovecot: create, list, lsub, subscribe, unsubscribe, rename, status, delete", async () => {
  await using M = await login();
  const name = uniqueMailbox("Folder With Space");
  const renamed = `${name}-renamed`;
  assert.equal((await M.create(name))[0], "OK");
  const [, listed] = show(await M.list('""', `${name}*`));
  assert.deepEqual(listed, [`(\\HasNoChildren) "." "${name}"`]);
  assert.deepEqual(show(await M.subscribe(name))[0], "OK");
  assert.deepEqual(show(await M.lsub('""', `${name}*`))[1], [`() "." "${name}"`]);
  assert.equal((await M.unsubscribe(name))[0], "OK");
  assert.deepEqual(show(await M.lsub('""', `${name}*`)), ["OK", [null]]);
  assert.equal((await M.rename(name, renamed))[0], "OK");
  assert.deepEqual(show(await M.status(renamed, "(MESSAGES UNSEEN)")), [
    "OK",
    [`"${renamed}" (MESSAGES 0 UNSEEN 0)`],
  ]);
  assert.equal((await M.delete(renamed))[0], "OK");
  const [no, [why]] = show(await M.status(renamed, "(MESSAGES)"));
  assert.equal(no, "NO");
  assert.match(why as string, /NONEXISTENT|doesn't exist/);
});

test("dovecot: an 8-bit mailbox name goes as a literal; Dovecot wants modified UTF-7", async () => {
  // imaplib does not convert names to modified UTF-7 (RFC 3501 5.1.3) and neither do we: the
  // literal reaches the server intact and it answers NO, the connection stays usable.
  await using M = await login();
  const [type, [text]] = show(await M.create(uniqueMailbox("Données")));
  assert.equal(type, "NO");
  assert.match(text as string, /mUTF-7/);
  assert.equal((await M.noop())[0], "OK");
  const name = uniqueMailbox("Donn&AOk-es");
  assert.equal((await M.create(name))[0], "OK");
  assert.deepEqual(show(await M.list('""', name))[1], [`(\\HasNoChildren) "." ${name}`]);
  assert.equal((await M.delete(name))[0], "OK");
});

test("dovecot: append with flags and date, select, fetch, search, store, expunge", async () => {
  await using M = await login();
  const box = uniqueMailbox("Append");
  await M.create(box);
  const date = new Date("2024-03-05T06:07:08Z");
  const body = "line one\nline two\r\n";
  const [type, [text]] = show(await M.append(box, "\\Flagged", date, message("First", body)));
  assert.equal(type, "OK");
  assert.match(text as string, /^\[APPENDUID \d+ 1\] Append completed/);
  assert.match(show(M.response("APPENDUID"))[1][0] as string, /^\d+ 1$/);
  await M.append(box, null, null, message("Second"));
  await M.append(box, "(\\Seen)", null, message("Third"));

  assert.deepEqual(show(await M.select(box)), ["OK", ["3"]]);
  assert.equal(M.state, "SELECTED");
  assert.match(show(M.response("UIDVALIDITY"))[1][0] as string, /^\d+$/);
  assert.match(show(M.response("FLAGS"))[1][0] as string, /\\Seen/);

  assert.deepEqual(show(await M.search(null, "ALL")), ["OK", ["1 2 3"]]);
  assert.deepEqual(show(await M.search(null, "UNSEEN")), ["OK", ["1 2"]]);
  assert.deepEqual(show(await M.search("UTF-8", "SUBJECT", '"Second"')), ["OK", ["2"]]);
  assert.deepEqual(show(await M.search(null, "(FLAGGED)")), ["OK", ["1"]]);

  const [, fetched] = await M.fetch("1", "(INTERNALDATE RFC822)");
  const [header, literal] = fetched[0] as [Uint8Array, Uint8Array];
  assert.match(
    new TextDecoder().decode(header),
    /^1 \(INTERNALDATE "05-Mar-2024 06:07:08 \+0000" FLAGS \(\\Flagged \\Seen \\Recent\) RFC822 \{\d+\}$/,
  );
  assert.equal(Internaldate2tuple(header)?.getTime(), date.getTime());
  assert.match(
    new TextDecoder().decode(literal),
    /Subject: First\r\n[\s\S]*\r\nline one\r\nline two\r\n$/,
  );
  assert.equal(new TextDecoder().decode(fetched[1] as Uint8Array), ")");

  const [, headers] = show(await M.fetch("1:3", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])"));
  assert.equal(headers.length, 6);
  assert.deepEqual(headers.filter((_, i) => i % 2 === 1), [")", ")", ")"]);
  assert.deepEqual(
    headers.filter((_, i) => i % 2 === 0).map((pair) => (pair as string[])[1]),
    ["Subject: First\r\n\r\n", "Subject: Second\r\n\r\n", "Subject: Third\r\n\r\n"],
  );

  assert.deepEqual(show(await M.store("2", "+FLAGS", "\\Deleted")), [
    "OK",
    ["2 (FLAGS (\\Deleted \\Recent))"],
  ]);
  assert.deepEqual(show(await M.expunge()), ["OK", ["2"]]);
  assert.deepEqual(show(await M.search(null, "ALL")), ["OK", ["1 2"]]);
  assert.equal((await M.check())[0], "OK");
  assert.equal((await M.close())[0], "OK");
  assert.equal(M.state, "AUTH");
  await M.delete(box);
});

test("dovecot: copy and uid FETCH, SEARCH, STORE, COPY, MOVE, EXPUNGE", async () => {
  await using M = await login();
  const [src, dst] = [uniqueMailbox("Src"), uniqueMailbox("Dst")];
  await M.create(src);
  await M.create(dst);
  for (const subject of ["a", "b", "c"]) await M.append(src, null, null, message(subject));
  await M.select(src);
  const [, [copied]] = show(await M.copy("1", dst));
  assert.match(copied as string, /^\[COPYUID \d+ 1 1\] Copy completed/);
  assert.deepEqual(show(await M.uid("SEARCH", "ALL")), ["OK", ["1 2 3"]]);
  assert.deepEqual(show(await M.uid("FETCH", "2", "(UID FLAGS)")), [
    "OK",
    ["2 (UID 2 FLAGS (\\Recent))"],
  ]);
  assert.deepEqual(show(await M.uid("STORE", "3", "+FLAGS", "(\\Deleted)")), [
    "OK",
    ["3 (UID 3 FLAGS (\\Deleted \\Recent))"],
  ]);
  assert.deepEqual(show(await M.uid("EXPUNGE", "3")), ["OK", [null]]);
  assert.deepEqual(show(M.response("EXPUNGE")), ["EXPUNGE", ["3"]]);
  assert.equal((await M.uid("COPY", "2", dst))[0], "OK");
  assert.equal((await M.uid("MOVE", "1", dst))[0], "OK");
  assert.deepEqual(show(await M.search(null, "ALL")), ["OK", ["1"]]);
  assert.deepEqual(show(await M.status(dst, "(MESSAGES)")), ["OK", [`${dst} (MESSAGES 3)`]]);
  await assert.rejects(M.uid("BOGUS", "1"), /Unknown IMAP4 UID command: BOGUS/);
  assert.equal((await M.unselect())[0], "OK");
  assert.equal(M.state, "AUTH");
  await assert.rejects(M.uid("FETCH", "1", "(FLAGS)"), /illegal in state AUTH/);
  await M.delete(src);
  await M.delete(dst);
});

test("dovecot: examine is read-only; noop reports new mail from another session", async () => {
  await using M = await login();
  await using other = await login();
  const box = uniqueMailbox("Examine");
  await M.create(box);
  await M.append(box, null, null, message("one"));
  assert.deepEqual(show(await M.select(box, true)), ["OK", ["1"]]);
  assert.ok(M.is_readonly);
  assert.deepEqual(show(M.response("READ-ONLY")), ["READ-ONLY", [""]]);
  await other.append(box, null, null, message("two"));
  assert.equal((await M.noop())[0], "OK");
  // select() leaves its EXISTS in the store, as imaplib's does: the NOOP's is appended.
  assert.deepEqual(show(M.response("EXISTS")), ["EXISTS", ["1", "2"]]);
  await M.close();
  await M.delete(box);
});

test("dovecot: namespace and enable", async () => {
  await using M = await login();
  assert.deepEqual(show(await M.namespace()), ["OK", ['(("" ".")) NIL NIL']]);
  const [type] = await M.enable("CONDSTORE");
  assert.equal(type, "OK");
  assert.deepEqual(show(M.response("ENABLED")), ["ENABLED", ["CONDSTORE"]]);
  // Dovecot 2.3 answers OK to UTF8=ACCEPT without offering it: ASCII mode stays.
  assert.equal((await M.enable("UTF8=ACCEPT"))[0], "OK");
  assert.equal(M.utf8_enabled, false);
});

test("dovecot: commands called without await run in order and get their own results", async () => {
  await using M = await login();
  const box = uniqueMailbox("Pipeline");
  await M.create(box);
  const appends = ["x", "y", "z"].map((s) => M.append(box, null, null, message(s)));
  const selected = M.select(box);
  const searches = ["1", "2", "3"].map((n) => M.search(null, n));
  const results = await Promise.all([...appends, selected, ...searches]);
  assert.deepEqual(results.slice(3).map(show), [
    ["OK", ["3"]],
    ["OK", ["1"]],
    ["OK", ["2"]],
    ["OK", ["3"]],
  ]);
  await M.close();
  await M.delete(box);
});

test("dovecot: select of a missing mailbox returns NO and leaves state AUTH", async () => {
  await using M = await login();
  const [type, [text]] = show(await M.select("Does-Not-Exist"));
  assert.equal(type, "NO");
  assert.match(text as string, /Mailbox doesn't exist/);
  assert.equal(M.state, "AUTH");
  await assert.rejects(M.fetch("1", "(FLAGS)"), /command FETCH illegal in state AUTH/);
});
