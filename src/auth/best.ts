/**
 * Choosing the strongest SASL mechanism both sides have, without silent downgrades.
 *
 * @module
 */

import { IMAP4Abort, IMAP4Error } from "../errors.ts";
import type { Authenticator } from "../auth.ts";
import { plainAuth } from "../auth.ts";
import type { IMAP4 } from "../client/imap4.ts";
import { IMAP4_SSL } from "../client/imap4_ssl.ts";
import { coreOf } from "../client/core.ts";
import type { Result } from "../session/session.ts";
import { scramAuth } from "./scram.ts";

/**
 * The mechanisms {@linkcode authenticateBest} knows, strongest first: SCRAM (the password never
 * crosses the wire and the server proves it knows it), then PLAIN and the LOGIN command (the
 * password in the clear inside TLS).
 */
export type BestMechanism = "SCRAM-SHA-256" | "SCRAM-SHA-1" | "PLAIN" | "LOGIN";

/**
 * The default order of {@linkcode authenticateBest}, strongest first.
 *
 * @example Only the SCRAM mechanisms
 * ```ts
 * import { BEST_MECHANISMS } from "@imaplib/imaplib";
 * const scramOnly = BEST_MECHANISMS.filter((m) => m.startsWith("SCRAM-"));
 * console.assert(scramOnly.join(" ") === "SCRAM-SHA-256 SCRAM-SHA-1");
 * ```
 */
export const BEST_MECHANISMS: readonly BestMechanism[] = [
  "SCRAM-SHA-256",
  "SCRAM-SHA-1",
  "PLAIN",
  "LOGIN",
];

/** Options of {@linkcode authenticateBest}. */
export interface AuthenticateBestOptions {
  /**
   * The mechanisms to consider, in order of preference; only those the server offers are
   * tried (`AUTH=...` capabilities; LOGIN unless `LOGINDISABLED`).
   * @default {["SCRAM-SHA-256", "SCRAM-SHA-1", "PLAIN", "LOGIN"]}
   */
  mechanisms?: readonly BestMechanism[];
  /**
   * After the server refuses a mechanism (NO), try the next one. Never after the mechanism
   * itself failed (a wrong SCRAM server signature: that server must not get the password in
   * the clear next), nor after the connection ended.
   * @default {false}
   */
  fallback?: boolean;
  /**
   * Whether the connection is protected by TLS. Detected by default: `IMAP4_SSL`, or a
   * completed STARTTLS. Pass `true` for a custom transport that is TLS already.
   */
  tls?: boolean;
  /** Allow PLAIN and LOGIN without TLS (they send the password readable). @default {false} */
  allowPlaintext?: boolean;
}

/** What {@linkcode authenticateBest} did: the mechanism that succeeded and its result. */
export interface AuthenticateBestResult {
  /** The mechanism that logged in. */
  mechanism: BestMechanism;
  /** The `[type, data]` of the `authenticate()` or `login()` call, `["OK", [text]]`. */
  result: Result;
}

/**
 * Logs in with the strongest mechanism that both the caller allows and the server offers:
 * SCRAM-SHA-256 > SCRAM-SHA-1 > PLAIN > LOGIN by default. PLAIN and LOGIN are used only over
 * TLS unless `allowPlaintext` says otherwise. A refusal is final unless `fallback` is set: the
 * next weaker mechanism is never tried behind the caller's back.
 *
 * Behaviour: one `authenticate()` (or `login()`) call at a time, each queued as any command;
 * SASL-IR is used where advertised; capabilities are refreshed after success. Needs the
 * NONAUTH state.
 *
 * @param client A connected client in the NONAUTH state.
 * @param user User name.
 * @param password Password.
 * @param options See {@linkcode AuthenticateBestOptions}.
 * @returns The mechanism used and its `["OK", [text]]`.
 * @throws {IMAP4Error} when no allowed mechanism is offered (the message lists what the
 *   server offers and why each allowed one was not usable), nothing sent; the refusal of the
 *   mechanism tried (the last one tried, with `fallback`).
 * @throws {IMAP4Abort} when the connection ends.
 *
 * @example Log in with the best mechanism
 * ```ts ignore
 * import { authenticateBest, IMAP4 } from "@imaplib/imaplib";
 * await using M = await IMAP4.connect("imap.example.org", 143, { starttls: true });
 * const { mechanism } = await authenticateBest(M, "alice", "secret");
 * console.log(mechanism); // "SCRAM-SHA-256" where offered
 * ```
 */
export async function authenticateBest(
  client: IMAP4,
  user: string,
  password: string,
  options: AuthenticateBestOptions = {},
): Promise<AuthenticateBestResult> {
  const capabilities = client.capabilities;
  const tls = options.tls ?? (client instanceof IMAP4_SSL || coreOf(client).session.tls);
  const plaintextOk = tls || options.allowPlaintext === true;
  const usable: BestMechanism[] = [];
  const why: string[] = [];
  for (const mechanism of options.mechanisms ?? BEST_MECHANISMS) {
    if (!BEST_MECHANISMS.includes(mechanism)) {
      throw new TypeError(`unknown mechanism ${JSON.stringify(mechanism)}`);
    }
    const offered = mechanism === "LOGIN"
      ? !capabilities.includes("LOGINDISABLED")
      : capabilities.includes(`AUTH=${mechanism}`);
    if (!offered) why.push(`${mechanism}: not offered`);
    else if (!mechanism.startsWith("SCRAM-") && !plaintextOk) {
      why.push(`${mechanism}: needs TLS (or allowPlaintext)`);
    } else usable.push(mechanism);
  }
  if (!usable.length) {
    throw new IMAP4Error(`no usable authentication mechanism (${why.join("; ")})`);
  }
  let last: unknown;
  for (const mechanism of usable) {
    let mechanismFailed = false;
    const guard = (auth: Authenticator): Authenticator =>
      Object.assign(async (challenge: Uint8Array) => {
        try {
          return await auth(challenge);
        } catch (error) {
          mechanismFailed = true;
          throw error;
        }
      }, { finish: auth.finish });
    try {
      const result = mechanism === "LOGIN"
        ? await client.login(user, password)
        : await client.authenticate(
          mechanism,
          guard(
            mechanism === "PLAIN"
              ? plainAuth(user, password)
              : scramAuth(user, password, mechanism === "SCRAM-SHA-1" ? "SHA-1" : "SHA-256"),
          ),
        );
      return { mechanism, result };
    } catch (error) {
      last = error;
      if (!options.fallback || mechanismFailed || error instanceof IMAP4Abort) throw error;
      if (!(error instanceof IMAP4Error)) throw error;
    }
  }
  throw last;
}
