// TLS (IMAP4_SSL, STARTTLS, certificate failures) and IDLE against the real Dovecot, and the
// demo run end to end.

import assert from "node:assert/strict";
import { IMAP4, IMAP4_SSL, IMAP4TlsError } from "../mod.ts";
import { denoOnly, test } from "./_harness.ts";
import { dovecot, login, message, uniqueMailbox } from "./_dovecot.ts";
import { show } from "./_bytes.ts";

// A CA the server's certificate was not issued by (the system roots do not know it either).
async function otherCa(): Promise<string> {
  const dir = await Deno.makeTempDir();
  try {
    const run = await new Deno.Command("openssl", {
      args: [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        `${dir}/key.pem`,
        "-out",
        `${dir}/ca.pem`,
        "-days",
        "2",
        "-subj",
        "/CN=other CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
    return await Deno.readTextFile(`${dir}/ca.pem`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

test("dovecot TLS: IMAP4_SSL verifies the certificate against the fixture CA", async () => {
  const info = dovecot();
  await using M = await IMAP4_SSL.connect(info.host, info.imapsPort, {
    tls: { caCerts: [info.caCertPem] },
    timeout: 10,
  });
  assert.equal(M.state, "NONAUTH");
  assert.ok(!M.capabilities.includes("STARTTLS"));
  assert.equal((await M.login(info.users[0].user, info.users[0].password))[0], "OK");
});

test("dovecot TLS: IMAP4_SSL and STARTTLS to an address verify the certificate's IP name", async () => {
  // No SNI may carry an address (RFC 6066 section 3; Bun refuses to send one): the certificate
  // is checked against the address itself (the fixture's names 127.0.0.1).
  const info = dovecot();
  await using M = await IMAP4_SSL.connect(info.address, info.imapsPort, {
    tls: { caCerts: [info.caCertPem] },
    timeout: 10,
  });
  assert.equal(M.state, "NONAUTH");
  await using S = await IMAP4.connect(info.address, info.imapPort, {
    starttls: true,
    tls: { caCerts: [info.caCertPem] },
    timeout: 10,
  });
  assert.ok(!S.capabilities.includes("STARTTLS"));
});

test("dovecot TLS: fetchBodies() streams large messages over IMAP4_SSL byte for byte", async () => {
  const info = dovecot();
  await using M = await IMAP4_SSL.connect(info.host, info.imapsPort, {
    tls: { caCerts: [info.caCertPem] },
    timeout: 10,
  });
  await M.login(info.users[1].user, info.users[1].password);
  const box = uniqueMailbox("TlsBodies");
  await M.create(box);
  const sent = [3 * 1024 * 1024, 70_000].map((n, i) =>
    new TextEncoder().encode(message(`tls ${i}`, "t".repeat(n) + "\r\n"))
  );
  for (const m of sent) await M.append(box, null, null, m);
  await M.select(box);
  try {
    let i = 0;
    let buffer = new Uint8Array(100_000);
    for await (const part of M.fetchBodies("1:*")) {
      const reader = part.body.getReader({ mode: "byob" });
      const got = new Uint8Array(part.sizeBytes);
      let at = 0;
      for (;;) {
        const { value, done } = await reader.read(buffer);
        buffer = new Uint8Array(value!.buffer);
        if (done) break;
        got.set(value, at);
        at += value.length;
      }
      assert.equal(at, sent[i].length);
      assert.deepEqual(got, sent[i], `message ${i + 1}`);
      i++;
    }
    assert.equal(i, 2);
  } finally {
    await M.close();
    await M.delete(box);
  }
});

test("dovecot TLS: starttls() upgrades, discards what was learned in clear, asks again", async () => {
  const info = dovecot();
  await using M = await IMAP4.connect(info.host, info.imapPort, { timeout: 10 });
  assert.ok(M.capabilities.includes("STARTTLS"));
  assert.deepEqual(show(await M.starttls({ caCerts: [info.caCertPem] })), ["OK", [null]]);
  assert.ok(!M.capabilities.includes("STARTTLS"), "capabilities were asked again over TLS");
  assert.ok(M.capabilities.includes("IMAP4REV1"));
  assert.deepEqual(Object.keys(M.untagged_responses), []);
  await assert.rejects(M.starttls({ caCerts: [info.caCertPem] }), IMAP4TlsError);
});

// Deno only: makes its CA with Deno.Command("openssl") and Deno.makeTempDir.
test("dovecot TLS: an unknown CA fails on both IMAP4_SSL and STARTTLS", async () => {
  const info = dovecot();
  const wrong = await otherCa();
  await assert.rejects(
    IMAP4_SSL.connect(info.host, info.imapsPort, { tls: { caCerts: [wrong] }, timeout: 10 }),
    (e: Error) => {
      assert.ok(e instanceof IMAP4TlsError, String(e));
      assert.match(e.message, /certificate|UnknownIssuer/i);
      return true;
    },
  );
  await assert.rejects(
    IMAP4.connect(info.host, info.imapPort, {
      starttls: true,
      tls: { caCerts: [wrong] },
      timeout: 10,
    }),
    IMAP4TlsError,
  );
  // Without any CA option the system roots do not know the throwaway CA either.
  await assert.rejects(
    IMAP4_SSL.connect(info.host, info.imapsPort, { timeout: 10 }),
    IMAP4TlsError,
  );
}, denoOnly);

test("dovecot TLS: a host name the certificate does not name fails on both paths", async () => {
  const info = dovecot();
  const tls = { caCerts: [info.caCertPem], hostname: "imap.example.org" };
  await assert.rejects(
    IMAP4_SSL.connect(info.address, info.imapsPort, { tls, timeout: 10 }),
    (e: Error) => {
      assert.ok(e instanceof IMAP4TlsError, String(e));
      assert.match(e.message, /imap\.example\.org/);
      return true;
    },
  );
  await assert.rejects(
    IMAP4.connect(info.address, info.imapPort, { starttls: true, tls, timeout: 10 }),
    IMAP4TlsError,
  );
  // The explicitly unsafe option accepts the name mismatch (the chain is still verified).
  await using M = await IMAP4_SSL.connect(info.address, info.imapsPort, {
    tls: { ...tls, unsafelyDisableHostnameVerification: true },
    timeout: 10,
  });
  assert.equal(M.state, "NONAUTH");
});

test("dovecot IDLE: a second connection's APPEND arrives as EXISTS within a second", async () => {
  const box = uniqueMailbox("Idle");
  await using M = await login();
  await using other = await login();
  await M.create(box);
  await M.append(box, null, null, message("before"));
  await M.select(box);
  let latencyMs = -1;
  {
    await using idler = await M.idle({ duration: 5 });
    assert.equal(M.state, "IDLING");
    await other.append(box, null, null, message("during"));
    const appended = performance.now();
    for await (const [type, data] of idler) {
      if (type !== "EXISTS") continue;
      latencyMs = performance.now() - appended;
      assert.deepEqual(show([type, data]), ["EXISTS", ["2"]]);
      break;
    }
  }
  assert.equal(M.state, "SELECTED");
  // Dovecot delays notifications by ~0.5 s by design; a second is the contract.
  assert.ok(latencyMs >= 0 && latencyMs < 1000, `EXISTS after ${latencyMs} ms`);
  assert.deepEqual(show(await M.fetch("2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])"))[1][0], [
    "2 (BODY[HEADER.FIELDS (SUBJECT)] {19}",
    "Subject: during\r\n\r\n",
  ]);
  await M.close();
  await M.delete(box);
});

test("dovecot IDLE: duration ends iteration; DONE is answered and the session goes on", async () => {
  await using M = await login();
  await M.select("INBOX");
  const started = performance.now();
  {
    await using idler = await M.idle({ duration: 0.3 });
    for await (const _ of idler) {
      // Nothing is expected; whatever arrives is fine.
    }
  }
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 300 && elapsed < 2000, `idle lasted ${elapsed} ms`);
  assert.equal((await M.noop())[0], "OK");
});

// Deno only: the demo is a Deno script, run with Deno.execPath().
test(
  "demo: examples/demo.ts runs against the fixture and shows the IDLE notification",
  async () => {
    const info = dovecot();
    const caFile = await Deno.makeTempFile({ suffix: ".pem" });
    try {
      await Deno.writeTextFile(caFile, info.caCertPem);
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", new URL("../examples/demo.ts", import.meta.url).pathname],
        env: {
          IMAP_HOST: info.host,
          IMAP_PORT: String(info.imapPort),
          IMAP_USER: info.users[1].user,
          IMAP_PASSWORD: info.users[1].password,
          IMAP_CA_FILE: caFile,
        },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const out = new TextDecoder().decode(run.stdout);
      assert.equal(run.code, 0, out + new TextDecoder().decode(run.stderr));
      assert.match(out, /certificate verified/);
      assert.match(out, /server says: \* \d+ EXISTS/);
      assert.match(out, /new message: IDLE demo /);
      assert.match(out, /logout: BYE/);
    } finally {
      await Deno.remove(caFile);
    }
  },
  denoOnly,
);
