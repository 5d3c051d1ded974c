// SASL against the real Dovecot: SASL-IR (Dovecot advertises it) and SCRAM-SHA-1/SCRAM-SHA-256
// (offered by the fixture's auth_mechanisms, computed from its {PLAIN} passwd-file).

import assert from "node:assert/strict";
import { authenticateBest, type IMAP4, IMAP4Error, plainAuth, scramAuth } from "../mod.ts";
import { test } from "./_harness.ts";
import { connect, dovecot } from "./_dovecot.ts";

const latin1 = new TextDecoder("latin1");
const b64 = (text: string) => new TextEncoder().encode(text).toBase64();

/** Records every write of `M` (its overridable `send()`) from now on, as text. */
function recordWrites(M: IMAP4): string[] {
  const writes: string[] = [];
  const send = M.send.bind(M);
  M.send = (bytes) => {
    writes.push(latin1.decode(bytes));
    return send(bytes);
  };
  return writes;
}

test("dovecot: SASL-IR puts PLAIN's initial response on the AUTHENTICATE line", async () => {
  const { user, password } = dovecot().users[0];
  await using M = await connect();
  assert.ok(M.capabilities.includes("SASL-IR"));
  const writes = recordWrites(M);
  const debug: string[] = [];
  M.debug = 4;
  M.logger = (line) => debug.push(line);
  assert.equal((await M.authenticate("PLAIN", plainAuth(user, password)))[0], "OK");
  M.debug = 0;
  assert.equal(M.state, "AUTH");
  // One write: the command with its initial response; no answer to a `+`.
  assert.equal(writes.length, 1);
  assert.match(
    writes[0],
    new RegExp(
      `^[A-P]{4}\\d+ AUTHENTICATE PLAIN ${
        b64(`\0${user}\0${password}`).replaceAll("+", "\\+")
      }\r\n$`,
    ),
  );
  assert.ok(!debug.join("\n").includes(b64(`\0${user}\0${password}`)));
  assert.ok(debug.some((line) => /AUTHENTICATE PLAIN \[redacted\]/.test(line)));
});

for (const hash of ["SHA-256", "SHA-1"] as const) {
  test(`dovecot: SCRAM-${hash} logs in, the server signature verified`, async () => {
    const { user, password } = dovecot().users[1];
    await using M = await connect();
    assert.ok(M.capabilities.includes(`AUTH=SCRAM-${hash}`), M.capabilities.join(" "));
    const writes = recordWrites(M);
    const challenges: string[] = [];
    const auth = scramAuth(user, password, hash);
    const traced = Object.assign(async (challenge: Uint8Array) => {
      challenges.push(latin1.decode(challenge));
      return await auth(challenge);
    }, { finish: auth.finish });
    const [type] = await M.authenticate(`SCRAM-${hash}`, traced);
    assert.equal(type, "OK");
    assert.equal(M.state, "AUTH");
    // SASL-IR: the client-first message on the line; then the client-final message and the
    // empty answer to the server-final message.
    assert.match(writes[0], new RegExp(`AUTHENTICATE SCRAM-${hash} [A-Za-z0-9+/=]+\r\n$`));
    assert.equal(writes.length, 3);
    assert.equal(writes[2], "\r\n");
    assert.deepEqual(challenges.map((c) => c.slice(0, 2)), ["", "r=", "v="]);
    assert.equal((await M.select("INBOX"))[0], "OK");
  });
}

test("dovecot: SCRAM-SHA-256 with a wrong password is refused with the server's text", async () => {
  const { user } = dovecot().users[1];
  await using M = await connect();
  await assert.rejects(
    M.authenticate("SCRAM-SHA-256", scramAuth(user, "wrong")),
    (e: Error) => e instanceof IMAP4Error && /AUTHENTICATIONFAILED/.test(e.message),
  );
  assert.equal(M.state, "NONAUTH");
  assert.equal((await M.noop())[0], "OK");
});

test("dovecot: authenticateBest picks SCRAM-SHA-256; PLAIN after STARTTLS; not in clear", async () => {
  const { user, password } = dovecot().users[0];
  {
    await using M = await connect();
    const { mechanism, result } = await authenticateBest(M, user, password);
    assert.equal(mechanism, "SCRAM-SHA-256");
    assert.equal(result[0], "OK");
    assert.equal(M.state, "AUTH");
  }
  {
    await using M = await connect();
    const { mechanism } = await authenticateBest(M, user, password, { mechanisms: ["PLAIN"] });
    assert.equal(mechanism, "PLAIN");
  }
  await using M = await connect({ starttls: false });
  await assert.rejects(
    authenticateBest(M, user, password, { mechanisms: ["PLAIN", "LOGIN"] }),
    /PLAIN: needs TLS \(or allowPlaintext\); LOGIN: needs TLS/,
  );
  // A wrong password: refused once, no weaker mechanism tried.
  await assert.rejects(authenticateBest(M, user, "wrong"), /AUTHENTICATIONFAILED/);
  assert.equal(M.state, "NONAUTH");
});
