/**
 * Shared by the examples (not by `demo.ts`, which stays self-contained): read the connection
 * settings from the environment, connect with verified TLS and log in.
 *
 * Environment, the same as `examples/demo.ts`:
 *
 * - `IMAP_HOST` (default `localhost`), `IMAP_PORT` (143, or 993 with `IMAP_TLS=ssl`)
 * - `IMAP_USER`, `IMAP_PASSWORD` (required)
 * - `IMAP_TLS`: `starttls` (the default: plain port, then STARTTLS before anything else is
 *   sent) or `ssl` (implicit TLS, IMAPS)
 * - `IMAP_CA_FILE`: PEM of a private CA to verify the server against (optional; the system
 *   roots otherwise). Certificates are always verified.
 *
 * @module
 */

import { type ConnectOptions, IMAP4, IMAP4_SSL } from "../mod.ts";

/** An environment variable, or `fallback`; throws if it is unset and has no fallback. */
export function env(name: string, fallback?: string): string {
  const value = Deno.env.get(name) ?? fallback;
  if (value === undefined) throw new Error(`set ${name} (see the comment at the top of the file)`);
  return value;
}

/** A numeric environment variable (fractions allowed), checked to be a finite number >= 0. */
export function envNumber(name: string, fallback: number): number {
  const raw = Deno.env.get(name);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number >= 0`);
  return value;
}

/**
 * Connects as the environment says and logs in. The caller owns the connection; use
 * `await using M = await connectFromEnv()` so that LOGOUT is sent whatever happens.
 *
 * @param label Shown in the one-line connection message on stderr (the example's name).
 */
export async function connectFromEnv(label = "imap"): Promise<IMAP4> {
  const host = env("IMAP_HOST", "localhost");
  const tlsMode = env("IMAP_TLS", "starttls");
  if (tlsMode !== "starttls" && tlsMode !== "ssl") {
    throw new Error(`IMAP_TLS must be "starttls" or "ssl", not ${JSON.stringify(tlsMode)}`);
  }
  const implicitTls = tlsMode === "ssl";
  const port = Number(env("IMAP_PORT", implicitTls ? "993" : "143"));
  const user = env("IMAP_USER");
  const password = env("IMAP_PASSWORD");
  const caFile = Deno.env.get("IMAP_CA_FILE");

  const options: ConnectOptions = {
    timeout: 30, // seconds, per network wait; IDLE waits are bounded by their own duration
    tls: caFile ? { caCerts: [await Deno.readTextFile(caFile)] } : {},
    starttls: !implicitTls, // refuse to go on in clear text if STARTTLS fails
  };
  const M = implicitTls
    ? await IMAP4_SSL.connect(host, port, options)
    : await IMAP4.connect(host, port, options);
  try {
    await M.login(user, password); // throws IMAP4.error if refused
  } catch (error) {
    await M.shutdown(); // not logged in: just close the connection
    throw error;
  }
  console.error(`${label}: logged in to ${host}:${port} as ${user} (${tlsMode}, verified)`);
  return M;
}
