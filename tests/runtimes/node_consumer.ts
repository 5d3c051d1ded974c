// A TypeScript consumer of the package, type-checked twice and never run: by `deno check`
// against mod.ts (deno.json's name maps "@imaplib/imaplib" to it), and by tsc from Node's side
// (@types/node, `module: nodenext`) against the built package's .d.ts files, installed from
// dist/ (tests/runtimes/node_smoke.ts). Node 20 style: no `await using`.

import {
  type BodyStream,
  type ConnectOptions,
  type Data,
  type Idler,
  IMAP4,
  IMAP4_SSL,
  IMAP4Error,
  IMAP4TlsError,
  ParseFlags,
  plainAuth,
  type Result,
  type Transport,
} from "@imaplib/imaplib";

/** The subjects of messages `set` of `mailbox`, as the server sent the header lines. */
export async function subjects(
  host: string,
  user: string,
  password: string,
  mailbox = "INBOX",
  set = "1:*",
): Promise<string[]> {
  const options: ConnectOptions = { starttls: true, timeout: 30, tls: { caCerts: [] } };
  const M: IMAP4 = await IMAP4.connect(host, 143, options);
  try {
    await M.login(user, password);
    await M.select(mailbox, true);
    const [type, data]: Result = await M.fetch(set, "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])");
    if (type !== "OK") throw new IMAP4Error(`FETCH answered ${type}`);
    const text = new TextDecoder();
    return data.flatMap((item: Data) => Array.isArray(item) ? [text.decode(item[1])] : []);
  } finally {
    await M.logout();
  }
}

/** Waits up to `seconds` for one IDLE notification; `null` if none came. */
export async function nextNotification(M: IMAP4, seconds: number): Promise<string | null> {
  const idler: Idler = await M.idle({ duration: seconds, signal: AbortSignal.timeout(60_000) });
  try {
    const next = await idler.next();
    return next ? next[0] : null;
  } finally {
    await idler.done();
  }
}

/** The size and bytes of one message, streamed. */
export async function message(M: IMAP4, uid: string): Promise<Uint8Array | null> {
  const part: BodyStream | null = await M.fetchBody(uid, "BODY.PEEK[]", { uid: true });
  if (!part) return null;
  const bytes = new Uint8Array(await new Response(part.body).arrayBuffer());
  const [status] = await part.done;
  return status === "OK" && bytes.length === part.sizeBytes ? bytes : null;
}

/** Implicit TLS and AUTHENTICATE PLAIN; false when the certificate is refused. */
export async function canLogIn(host: string, user: string, password: string): Promise<boolean> {
  try {
    const S = await IMAP4_SSL.connect(host, 993, { timeout: 30 });
    await S.authenticate("PLAIN", plainAuth(user, password));
    await S.logout();
    return true;
  } catch (error) {
    if (error instanceof IMAP4TlsError) return false;
    throw error;
  }
}

/** Any readable/writable pair, e.g. from `stream.Duplex.toWeb()` of a Node socket. */
export function overStreams(pair: Transport): Promise<IMAP4> {
  return IMAP4.fromTransport(pair, { timeout: 30 });
}

/** imaplib's module functions keep their types. */
export const flags: Uint8Array[] = ParseFlags("1 (FLAGS (\\Seen \\Answered))");
