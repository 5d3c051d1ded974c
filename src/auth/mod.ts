/**
 * SASL beyond imaplib's PLAIN, XOAUTH2 and CRAM-MD5: SCRAM-SHA-256/SCRAM-SHA-1 (RFC 5802,
 * RFC 7677), OAUTHBEARER (RFC 7628), SASLprep (RFC 4013), and `authenticateBest`, which picks
 * the strongest mechanism offered without silent downgrades.
 *
 * @module
 */

export { scramAuth, type ScramHash, type ScramOptions } from "./scram.ts";
export {
  IMAP4AuthenticationError,
  oauthBearerAuth,
  type OAuthBearerError,
  type OAuthBearerOptions,
} from "./oauthbearer.ts";
export { saslprep } from "./saslprep.ts";
export {
  authenticateBest,
  type AuthenticateBestOptions,
  type AuthenticateBestResult,
  BEST_MECHANISMS,
  type BestMechanism,
} from "./best.ts";
