/**
 * SASL for `IMAP4.authenticate()` (RFC 3501 section 6.2.2): the challenge/response exchange,
 * the SASL-IR initial response (RFC 4959) and ready authenticators for PLAIN (RFC 4616),
 * XOAUTH2 and CRAM-MD5 (RFC 2195); SCRAM, OAUTHBEARER and the mechanism choice are in `auth/`.
 *
 * @module
 */

import { IMAP4Error } from "./errors.ts";
import { fromBase64, toBase64, toBytes } from "./wire/bytes.ts";

/**
 * imaplib's `authobject`: called with each server challenge (base64-decoded bytes, empty for a
 * bare `+`), returns the response to send (base64-encoded for you), or `null` to cancel the
 * exchange with `*`. May be async. With SASL-IR (RFC 4959) and a client-first mechanism, the
 * first call (empty challenge) is made before the command is sent and its answer goes on the
 * AUTHENTICATE line.
 *
 * A plain function is enough; an authenticator may also have `finish`, which `authenticate()`
 * calls with the tagged reply's status and text: it throws to fail a login that the mechanism
 * did not complete (SCRAM: an OK before the server signature was verified) or to explain a NO
 * (OAUTHBEARER: the decoded JSON error).
 */
export interface Authenticator {
  /** Answers one challenge. */
  (challenge: Uint8Array): Uint8Array | string | null | Promise<Uint8Array | string | null>;
  /**
   * Called once the tagged reply arrived, with its status (`"OK"` or `"NO"`) and text.
   * @throws {IMAP4Error} to fail the authentication with its own message.
   */
  finish?(status: string, text: string): void;
}

// Mechanisms where the client speaks first (RFC 4959 section 3: only these get an initial
// response on the AUTHENTICATE line). Server-first ones (CRAM-MD5, LOGIN, DIGEST-MD5) and
// unknown ones are sent without, and get their first challenge from the server.
const CLIENT_FIRST = /^(PLAIN|XOAUTH2|OAUTHBEARER|EXTERNAL|ANONYMOUS|SCRAM-[A-Z0-9-]+)$/;

/**
 * The AUTHENTICATE arguments after the mechanism name: with SASL-IR advertised and a
 * client-first mechanism, the base64 initial response (`=` for an empty one, RFC 4959
 * section 3), else none.
 * @throws {IMAP4Error} if the authenticator cancels before anything was sent.
 * @internal
 */
export async function initialResponse(
  mechanism: string,
  capabilities: readonly string[],
  answer: (data: Uint8Array | null) => Promise<Uint8Array>,
): Promise<Uint8Array[]> {
  if (!capabilities.includes("SASL-IR") || !CLIENT_FIRST.test(mechanism)) return [];
  const bytes = await answer(null);
  if (bytes.length === 1 && bytes[0] === CANCEL[0]) {
    throw new IMAP4Error("AUTHENTICATE cancelled by the authenticator before it was sent");
  }
  return [bytes.length ? bytes : encoder.encode("=")];
}

const encoder = new TextEncoder();
const CANCEL = encoder.encode("*");

/**
 * Wraps an {@linkcode Authenticator} as imaplib's `_Authenticator.process`: decodes the
 * challenge, encodes the answer, `null` becomes `*`.
 * @internal
 */
export function processor(
  authobject: Authenticator,
): (data: Uint8Array | null) => Promise<Uint8Array> {
  return async (data) => {
    let challenge: Uint8Array;
    try {
      challenge = data && data.length
        ? fromBase64(new TextDecoder().decode(data).replace(/\s+/g, ""))
        : new Uint8Array(0);
    } catch {
      // A challenge that is not base64: cancel rather than answer something undefined.
      return CANCEL;
    }
    const answer = await authobject(challenge);
    if (answer === null) return CANCEL;
    return encoder.encode(toBase64(toBytes(answer)));
  };
}

/**
 * An authenticator for SASL PLAIN (RFC 4616): `authzid NUL user NUL password`, sent as the
 * answer to the first (empty) challenge.
 *
 * @param user Authentication identity.
 * @param password Password.
 * @param authzid Authorization identity to act as; empty to act as `user`. @default {""}
 * @returns An {@linkcode Authenticator} for `M.authenticate("PLAIN", ...)`.
 * @throws {IMAP4Error} when called, if any part contains NUL (it would shift the fields).
 *
 * @example
 * ```ts
 * import { plainAuth } from "@imaplib/imaplib";
 * const answer = plainAuth("alice", "secret")(new Uint8Array(0));
 * console.assert(answer === "\0alice\0secret");
 * ```
 */
export function plainAuth(user: string, password: string, authzid = ""): Authenticator {
  return () => {
    if ([user, password, authzid].some((part) => part.includes("\0"))) {
      throw new IMAP4Error("PLAIN credentials must not contain NUL");
    }
    return `${authzid}\0${user}\0${password}`;
  };
}

/**
 * An authenticator for XOAUTH2 (Google, Microsoft): `user=U^Aauth=Bearer T^A^A`. When the
 * server refuses the token it sends a JSON error as a challenge; the authenticator answers it
 * with an empty response, as the protocol requires, and the command then fails with NO.
 *
 * @param user The account's address.
 * @param accessToken An OAuth 2.0 access token.
 * @returns An {@linkcode Authenticator} for `M.authenticate("XOAUTH2", ...)`.
 *
 * @example
 * ```ts
 * import { xoauth2Auth } from "@imaplib/imaplib";
 * const auth = xoauth2Auth("alice@example.org", "ya29.token");
 * console.assert(auth(new Uint8Array(0)) === "user=alice@example.org\x01auth=Bearer ya29.token\x01\x01");
 * ```
 */
export function xoauth2Auth(user: string, accessToken: string): Authenticator {
  let sent = false;
  return () => {
    if (sent) return "";
    sent = true;
    return `user=${user}\x01auth=Bearer ${accessToken}\x01\x01`;
  };
}

/**
 * imaplib's `_CRAM_MD5_AUTH` (RFC 2195): answers the challenge with
 * `user SP hex(HMAC-MD5(password, challenge))`. HMAC-MD5 comes from `node:crypto`, loaded only
 * when the authenticator runs.
 *
 * @param user User name.
 * @param password Password (a string is UTF-8 encoded, as imaplib does).
 * @returns An {@linkcode Authenticator} for `M.authenticate("CRAM-MD5", ...)`.
 *
 * @example
 * ```ts
 * import { cramMd5Auth } from "@imaplib/imaplib";
 * const challenge = new TextEncoder().encode("<1896.697170952@postoffice.reston.mci.net>");
 * const answer = await cramMd5Auth("tim", "tanstaaftanstaaf")(challenge);
 * console.assert(answer === "tim b913a602c7eda7a495b4e6e7334d3890");
 * ```
 */
export function cramMd5Auth(user: string, password: string | Uint8Array): Authenticator {
  return async (challenge) => {
    const { createHmac } = await import("node:crypto");
    return `${user} ${createHmac("md5", toBytes(password)).update(challenge).digest("hex")}`;
  };
}
