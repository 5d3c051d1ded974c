// ID (RFC 2971): what is sent (quoting, NIL, limits) and how the answer is parsed, against
// scripted servers; the real Dovecot's answer is in dovecot_id_test.ts.

import assert from "node:assert/strict";
import { id, IMAP4ArgumentError, IMAP4Error } from "../mod.ts";
import { test } from "./_harness.ts";
import { connectScripted } from "./_scripted.ts";

test("id: fields quoted with escapes, null as NIL; the answer parsed, literals included", async () => {
  const sent: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "ID",
    handlers: {
      ID: (s, c) => {
        sent.push(c.args);
        s.send('* ID ("name" "Cyrus" "version" {5}\r\n2.4.1 "os" NIL "x-quote" "a\\"b")\r\n');
        s.line(`${c.tag} OK Completed`);
      },
    },
  });
  const server = await id(M, { name: 'my "app"', version: "1.0", os: null, path: "C:\\x" });
  assert.deepEqual(sent, ['("name" "my \\"app\\"" "version" "1.0" "os" NIL "path" "C:\\\\x")']);
  assert.deepEqual(server, { name: "Cyrus", version: "2.4.1", os: null, "x-quote": 'a"b' });
  await done();
});

test("id: null or {} sends ID NIL; * ID NIL gives null", async () => {
  const sent: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "ID",
    handlers: {
      ID: (s, c) => {
        sent.push(c.args);
        s.line("* ID NIL");
        s.line(`${c.tag} OK Completed`);
      },
    },
  });
  assert.equal(await id(M, null), null);
  assert.equal(await id(M, {}), null);
  assert.deepEqual(sent, ["NIL", "NIL"]);
  await done();
});

test("id: refused before sending: no capability, limits, CR/LF, 8-bit outside UTF-8 mode", async () => {
  {
    const { M, server, done } = await connectScripted({});
    await assert.rejects(
      id(M, null),
      (e: Error) => e instanceof IMAP4Error && /no ID capability/.test(e.message),
    );
    assert.ok(!server.receivedText.includes(" ID "));
    await done();
  }
  const { M, server, done } = await connectScripted({ capabilities: "ID" });
  const rows: [Record<string, string | null>, RegExp][] = [
    [{ ["n".repeat(31)]: "x" }, /field name is 31 bytes, over 30/],
    [{ name: "v".repeat(1025) }, /value of name is 1025 bytes, over 1024/],
    [Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`f${i}`, "v"])), /31 fields/],
    [{ name: "a\r\nA1 LOGOUT" }, /NUL, CR or LF/],
    [{ name: "Entwürfe" }, /not ASCII/],
    [{ Name: "a", name: "b" }, /given twice/],
  ];
  for (const [fields, error] of rows) {
    await assert.rejects(
      id(M, fields),
      (e: Error) => e instanceof IMAP4ArgumentError && error.test(e.message),
    );
  }
  assert.ok(!server.receivedText.includes(" ID "));
  await done();
});

test("id: a NO is an error; a missing * ID response is an error", async () => {
  const { M, done } = await connectScripted({
    capabilities: "ID",
    handlers: {
      ID: (s, c) => s.line(c.args === "NIL" ? `${c.tag} OK no answer` : `${c.tag} NO not now`),
    },
  });
  await assert.rejects(id(M, { name: "x" }), /ID refused: not now/);
  await assert.rejects(id(M, null), /no \* ID response/);
  await done();
});
