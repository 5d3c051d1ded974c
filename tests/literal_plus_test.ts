// Non-synchronizing literals (RFC 7888, LITERAL+ / LITERAL-): the encoder's markers, and the
// session writing them without waiting for `+`, against scripted servers (what a server without
// LITERAL+, or with LITERAL-, sees). Dovecot (LITERAL+) is in dovecot_literal_plus_test.ts.

import assert from "node:assert/strict";
import { encodeCommand, LITERAL_MINUS_MAX_BYTES } from "../mod.ts";
import { test } from "./_harness.ts";
import { connectScripted } from "./_scripted.ts";

const latin1 = new TextDecoder("latin1");
const wire = (fragments: ReturnType<typeof encodeCommand>) =>
  fragments.map((f) =>
    f.kind === "line"
      ? latin1.decode(f.bytes)
      : `<${f.synchronizing ? "sync" : "non-sync"} ${f.bytes.length}>`
  );
const message = (size: number) => ({ kind: "message" as const, value: "x".repeat(size) });

test("encoder: LITERAL+ makes every literal {N+}; LITERAL- only up to 4,096 bytes", () => {
  assert.equal(LITERAL_MINUS_MAX_BYTES, 4096);
  const rows: [("LITERAL+" | "LITERAL-" | undefined), number, string, boolean][] = [
    [undefined, 5, "{5}", true],
    ["LITERAL+", 5, "{5+}", false],
    ["LITERAL+", 100_000, "{100000+}", false],
    ["LITERAL-", 4096, "{4096+}", false],
    ["LITERAL-", 4097, "{4097}", true],
    ["LITERAL-", 0, "{0+}", false],
  ];
  for (const [mode, size, marker, synchronizing] of rows) {
    const fragments = encodeCommand("A1", "APPEND", [
      { kind: "astring", value: "INBOX" },
      message(size),
    ], {
      nonSynchronizing: mode,
    });
    assert.deepEqual(wire(fragments), [
      `A1 APPEND INBOX ${marker}\r\n`,
      `<${synchronizing ? "sync" : "non-sync"} ${size}>`,
      "\r\n",
    ], `${mode} ${size}`);
  }
  // UTF-8 mode: literal8 with the same marker (RFC 7888 section 4 covers literal8).
  assert.deepEqual(
    wire(encodeCommand("A1", "APPEND", [{ kind: "astring", value: "INBOX" }, message(3)], {
      utf8: true,
      nonSynchronizing: "LITERAL+",
    })),
    ["A1 APPEND INBOX UTF8 (~{3+}\r\n", "<non-sync 3>", ")\r\n"],
  );
});

test("session: with LITERAL+ the literal follows at once; without it, after the server's +", async () => {
  for (
    const [capabilities, literalPlus, marker, plus] of [
      ["LITERAL+", true, "{12+}", false],
      ["LITERAL-", true, "{12+}", false],
      ["", true, "{12}", true],
      ["LITERAL+", false, "{12}", true],
    ] as const
  ) {
    let continuations = 0;
    const { M, server, done } = await connectScripted({
      capabilities,
      client: { literalPlus },
      state: "AUTH",
      handlers: {
        APPEND: async (s, c) => {
          assert.ok(c.args.endsWith(marker), `${capabilities}: ${c.args}`);
          if (plus) {
            s.line("+ OK");
            continuations++;
          }
          // Without a `+`, the client must send the literal and the end of the line by itself.
          assert.equal(latin1.decode(await s.readBytes(12, 1000)), "Subject: x\r\n");
          assert.equal(await s.readLine(1000), "");
          s.line(`${c.tag} OK APPEND completed`);
        },
      },
    });
    assert.equal((await M.append("INBOX", null, null, "Subject: x\n"))[0], "OK");
    assert.equal(continuations, plus ? 1 : 0);
    assert.match(
      server.receivedText,
      new RegExp(` APPEND INBOX \\{12\\+?\\}\r\nSubject: x\r\n\r\n`),
    );
    await done();
  }
});

test("session: an 8-bit password sent as a {N+} literal stays out of the trace, size included", async () => {
  const { M, server, done } = await connectScripted({
    capabilities: "LITERAL+",
    handlers: {
      LOGIN: async (s, c) => {
        await s.readBytes(9);
        await s.readLine();
        s.line(`${c.tag} OK LOGIN completed`);
      },
    },
  });
  const lines: string[] = [];
  M.debug = 5;
  M.logger = (line) => lines.push(line);
  await M.login("user", "pässwörd");
  M.debug = 0;
  assert.match(server.receivedText, / LOGIN user \{10\+\}\r\np/);
  const all = lines.join("\n");
  assert.ok(!/write literal size/.test(all), all);
  assert.ok(!all.includes("ss"), all);
  assert.match(all, / LOGIN \[redacted\]/);
  await done();
});
