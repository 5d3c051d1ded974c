// Throwaway certificates for TLS tests, made with the openssl CLI. Strict verifiers (rustls in
// Deno) want the CA's basicConstraints/keyUsage and the leaf's SAN and serverAuth EKU.

import assert from "node:assert/strict";

/** Runs openssl in `cwd`; fails the test with its stderr if it fails. */
export async function openssl(args: string[], cwd: string): Promise<void> {
  const run = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
    .output();
  assert.equal(run.code, 0, `openssl ${args[0]}: ${new TextDecoder().decode(run.stderr)}`);
}

/** A new P-256 key, unencrypted. */
export const EC = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Makes `ca.key` and `ca.pem` (valid 30 days) in `dir`; returns the CA's PEM. */
export async function makeCa(dir: string, commonName: string): Promise<string> {
  await openssl([
    "req",
    "-x509",
    ...EC,
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
    "-days",
    "30",
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-addext",
    "subjectKeyIdentifier=hash",
  ], dir);
  return await Deno.readTextFile(`${dir}/ca.pem`);
}
