// Certificate failures on both TLS paths (IMAP4_SSL and STARTTLS) against real Dovecot
// instances serving a self-signed and an expired certificate. (Unknown CA and wrong host name
// are in dovecot_tls_idle_test.ts, against the main fixture.)

import assert from "node:assert/strict";
import { IMAP4, IMAP4_SSL, IMAP4TlsError } from "../mod.ts";
import { startDovecot } from "../scripts/dovecot.ts";
import { EC, makeCa, openssl } from "./_certs.ts";
import { denoOnly, test } from "./_harness.ts";

const LEAF_EXT = [
  "basicConstraints=critical,CA:FALSE",
  "keyUsage=critical,digitalSignature",
  "extendedKeyUsage=serverAuth",
  "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "",
].join("\n");

interface Certs {
  caPem: string;
  expired: { certPem: string; keyPem: string };
  selfSigned: { certPem: string; keyPem: string };
}

// A CA, a localhost certificate it issued that expired in 2020, and a self-signed one.
async function makeCerts(dir: string): Promise<Certs> {
  await Deno.writeTextFile(`${dir}/leaf.ext`, LEAF_EXT);
  const caPem = await makeCa(dir, "expiry test CA");
  await openssl([
    "req",
    "-new",
    ...EC,
    "-keyout",
    "old.key",
    "-out",
    "old.csr",
    "-subj",
    "/CN=localhost",
  ], dir);
  // `openssl ca` is the 3.0 way to set past validity dates.
  await Deno.writeTextFile(`${dir}/index.txt`, "");
  await Deno.writeTextFile(`${dir}/serial`, "1000\n");
  await Deno.writeTextFile(
    `${dir}/ca.conf`,
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `dir = ${dir}`,
      `database = ${dir}/index.txt`,
      `new_certs_dir = ${dir}`,
      `serial = ${dir}/serial`,
      "default_md = sha256",
      "policy = any",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  await openssl([
    "ca",
    "-batch",
    "-config",
    "ca.conf",
    "-cert",
    "ca.pem",
    "-keyfile",
    "ca.key",
    "-in",
    "old.csr",
    "-out",
    "old.pem",
    "-startdate",
    "20200101000000Z",
    "-enddate",
    "20200201000000Z",
    "-extfile",
    "leaf.ext",
    "-notext",
  ], dir);
  await openssl([
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "30",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "-addext",
    "extendedKeyUsage=serverAuth",
    "-addext",
    "basicConstraints=critical,CA:FALSE",
  ], dir);
  const read = (name: string) => Deno.readTextFile(`${dir}/${name}`);
  return {
    caPem,
    expired: { certPem: await read("old.pem"), keyPem: await read("old.key") },
    selfSigned: { certPem: await read("self.pem"), keyPem: await read("self.key") },
  };
}

// Deno only: starts its own Dovecot instances (scripts/dovecot.ts uses Deno's APIs) and openssl via Deno.Command.
test("TLS: self-signed and expired certificates fail on IMAP4_SSL and on STARTTLS", async () => {
  const dir = await Deno.makeTempDir({ prefix: "imaplib-certs-" });
  try {
    const certs = await makeCerts(dir);
    const cases = [
      // Trusting the self-signed certificate's own CA would be trusting it: trust nothing extra.
      {
        name: "self-signed",
        certificate: certs.selfSigned,
        caCerts: [],
        // Deno's own TLS (IMAP4_SSL) says UnknownIssuer; the Node API (Bun, Node, and Deno's
        // node:tls, which `starttls: true` uses on Deno) says "self-signed certificate".
        reason: /UnknownIssuer|self-signed certificate/,
      },
      // The issuer is trusted; only the dates are wrong.
      {
        name: "expired",
        certificate: certs.expired,
        caCerts: [certs.caPem],
        // Deno's own TLS: "certificate expired"; Node and Bun: "certificate has expired";
        // Deno's node:tls (the STARTTLS path there) words it "unable to verify the first
        // certificate" (README, Security: cancelled TLS handshakes).
        reason: /certificate (has )?expired|unable to verify the first certificate/,
      },
    ];
    for (const { name, certificate, caCerts, reason } of cases) {
      const server = await startDovecot({ certificate });
      try {
        await assert.rejects(
          IMAP4_SSL.connect("localhost", server.imapsPort, { tls: { caCerts }, timeout: 10 }),
          (e: Error) => {
            assert.ok(e instanceof IMAP4TlsError, `${name} IMAP4_SSL: ${e}`);
            assert.match(e.message, reason);
            // Said once: not "TLS handshake failed: TLS handshake with ... failed", and the
            // cause is the runtime's own error, not a copy of the message.
            assert.equal(e.message.match(/TLS handshake/g)?.length, 1, e.message);
            assert.notEqual((e.cause as Error | undefined)?.message, e.message);
            return true;
          },
        );
        await assert.rejects(
          IMAP4.connect("localhost", server.imapPort, {
            starttls: true,
            tls: { caCerts },
            timeout: 10,
          }),
          (e: Error) => {
            assert.ok(e instanceof IMAP4TlsError, `${name} STARTTLS: ${e}`);
            assert.match(e.message, reason);
            // Said once: not "TLS handshake failed: TLS handshake with ... failed", and the
            // cause is the runtime's own error, not a copy of the message.
            assert.equal(e.message.match(/TLS handshake/g)?.length, 1, e.message);
            assert.notEqual((e.cause as Error | undefined)?.message, e.message);
            return true;
          },
        );
      } finally {
        await server.stop();
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, denoOnly);
