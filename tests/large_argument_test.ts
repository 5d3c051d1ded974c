// A command argument of megabytes (a sequence set of a million UIDs is 7 MB) is encoded to
// UTF-8 a part at a time within the command's turn (src/session/text_parts.ts): the bytes on the
// wire are exactly what encoding it at once gives, and CR, LF or NUL in it is still refused
// before anything is sent. Scripted: Dovecot refuses lines over 64 KB (imap_max_line_length),
// and what is checked is the exact bytes the client writes.

import assert from "node:assert/strict";
import { IMAP4ArgumentError } from "../mod.ts";
import { connectScripted, replies } from "./_scripted.ts";
import { test } from "./_harness.ts";

const encoder = new TextEncoder();

// The bytes the client wrote from `from` on, up to the end.
function written(received: Uint8Array, from: number): Uint8Array {
  return received.subarray(from);
}

test("large argument: a set of 200,000 UIDs goes out byte for byte as one line", async () => {
  const { server, M, done } = await connectScripted({
    state: "SELECTED",
    handlers: { UID: replies("{tag} OK UID FETCH completed") },
  });
  const set = Array.from({ length: 200_000 }, (_, i) => 2 * i + 1).join(",");
  assert.ok(set.length > 1_000_000);
  const before = server.received.length;
  const [type] = await M.uid("FETCH", set, "(UID)");
  assert.equal(type, "OK");
  const line = written(server.received, before);
  const tag = new TextDecoder().decode(line.subarray(0, line.indexOf(0x20)));
  assert.deepEqual(line, encoder.encode(`${tag} UID FETCH ${set} (UID)\r\n`));
  await done();
});

test("large argument: non-ASCII text is the UTF-8 one encoding at once gives", async () => {
  const { server, M, done } = await connectScripted({
    state: "SELECTED",
    handlers: { SEARCH: replies("* SEARCH", "{tag} OK SEARCH completed") },
  });
  // Surrogate pairs and 2- and 3-byte characters across the 64 Ki-character parts; the first
  // part's last unit is a high surrogate (the pair must not be cut).
  const text = `"${"a".repeat(65_534)}😀${"Grüße 😀 €uro ".repeat(30_000)}"`;
  const before = server.received.length;
  await M.search(null, "SUBJECT", text);
  const line = written(server.received, before);
  const tag = new TextDecoder().decode(line.subarray(0, line.indexOf(0x20)));
  assert.deepEqual(line, encoder.encode(`${tag} SEARCH SUBJECT ${text}\r\n`));
  await done();
});

test("large argument: CR, LF or NUL in it is refused before a byte is sent; the client stays usable", async () => {
  const { server, M, done } = await connectScripted({ state: "SELECTED" });
  const set = Array.from({ length: 200_000 }, (_, i) => i + 1).join(",");
  for (const bad of ["\r", "\n", "\0"]) {
    const before = server.received.length;
    await assert.rejects(
      M.uid("FETCH", `${set}${bad}1`, "(UID)"),
      (e: Error) => e instanceof IMAP4ArgumentError && e.message.includes(`at byte ${set.length}`),
    );
    assert.equal(server.received.length, before, "nothing written");
  }
  assert.equal((await M.noop())[0], "OK");
  await done();
});
