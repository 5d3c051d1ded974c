// SASL beyond imaplib against scripted servers: SASL-IR (RFC 4959) with and without the
// capability, SCRAM (RFC 5802/7677 known answers, a wrong or missing server signature, nonce
// and iteration checks), OAUTHBEARER (RFC 7628) with its JSON error challenge, SASLprep.
// Dovecot shows the real exchanges in dovecot_auth_test.ts; it has no OAuth, and it never
// sends a wrong server signature.

import assert from "node:assert/strict";
import {
  IMAP4Abort,
  IMAP4AuthenticationError,
  IMAP4Error,
  oauthBearerAuth,
  plainAuth,
  saslprep,
  scramAuth,
  xoauth2Auth,
} from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, str } from "./_scripted.ts";

const b64 = (text: string) => new TextEncoder().encode(text).toBase64();
const unb64 = (text: string) => str(Uint8Array.fromBase64(text));
const text = (s: string) => new TextEncoder().encode(s);

// RFC 7677 section 3 and RFC 5802 section 5.
const VECTORS = {
  "SHA-256": {
    nonce: "rOprNGfwEbeRWgbNEkqO",
    serverFirst:
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0," +
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  },
  "SHA-1": {
    nonce: "fyko+d2lbbFgONRv9qkxdawL",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    clientFinal:
      "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  },
} as const;

/**
 * A server-side SCRAM exchange replaying a vector: the initial response from the line (SASL-IR)
 * or after an empty `+`, then the server-first, the server-final (`serverFinal`), and the tagged
 * reply. Client lines are kept in `lines`.
 */
function scramServer(
  vector: { serverFirst: string; serverFinal: string },
  lines: string[],
  reply = "{tag} OK Logged in",
): CommandHandler {
  return async (s, c) => {
    const [, initial] = c.args.split(" ");
    if (initial === undefined) {
      s.line("+ ");
      lines.push((await s.readLine())!);
    } else lines.push(initial);
    for (const message of [vector.serverFirst, vector.serverFinal]) {
      s.line("+ " + b64(message));
      const line = (await s.readLine())!;
      lines.push(line);
      if (line === "*") {
        s.line(`${c.tag} BAD AUTHENTICATE cancelled`);
        return;
      }
    }
    s.line(reply.replaceAll("{tag}", c.tag));
  };
}

for (const hash of ["SHA-256", "SHA-1"] as const) {
  test(`scram: SCRAM-${hash} known answer (RFC ${hash === "SHA-1" ? 5802 : 7677}) over the wire`, async () => {
    const vector = VECTORS[hash];
    const lines: string[] = [];
    const { M, server, done } = await connectScripted({
      handlers: { AUTHENTICATE: scramServer(vector, lines) },
      capabilities: `AUTH=SCRAM-${hash}`,
    });
    await M.authenticate(`SCRAM-${hash}`, scramAuth("user", "pencil", hash, vector));
    assert.equal(M.state, "AUTH");
    assert.deepEqual(lines.map(unb64), [`n,,n=user,r=${vector.nonce}`, vector.clientFinal, ""]);
    assert.match(server.receivedText, new RegExp(` AUTHENTICATE SCRAM-${hash}\r\n`));
    await done();
  });
}

test("scram: a wrong server signature cancels the exchange and fails the login", async () => {
  const lines: string[] = [];
  const vector = { ...VECTORS["SHA-256"], serverFinal: "v=" + b64("x".repeat(32)) };
  const { M, done } = await connectScripted({
    handlers: { AUTHENTICATE: scramServer(vector, lines) },
  });
  await assert.rejects(
    M.authenticate("SCRAM-SHA-256", scramAuth("user", "pencil", "SHA-256", vector)),
    (e: Error) => e instanceof IMAP4Error && /server signature does not match/.test(e.message),
  );
  assert.equal(lines.at(-1), "*");
  assert.equal(M.state, "NONAUTH");
  await done();
});

test("scram: an OK without the server signature closes the connection", async () => {
  const vector = VECTORS["SHA-256"];
  const { M, serving } = await connectScripted({
    handlers: {
      AUTHENTICATE: async (s, c) => {
        s.line("+ ");
        await s.readLine();
        s.line("+ " + b64(vector.serverFirst));
        await s.readLine();
        s.line(`${c.tag} OK Logged in`); // no server-final message
      },
    },
  });
  await assert.rejects(
    M.authenticate("SCRAM-SHA-256", scramAuth("user", "pencil", "SHA-256", vector)),
    (e: Error) => e instanceof IMAP4Abort && /without proving/.test(e.message),
  );
  assert.equal(M.state, "LOGOUT");
  await M.shutdown();
  await serving;
});

test("scram: server-first messages that are refused (nonce, iterations, errors)", async () => {
  const nonce = "abc";
  const rows: [string, RegExp][] = [
    ["r=abc,s=QSXCR+Q6sek8bf92,i=4096", /does not extend/], // nonce not extended
    ["r=xyzabcdef,s=QSXCR+Q6sek8bf92,i=4096", /does not extend/],
    ["r=abcdef,s=QSXCR+Q6sek8bf92,i=0", /iteration count "0" out of range/],
    ["r=abcdef,s=QSXCR+Q6sek8bf92,i=2000000", /out of range 1..1000000/],
    ["r=abcdef,s=QSXCR+Q6sek8bf92", /iteration count "" out of range/],
    ["r=abcdef,i=4096", /no salt/],
    ["e=unknown-user", /the server refused: unknown-user/],
    ["m=ext,r=abcdef,s=QSXCR+Q6sek8bf92,i=4096", /unsupported extension/],
    ["garbage", /malformed/],
  ];
  for (const [serverFirst, error] of rows) {
    const auth = scramAuth("user", "pencil", "SHA-256", { nonce });
    await auth(new Uint8Array(0));
    await assert.rejects(Promise.resolve(auth(text(serverFirst))), error, serverFirst);
  }
  // A server that speaks first is refused.
  await assert.rejects(
    Promise.resolve(scramAuth("u", "p")(text("r=x"))),
    /client-first mechanism/,
  );
});

test("scram: user names are escaped and prepared; authzid in the GS2 header; random nonce", async () => {
  const auth = scramAuth("a=b,c\u00A0d", "p", "SHA-1", { authzid: "admin" });
  const first = str(text(String(await auth(new Uint8Array(0)))));
  assert.match(first, /^n,a=admin,n=a=3Db=2Cc d,r=[A-Za-z0-9+/=]{32}$/);
  assert.throws(() => saslprep("a\u0007b"), /prohibited character \(U\+0007\)/);
  assert.equal(saslprep("I\u00ADX"), "IX"); // RFC 4013 section 3 examples
  assert.equal(saslprep("user"), "user");
  assert.equal(saslprep("\u00AA"), "a");
  assert.equal(saslprep("\u2168"), "IX");
  assert.throws(() => scramAuth("u", "p", "MD5" as "SHA-1"), TypeError);
});

test("sasl-ir: the initial response goes on the AUTHENTICATE line when advertised", async () => {
  const received: string[] = [];
  const { M, server, done } = await connectScripted({
    capabilities: "SASL-IR AUTH=PLAIN",
    handlers: {
      AUTHENTICATE: (s, c) => {
        received.push(c.args);
        s.line(`${c.tag} OK [CAPABILITY IMAP4rev1] Logged in`);
      },
    },
  });
  const debug: string[] = [];
  M.debug = 4;
  M.logger = (line) => debug.push(line);
  await M.authenticate("plain", plainAuth("alice", "pw"));
  M.debug = 0;
  assert.deepEqual(received, ["PLAIN " + b64("\0alice\0pw")]);
  assert.ok(!server.receivedText.includes("\r\n\r\n"), "no answer to a `+`");
  // The initial response is a credential: the trace shows the mechanism only.
  assert.ok(debug.some((line) => / AUTHENTICATE PLAIN \[redacted\]$/.test(line)), debug.join("\n"));
  assert.ok(!debug.join("\n").includes(b64("\0alice\0pw")));
  await done();
});

test("sasl-ir: an empty initial response is sent as '='; a cancel sends nothing", async () => {
  const received: string[] = [];
  const { M, server, done } = await connectScripted({
    capabilities: "SASL-IR",
    handlers: {
      AUTHENTICATE: (s, c) => {
        received.push(c.args);
        s.line(`${c.tag} OK Logged in`);
      },
    },
  });
  await assert.rejects(M.authenticate("PLAIN", () => null), /cancelled by the authenticator/);
  assert.equal(server.receivedText.includes("AUTHENTICATE"), false);
  await M.authenticate("EXTERNAL", () => "");
  assert.deepEqual(received, ["EXTERNAL ="]);
  await done();
});

test("sasl-ir: server-first mechanisms and servers without SASL-IR wait for the `+`", async () => {
  const received: string[] = [];
  const challenges: string[] = [];
  const handler: CommandHandler = async (s, c) => {
    received.push(c.args);
    s.line("+ " + b64("<1.2@host>"));
    received.push((await s.readLine())!);
    s.line(`${c.tag} OK Logged in`);
  };
  {
    const { M, done } = await connectScripted({
      capabilities: "SASL-IR",
      handlers: { AUTHENTICATE: handler },
    });
    await M.authenticate("CRAM-MD5", (challenge) => {
      challenges.push(str(challenge));
      return "tim x";
    });
    await done();
  }
  const { M, done } = await connectScripted({ handlers: { AUTHENTICATE: handler } });
  await M.authenticate("PLAIN", (challenge) => {
    challenges.push(str(challenge));
    return "\0a\0b";
  });
  await done();
  assert.deepEqual(received, ["CRAM-MD5", b64("tim x"), "PLAIN", b64("\0a\0b")]);
  assert.deepEqual(challenges, ["<1.2@host>", "<1.2@host>"]);
});

test("sasl-ir: SCRAM-SHA-256 with the client-first message on the line", async () => {
  const vector = VECTORS["SHA-256"];
  const lines: string[] = [];
  const { M, server, done } = await connectScripted({
    capabilities: "SASL-IR AUTH=SCRAM-SHA-256",
    handlers: { AUTHENTICATE: scramServer(vector, lines) },
  });
  await M.authenticate("SCRAM-SHA-256", scramAuth("user", "pencil", "SHA-256", vector));
  assert.match(
    server.receivedText,
    new RegExp(` AUTHENTICATE SCRAM-SHA-256 ${b64(`n,,n=user,r=${vector.nonce}`)}\r\n`),
  );
  assert.deepEqual(lines.map(unb64).slice(1), [vector.clientFinal, ""]);
  await done();
});

test("oauthbearer: the GS2 message with host and port; OK logs in", async () => {
  const received: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "SASL-IR AUTH=OAUTHBEARER",
    handlers: {
      AUTHENTICATE: (s, c) => {
        received.push(c.args);
        s.line(`${c.tag} OK Logged in`);
      },
    },
  });
  await M.authenticate(
    "OAUTHBEARER",
    oauthBearerAuth("user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", {
      host: "server.example.com",
      port: 143,
    }),
  );
  const [mech, initial] = received[0].split(" ");
  assert.equal(mech, "OAUTHBEARER");
  // RFC 7628 section 4.1, the example's initial client response.
  assert.equal(
    unb64(initial),
    "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01" +
      "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01",
  );
  assert.equal(M.state, "AUTH");
  await done();
});

test("oauthbearer: the JSON error challenge gets the dummy response; the NO carries the error", async () => {
  const lines: string[] = [];
  const error = {
    status: "invalid_token",
    scope: "example_scope",
    "openid-configuration": "https://example.com/.well-known/openid-configuration",
  };
  const { M, done } = await connectScripted({
    handlers: {
      AUTHENTICATE: async (s, c) => {
        s.line("+ ");
        lines.push((await s.readLine())!);
        s.line("+ " + b64(JSON.stringify(error)));
        lines.push((await s.readLine())!);
        s.line(`${c.tag} NO SASL authentication failed`);
      },
    },
  });
  const thrown = await M.authenticate("OAUTHBEARER", oauthBearerAuth("u@x", "tok")).then(
    () => assert.fail("logged in"),
    (e) => e,
  );
  assert.ok(thrown instanceof IMAP4AuthenticationError);
  assert.ok(thrown instanceof IMAP4Error);
  assert.equal(
    thrown.message,
    'SASL authentication failed (OAUTHBEARER: status "invalid_token", scope "example_scope")',
  );
  assert.deepEqual(thrown.oauth, {
    status: "invalid_token",
    scope: "example_scope",
    openidConfiguration: "https://example.com/.well-known/openid-configuration",
  });
  assert.equal(unb64(lines[0]), "n,a=u@x,\x01auth=Bearer tok\x01\x01");
  assert.equal(lines[1], b64("\x01"));
  assert.equal(M.state, "NONAUTH");
  assert.equal((await M.noop())[0], "OK");
  await done();
});

test("oauthbearer: a challenge that is not JSON cancels; control characters are refused", async () => {
  const lines: string[] = [];
  const { M, done } = await connectScripted({
    handlers: {
      AUTHENTICATE: async (s, c) => {
        s.line("+ ");
        lines.push((await s.readLine())!);
        s.line("+ " + b64("not json"));
        lines.push((await s.readLine())!);
        s.line(`${c.tag} BAD cancelled`);
      },
    },
  });
  await assert.rejects(M.authenticate("OAUTHBEARER", oauthBearerAuth("u", "t")), /not a JSON/);
  assert.equal(lines[1], "*");
  await done();
  assert.throws(() => oauthBearerAuth("u", "t\x01x")(new Uint8Array(0)), /control character/);
  // XOAUTH2 keeps its plain NO text.
  assert.equal(typeof xoauth2Auth("u", "t"), "function");
});
