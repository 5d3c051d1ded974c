/**
 * SCRAM-SHA-256 (RFC 7677) and SCRAM-SHA-1 (RFC 5802) over WebCrypto (`crypto.subtle`:
 * PBKDF2, HMAC, SHA), without channel binding (GS2 flag `n`).
 *
 * @module
 */

import { IMAP4Error } from "../errors.ts";
import { fromBase64, toBase64 } from "../wire/bytes.ts";
import type { Authenticator } from "../auth.ts";
import { saslprep } from "./saslprep.ts";

/** The hash functions SCRAM is offered with: `SCRAM-SHA-256` (RFC 7677), `SCRAM-SHA-1`. */
export type ScramHash = "SHA-256" | "SHA-1";

/** Options of {@linkcode scramAuth}. */
export interface ScramOptions {
  /** Authorization identity to act as (GS2 `a=`); empty to act as the user. @default {""} */
  authzid?: string;
  /**
   * Most PBKDF2 iterations accepted from the server (`i=`); a server asking for more is
   * refused (the exchange is cancelled), so a hostile server cannot make the client spin.
   * @default {1_000_000}
   */
  maxIterations?: number;
  /**
   * The client nonce (printable ASCII without `,`); random (24 bytes, base64) by default.
   * Only for known-answer tests: a fixed nonce lets a recorded exchange be replayed.
   */
  nonce?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// RFC 5802 section 5.1: `=` and `,` in a saslname are escaped.
function saslname(name: string): string {
  return name.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

function fail(message: string): never {
  throw new IMAP4Error(`SCRAM: ${message}`);
}

// The attributes of a server message `k=v,k=v`, in order.
function attributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(",")) {
    const match = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!match) fail(`malformed server message attribute ${JSON.stringify(part.slice(0, 40))}`);
    if (!out.has(match[1])) out.set(match[1], match[2]);
  }
  return out;
}

async function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as Uint8Array<ArrayBuffer>,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, data as Uint8Array<ArrayBuffer>));
}

async function pbkdf2(
  hash: ScramHash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    password as Uint8Array<ArrayBuffer>,
    "PBKDF2",
    false,
    ["deriveBits"],
  );
  const bits = hash === "SHA-256" ? 256 : 160;
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash, salt: salt as Uint8Array<ArrayBuffer>, iterations },
      key,
      bits,
    ),
  );
}

// Compares without an early exit, so the time taken says nothing about where they differ.
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/**
 * An authenticator for SCRAM-SHA-256 (RFC 7677) or SCRAM-SHA-1 (RFC 5802), for
 * `M.authenticate("SCRAM-SHA-256", ...)`. The password never crosses the wire, and the
 * server must prove it knows it too: its signature (`v=`) is checked, and a wrong or missing
 * one fails the login.
 *
 * Behaviour: the first call (empty challenge) returns the client-first message
 * `n,,n=user,r=nonce` (with SASL-IR it goes on the AUTHENTICATE line); the second takes the
 * server-first message, checks that its nonce extends ours, runs PBKDF2 (`i` iterations, at
 * most `maxIterations`) and returns the client-final message with the proof; the third takes
 * the server-final message and verifies the server signature, answering with an empty
 * response. No channel binding: the GS2 flag is `n` (RFC 5802 section 6), so `-PLUS`
 * variants are not offered. User name and password go through SASLprep (see `saslprep`: the
 * bidirectional check and Unicode 3.2 unassigned code points are not checked).
 *
 * @param user Authentication identity.
 * @param password Password.
 * @param hash `"SHA-256"` for SCRAM-SHA-256, `"SHA-1"` for SCRAM-SHA-1. @default {"SHA-256"}
 * @param options See {@linkcode ScramOptions}.
 * @returns An async {@linkcode Authenticator}; its `finish` fails an OK that came before the
 *   server signature was verified.
 * @throws {IMAP4Error} from the authenticator (the exchange is then cancelled with `*`): a
 *   server nonce that does not extend the client's, a malformed message, an iteration count
 *   out of range, a server error (`e=`), a mandatory extension (`m=`), or a server signature
 *   that does not match (`SCRAM: the server signature does not match ...`).
 *
 * @example Known answer from RFC 7677 section 3
 * ```ts
 * import { scramAuth } from "@imaplib/imaplib";
 * const text = (s: string) => new TextEncoder().encode(s);
 * const auth = scramAuth("user", "pencil", "SHA-256", { nonce: "rOprNGfwEbeRWgbNEkqO" });
 * console.assert(await auth(new Uint8Array(0)) === "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
 * const final = await auth(text(
 *   "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
 * ));
 * console.assert(String(final).endsWith(",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
 * await auth(text("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="));
 * auth.finish?.("OK", "Logged in");
 * ```
 */
export function scramAuth(
  user: string,
  password: string,
  hash: ScramHash = "SHA-256",
  options: ScramOptions = {},
): Authenticator {
  if (hash !== "SHA-256" && hash !== "SHA-1") {
    throw new TypeError(`hash must be "SHA-256" or "SHA-1", got ${JSON.stringify(hash)}`);
  }
  const maxIterations = options.maxIterations ?? 1_000_000;
  const authzid = options.authzid ?? "";
  let step = 0;
  let verified = false;
  let clientFirstBare = "";
  let expected: Uint8Array | null = null;
  let clientNonce = "";

  const authenticator = async (challenge: Uint8Array): Promise<string> => {
    switch (step++) {
      case 0: {
        if (challenge.length) fail("the server spoke first; SCRAM is a client-first mechanism");
        clientNonce = options.nonce ?? toBase64(crypto.getRandomValues(new Uint8Array(24)));
        if (!/^[\x21-\x2b\x2d-\x7e]+$/.test(clientNonce)) fail("invalid client nonce");
        const name = saslname(saslprep(user, "user name"));
        clientFirstBare = `n=${name},r=${clientNonce}`;
        return `${gs2Header(authzid)}${clientFirstBare}`;
      }
      case 1: {
        const serverFirst = decoder.decode(challenge);
        const attrs = attributes(serverFirst);
        if (serverFirst.startsWith("m=")) fail("the server requires an unsupported extension");
        if (attrs.has("e")) fail(`the server refused: ${attrs.get("e")}`);
        const nonce = attrs.get("r") ?? fail("no nonce in the server-first message");
        if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
          fail("the server nonce does not extend the client nonce");
        }
        const saltText = attrs.get("s") ?? fail("no salt in the server-first message");
        let salt: Uint8Array;
        try {
          salt = fromBase64(saltText);
        } catch {
          fail("the salt is not base64");
        }
        const iterationsText = attrs.get("i") ?? "";
        const iterations = /^[1-9][0-9]{0,9}$/.test(iterationsText) ? Number(iterationsText) : 0;
        if (iterations < 1 || iterations > maxIterations) {
          fail(
            `iteration count ${JSON.stringify(iterationsText)} out of range 1..${maxIterations}`,
          );
        }
        const withoutProof = `c=${toBase64(encoder.encode(gs2Header(authzid)))},r=${nonce}`;
        const authMessage = encoder.encode(`${clientFirstBare},${serverFirst},${withoutProof}`);
        const secret = encoder.encode(saslprep(password, "password"));
        const salted = await pbkdf2(hash, secret, salt, iterations);
        const clientKey = await hmac(hash, salted, encoder.encode("Client Key"));
        const storedKey = new Uint8Array(
          await crypto.subtle.digest(hash, clientKey as Uint8Array<ArrayBuffer>),
        );
        const signature = await hmac(hash, storedKey, authMessage);
        const proof = clientKey.map((b, i) => b ^ signature[i]);
        const serverKey = await hmac(hash, salted, encoder.encode("Server Key"));
        expected = await hmac(hash, serverKey, authMessage);
        return `${withoutProof},p=${toBase64(proof)}`;
      }
      case 2: {
        const attrs = attributes(decoder.decode(challenge));
        if (attrs.has("e")) fail(`the server refused: ${attrs.get("e")}`);
        let got: Uint8Array | null = null;
        try {
          got = fromBase64(attrs.get("v") ?? "");
        } catch {
          // Said below.
        }
        if (!got || !expected || !sameBytes(got, expected)) {
          fail(
            "the server signature does not match: the server does not know the password " +
              "(or someone in between is answering for it)",
          );
        }
        verified = true;
        return "";
      }
      default:
        return fail("unexpected challenge after the server-final message");
    }
  };
  return Object.assign(authenticator, {
    finish(status: "OK" | "NO" | string): void {
      if (status === "OK" && !verified) {
        fail("the server accepted the login without proving that it knows the password");
      }
    },
  });
}

function gs2Header(authzid: string): string {
  return authzid ? `n,a=${saslname(saslprep(authzid, "authorization identity"))},` : "n,,";
}
