/**
 * A Cloudflare Workers (workerd) module: on a cron trigger it logs in to an IMAP server, counts
 * the UNSEEN messages of INBOX, IDLEs a few seconds collecting `EXISTS` notifications, logs out
 * and logs a JSON summary. The library has no built-in transport on workerd, so the socket
 * comes from `connect()` of `cloudflare:sockets`, wrapped as a `Transport`.
 *
 * Bindings (`env`, all text):
 *
 * - `IMAP_HOST`, `IMAP_PORT`, `IMAP_USER`, `IMAP_PASSWORD`
 * - `IMAP_TLS`: `on` (implicit TLS, IMAPS, normally port 993: what real deployments use),
 *   `starttls` (plain port, then STARTTLS through `socket.startTls()` before LOGIN) or `off`
 *   (clear text; only for a server on a trusted network). Certificates are verified against
 *   the runtime's roots: public CAs on Cloudflare; on a self-hosted workerd, the
 *   `trustedCertificates` of the network service in its config (see `config.capnp`).
 * - `IDLE_SECONDS`: how long to IDLE (default 3)
 *
 * Handlers: `scheduled` (the cron job) and `fetch`, which runs the same job and streams its
 * progress as JSON lines (`{"event":"idling"}`, then the summary), for testing.
 *
 * Bundle (the library is plain TypeScript; `cloudflare:sockets` is provided by the runtime):
 *
 *   npx -y bun@1.4.5 build examples/edge/worker.ts --target=browser --format=esm \
 *     --external cloudflare:sockets --external 'node:*' --outfile=worker.js
 *
 * then serve it with `workerd serve examples/edge/config.capnp` (next to `worker.js`), or deploy
 * it with wrangler (`main = "worker.js"`, a `[triggers] crons` entry, and the bindings as vars
 * and secrets).
 *
 * @module
 */

// Types only for `deno check`; the runtime module comes from workerd.
// @ts-types="./cloudflare_sockets.d.ts"
import { connect, type Socket } from "cloudflare:sockets";
import { IMAP4, type Transport } from "../../mod.ts";

/** The worker's bindings. */
export interface Env {
  IMAP_HOST: string;
  IMAP_PORT: string;
  IMAP_USER: string;
  IMAP_PASSWORD: string;
  IMAP_TLS?: string;
  IDLE_SECONDS?: string;
}

/** What one run found, as logged and returned. */
export interface Summary {
  ok: boolean;
  login?: string; // LOGIN's result type: "OK"
  unseen?: number; // messages of INBOX without \Seen
  exists?: number[]; // the EXISTS counts reported during IDLE
  error?: string;
  ms: number;
}

// A cloudflare:sockets socket as the library's Transport; STARTTLS upgrades it in place.
function asTransport(socket: Socket): Transport {
  return {
    readable: socket.readable,
    writable: socket.writable,
    close: () => socket.close().catch(() => {}), // closing twice must not throw
    // Called by the library once STARTTLS got its OK and both streams are unlocked. workerd
    // verifies the certificate against the host given to connect() (it ignores, and logs, an
    // `expectedServerHostname` option); a failed handshake shows at the first read.
    startTls: () => Promise.resolve(asTransport(socket.startTls())),
  };
}

/** The job: LOGIN, SELECT INBOX, SEARCH UNSEEN, IDLE, LOGOUT. `progress` hears "idling". */
export async function checkMail(
  env: Env,
  progress: (event: string) => void = () => {},
): Promise<Summary> {
  const t0 = Date.now();
  const tls = (env.IMAP_TLS ?? "on") as "on" | "off" | "starttls";
  if (!["on", "off", "starttls"].includes(tls)) throw new Error(`bad IMAP_TLS ${tls}`);
  const idleMs = 1000 * Number(env.IDLE_SECONDS ?? "3");
  const text = new TextDecoder();
  const socket = connect(
    { hostname: env.IMAP_HOST, port: Number(env.IMAP_PORT) },
    { secureTransport: tls }, // "starttls": clear until socket.startTls()
  );
  // `await using`: LOGOUT (or just closing) whatever happens below.
  await using M = await IMAP4.fromTransport(asTransport(socket), {
    timeout: 20, // seconds per network wait
    starttls: tls === "starttls", // STARTTLS before fromTransport() returns
    tls: { hostname: env.IMAP_HOST },
  });
  const [login] = await M.login(env.IMAP_USER, env.IMAP_PASSWORD);
  await M.select("INBOX");
  const [, [ids]] = await M.search(null, "UNSEEN"); // b"1 4 7", or b"" when none
  const unseen = text.decode(ids as Uint8Array).split(" ").filter(Boolean).length;
  M.response("EXISTS"); // SELECT's count: drop it, keep only what arrives during IDLE
  const exists: number[] = [];
  {
    await using idler = await M.idle({ signal: AbortSignal.timeout(idleMs) });
    progress("idling");
    for await (const [type, data] of idler) {
      if (type === "EXISTS") exists.push(Number(text.decode(data[0] as Uint8Array)));
    }
  } // DONE sent here
  await M.logout();
  return { ok: login === "OK", login, unseen, exists, ms: Date.now() - t0 };
}

// Any failure becomes a summary with `error`, so that both handlers always log one line.
async function run(env: Env, progress?: (event: string) => void): Promise<Summary> {
  const t0 = Date.now();
  try {
    return await checkMail(env, progress);
  } catch (error) {
    return { ok: false, error: String(error), ms: Date.now() - t0 };
  }
}

export default {
  // The cron trigger (`[triggers] crons = ["*/5 * * * *"]` in wrangler.toml).
  async scheduled(_event: unknown, env: Env, _ctx: unknown): Promise<void> {
    const summary = await run(env);
    console.log(JSON.stringify(summary));
    if (!summary.ok) throw new Error(summary.error); // marks the cron run as failed
  },

  // The same job on request, streamed as JSON lines: {"event":"idling"}, then the summary.
  fetch(_request: Request, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Response {
    const { readable, writable } = new TextEncoderStream();
    const out = writable.getWriter();
    const line = (value: unknown) => out.write(JSON.stringify(value) + "\n").catch(() => {});
    // The response is returned at once and streams while the job runs; waitUntil keeps the
    // job alive even if the client goes away.
    ctx.waitUntil(
      run(env, (event) => line({ event })).then(async (summary) => {
        console.log(JSON.stringify(summary));
        await line(summary);
        await out.close().catch(() => {});
      }),
    );
    return new Response(readable, { headers: { "content-type": "application/x-ndjson" } });
  },
};
