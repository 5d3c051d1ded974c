/**
 * OAUTHBEARER (RFC 7628): an OAuth 2.0 bearer token in a GS2-framed SASL message, with the
 * server's JSON error challenge decoded.
 *
 * @module
 */

import { IMAP4Error } from "../errors.ts";
import type { Authenticator } from "../auth.ts";

/** Options of {@linkcode oauthBearerAuth}: what the token was issued for (RFC 7628 section 3.1). */
export interface OAuthBearerOptions {
  /** The server's host name, sent as `host=`; left out when absent. */
  host?: string;
  /** The server's port, sent as `port=`; left out when absent. */
  port?: number;
}

/**
 * The error the server sent in its OAUTHBEARER challenge (RFC 7628 section 3.2.2), decoded from
 * JSON. `status` is the OAuth error (`"invalid_token"`, `"insufficient_scope"`...); `scope` the
 * scope the token would need; `openidConfiguration` where to discover a new token.
 */
export interface OAuthBearerError {
  /** The OAuth error code (RFC 6750 section 3.1), e.g. `"invalid_token"`. */
  status: string;
  /** Space-separated scopes the server needs, if it said. */
  scope?: string;
  /** The OpenID discovery URL (`openid-configuration`), if it said. */
  openidConfiguration?: string;
}

/**
 * An authentication refused with an error the mechanism decoded (OAUTHBEARER's JSON error,
 * RFC 7628 section 3.2.2); `message` is the server's tagged NO text followed by the decoded
 * error, `oauth` the error itself. A subclass of {@linkcode IMAP4Error}.
 *
 * @example Telling an expired token from other failures
 * ```ts ignore
 * import { IMAP4AuthenticationError, oauthBearerAuth } from "@imaplib/imaplib";
 * try {
 *   await M.authenticate("OAUTHBEARER", oauthBearerAuth("alice@example.org", token));
 * } catch (e) {
 *   if (e instanceof IMAP4AuthenticationError && e.oauth.status === "invalid_token") {
 *     // refresh the token and try again
 *   } else throw e;
 * }
 * ```
 */
export class IMAP4AuthenticationError extends IMAP4Error {
  /** The decoded OAUTHBEARER error. */
  readonly oauth: OAuthBearerError;
  /**
   * Makes the error.
   * @param message The server's NO text and the decoded error.
   * @param oauth The decoded error.
   */
  constructor(message: string, oauth: OAuthBearerError) {
    super(message);
    this.oauth = oauth;
  }
}

const SEPARATOR = "\x01";

function checked(value: string, what: string): string {
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    throw new IMAP4Error(`OAUTHBEARER: the ${what} contains a control character`);
  }
  return value;
}

/**
 * An authenticator for OAUTHBEARER (RFC 7628), for `M.authenticate("OAUTHBEARER", ...)`, beside
 * XOAUTH2 (`xoauth2Auth`) for servers that offer only the older one.
 *
 * Behaviour: the first call (empty challenge) returns
 * `n,a=user,^Ahost=H^Aport=P^Aauth=Bearer T^A^A` (section 3.1; with SASL-IR on the
 * AUTHENTICATE line). A refused token comes back as a challenge holding a JSON error
 * (section 3.2.2): it is decoded and answered with the dummy response `^A` (section 3.2.3), and
 * the server's NO then throws an {@linkcode IMAP4AuthenticationError} carrying it.
 *
 * @param user The account's address (GS2 `a=`; `=` and `,` escaped).
 * @param token An OAuth 2.0 access token.
 * @param options See {@linkcode OAuthBearerOptions}.
 * @returns An {@linkcode Authenticator}.
 * @throws {IMAP4Error} when called, for a control character in a field (it would shift the
 *   key-value pairs); the exchange is then cancelled with `*`.
 * @throws {IMAP4AuthenticationError} from `authenticate()`, on NO after a JSON error challenge.
 *
 * @example Initial response
 * ```ts
 * import { oauthBearerAuth } from "@imaplib/imaplib";
 * const auth = oauthBearerAuth("alice@example.org", "vF9dft4qmT", { host: "imap.example.org", port: 993 });
 * console.assert(
 *   auth(new Uint8Array(0)) ===
 *     "n,a=alice@example.org,\x01host=imap.example.org\x01port=993\x01auth=Bearer vF9dft4qmT\x01\x01",
 * );
 * ```
 */
export function oauthBearerAuth(
  user: string,
  token: string,
  options: OAuthBearerOptions = {},
): Authenticator {
  let sent = false;
  let error: OAuthBearerError | null = null;
  const authenticator = (challenge: Uint8Array): string => {
    if (!sent) {
      sent = true;
      const name = checked(user, "user").replaceAll("=", "=3D").replaceAll(",", "=2C");
      const fields = [];
      if (options.host !== undefined) fields.push(`host=${checked(options.host, "host")}`);
      if (options.port !== undefined) {
        if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
          throw new RangeError(`port must be an integer 0..65535, got ${options.port}`);
        }
        fields.push(`port=${options.port}`);
      }
      fields.push(`auth=Bearer ${checked(token, "token")}`);
      return `n,a=${name},${SEPARATOR}${fields.join(SEPARATOR)}${SEPARATOR}${SEPARATOR}`;
    }
    error = decodeError(challenge);
    return SEPARATOR;
  };
  return Object.assign(authenticator, {
    finish(status: string, text: string): void {
      if (status === "OK" || !error) return;
      const said = [`status ${JSON.stringify(error.status)}`];
      if (error.scope !== undefined) said.push(`scope ${JSON.stringify(error.scope)}`);
      throw new IMAP4AuthenticationError(`${text} (OAUTHBEARER: ${said.join(", ")})`, error);
    },
  });
}

// RFC 7628 section 3.2.2: `{"status":"invalid_token","scope":"...","openid-configuration":"..."}`.
function decodeError(challenge: Uint8Array): OAuthBearerError {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(challenge));
  } catch {
    throw new IMAP4Error("OAUTHBEARER: the server's challenge is not a JSON error");
  }
  const object = (json ?? {}) as Record<string, unknown>;
  if (typeof object !== "object" || typeof object.status !== "string") {
    throw new IMAP4Error("OAUTHBEARER: the server's error has no status");
  }
  const error: OAuthBearerError = { status: object.status };
  if (typeof object.scope === "string") error.scope = object.scope;
  if (typeof object["openid-configuration"] === "string") {
    error.openidConfiguration = object["openid-configuration"];
  }
  return error;
}
