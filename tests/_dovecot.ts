// Access to the real Dovecot that `deno task test` starts (scripts/test.ts), for the tests.

import assert from "node:assert/strict";
import { type ConnectOptions, IMAP4 } from "../mod.ts";
import { fixtureFromEnv, type FixtureInfo } from "../scripts/dovecot.ts";

/** The running fixture; fails clearly when the tests were not started by `deno task test`. */
export function dovecot(): FixtureInfo {
  const info = fixtureFromEnv();
  assert.ok(
    info,
    "IMAPLIB_FIXTURE is not set: run the tests with `deno task test`, which starts Dovecot",
  );
  return info;
}

/** Connects to the plain port with STARTTLS verified against the fixture's CA. */
export function connect(options: ConnectOptions = {}): Promise<IMAP4> {
  const info = dovecot();
  return IMAP4.connect(info.host, info.imapPort, {
    timeout: 10,
    starttls: true,
    tls: { caCerts: [info.caCertPem] },
    ...options,
  });
}

/** Connects and logs in as `alice` (or the user given). */
export async function login(user = 0, options: ConnectOptions = {}): Promise<IMAP4> {
  const M = await connect(options);
  const { user: name, password } = dovecot().users[user];
  await M.login(name, password);
  return M;
}

/** A mailbox name no other test uses. */
export function uniqueMailbox(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A small RFC 5322 message. */
export function message(subject: string, body = "Hello.\r\n", extra = ""): string {
  return `From: bob@example.org\r\nTo: alice@example.org\r\nSubject: ${subject}\r\n` +
    `Message-ID: <${crypto.randomUUID()}@example.org>\r\n${extra}\r\n${body}`;
}
