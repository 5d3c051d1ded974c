// authenticateBest against scripted servers: the strongest mechanism offered, PLAIN and LOGIN
// only over TLS, no fallback to a weaker mechanism unless asked, and never after a server that
// failed SCRAM's proof. Dovecot runs in dovecot_auth_test.ts.

import assert from "node:assert/strict";
import { authenticateBest, IMAP4Error } from "../mod.ts";
import { test } from "./_harness.ts";
import { type CommandHandler, connectScripted, str } from "./_scripted.ts";

const b64 = (text: string) => new TextEncoder().encode(text).toBase64();
const unb64 = (text: string) => str(Uint8Array.fromBase64(text));

/** Refuses every AUTHENTICATE (after reading a SASL-IR-less initial response); logs mechanisms. */
function refuse(seen: string[], accept: string[] = []): CommandHandler {
  return async (s, c) => {
    const mechanism = c.args.split(" ")[0];
    seen.push(mechanism);
    s.line("+ ");
    await s.readLine();
    s.line(
      accept.includes(mechanism)
        ? `${c.tag} OK Logged in`
        : `${c.tag} NO [AUTHENTICATIONFAILED] no`,
    );
  };
}

test("authenticateBest: SCRAM-SHA-256 first; a refusal is final without fallback", async () => {
  const seen: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "AUTH=PLAIN AUTH=SCRAM-SHA-1 AUTH=SCRAM-SHA-256",
    handlers: { AUTHENTICATE: refuse(seen) },
  });
  await assert.rejects(authenticateBest(M, "u", "p", { tls: true }), /AUTHENTICATIONFAILED/);
  assert.deepEqual(seen, ["SCRAM-SHA-256"]);
  assert.equal(M.state, "NONAUTH");
  await done();
});

test("authenticateBest: fallback: true tries the next weaker mechanism after a NO", async () => {
  const seen: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "AUTH=PLAIN AUTH=SCRAM-SHA-1 AUTH=SCRAM-SHA-256",
    handlers: { AUTHENTICATE: refuse(seen, ["PLAIN"]) },
  });
  const { mechanism, result } = await authenticateBest(M, "u", "p", {
    tls: true,
    fallback: true,
  });
  assert.equal(mechanism, "PLAIN");
  assert.equal(result[0], "OK");
  assert.deepEqual(seen, ["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN"]);
  assert.equal(M.state, "AUTH");
  await done();
});

test("authenticateBest: PLAIN and LOGIN need TLS unless allowPlaintext; nothing sent", async () => {
  const seen: string[] = [];
  const { M, server, done } = await connectScripted({
    capabilities: "AUTH=PLAIN",
    handlers: { AUTHENTICATE: refuse(seen, ["PLAIN"]) },
  });
  const before = server.receivedText.length;
  await assert.rejects(
    authenticateBest(M, "u", "p"),
    (e: Error) =>
      e instanceof IMAP4Error &&
      e.message === "no usable authentication mechanism (SCRAM-SHA-256: not offered; " +
          "SCRAM-SHA-1: not offered; PLAIN: needs TLS (or allowPlaintext); " +
          "LOGIN: needs TLS (or allowPlaintext))",
  );
  assert.equal(server.receivedText.length, before);
  assert.equal((await authenticateBest(M, "u", "p", { allowPlaintext: true })).mechanism, "PLAIN");
  await done();
});

test("authenticateBest: the LOGIN command when no SASL mechanism fits; never with LOGINDISABLED", async () => {
  {
    const { M, server, done } = await connectScripted({});
    const { mechanism } = await authenticateBest(M, "u", "p", { tls: true });
    assert.equal(mechanism, "LOGIN");
    assert.match(server.receivedText, / LOGIN u "p"\r\n/);
    await done();
  }
  const { M, done } = await connectScripted({ capabilities: "LOGINDISABLED" });
  await assert.rejects(
    authenticateBest(M, "u", "p", { tls: true, mechanisms: ["LOGIN"] }),
    /LOGIN: not offered/,
  );
  await done();
});

test("authenticateBest: no fallback after a wrong SCRAM server signature, even when asked", async () => {
  const seen: string[] = [];
  const { M, done } = await connectScripted({
    capabilities: "SASL-IR AUTH=SCRAM-SHA-256 AUTH=PLAIN",
    handlers: {
      AUTHENTICATE: async (s, c) => {
        const [mechanism, initial] = c.args.split(" ");
        seen.push(mechanism);
        if (mechanism !== "SCRAM-SHA-256") {
          s.line(`${c.tag} OK Logged in`);
          return;
        }
        const nonce = /,r=([^,]+)$/.exec(unb64(initial))![1];
        s.line("+ " + b64(`r=${nonce}server,s=QSXCR+Q6sek8bf92,i=4096`));
        await s.readLine();
        s.line("+ " + b64("v=" + b64("not the signature")));
        const line = await s.readLine();
        s.line(line === "*" ? `${c.tag} BAD cancelled` : `${c.tag} OK Logged in`);
      },
    },
  });
  await assert.rejects(
    authenticateBest(M, "u", "p", { tls: true, fallback: true }),
    /server signature does not match/,
  );
  assert.deepEqual(seen, ["SCRAM-SHA-256"]);
  assert.equal(M.state, "NONAUTH");
  await assert.rejects(
    authenticateBest(M, "u", "p", { mechanisms: ["CRAM-MD5" as "PLAIN"] }),
    TypeError,
  );
  await done();
});
