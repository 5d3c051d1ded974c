/**
 * Picks the runtime's transport lazily, so that importing the library loads no runtime-specific
 * module and touches no runtime global.
 *
 * @module
 */

import { errorMessage, IMAP4ConnectionError, IMAP4Error, IMAP4TimeoutError } from "../errors.ts";
import { untilAborted } from "./abortable.ts";
import type { OpenOptions, Transport } from "./transport.ts";

const isDeno = () =>
  Boolean((globalThis as { Deno?: { version?: { deno?: string } } }).Deno?.version?.deno);
const hasNodeApi = () =>
  Boolean((globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node);

/** Timers for the connect timeout: the session's `Clock` (structurally), or the runtime's. */
export interface Timers {
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const globalTimers: Timers = {
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

// Deno's own APIs on Deno; the Node API (node:net, node:tls) on Bun and Node.
async function opener(
  options: OpenOptions,
): Promise<(options: OpenOptions) => Promise<Transport>> {
  // Deno cannot close the TCP socket of a TLS handshake it abandons (Deno.startTls consumes
  // it and keeps it until the peer closes), so a connection that will upgrade uses Deno's Node
  // API, whose sockets can be destroyed; the others keep Deno's faster own API.
  if (isDeno() && !(options.upgradable && hasNodeApi())) {
    return (await import("./deno.ts")).openDeno;
  }
  if (hasNodeApi()) return (await import("./node.ts")).openNode;
  throw new IMAP4Error(
    "no built-in transport for this runtime; pass a stream pair to IMAP4.fromTransport()",
  );
}

/**
 * Opens a network transport with the running runtime's APIs, bounded by `timeout` seconds and
 * `signal`.
 * @throws {IMAP4ConnectionError} if the connection fails; {@linkcode IMAP4TimeoutError} on
 *   timeout or abort; `IMAP4TlsError` if TLS fails; {@linkcode IMAP4Error} if this runtime has
 *   no transport (use `IMAP4.fromTransport()` there).
 */
export async function openTransport(
  options: OpenOptions,
  timeout?: number,
  signal?: AbortSignal,
  timers: Timers = globalTimers,
): Promise<Transport> {
  const open = await opener(options);
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted) onAbort();
  const timer = timeout === undefined ? undefined : timers.setTimer(
    () => controller.abort(new IMAP4TimeoutError(`connect timed out after ${timeout} s`)),
    timeout * 1000,
  );
  const where = `${options.hostname}:${options.port}`;
  try {
    const opening = open({ ...options, signal: controller.signal });
    return await untilAborted(opening, controller.signal, (late) => late.close());
  } catch (error) {
    if (error instanceof IMAP4Error) throw error;
    if (controller.signal.aborted) {
      const reason = controller.signal.reason;
      if (reason instanceof IMAP4TimeoutError) throw reason;
      throw new IMAP4TimeoutError(`connect to ${where} aborted by signal`, { cause: reason });
    }
    const detail = errorMessage(error);
    throw new IMAP4ConnectionError(`cannot connect to ${where}: ${detail}`, { cause: error });
  } finally {
    if (timer !== undefined) timers.clearTimer(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Runs `command` through the shell as a child process whose stdin/stdout are the transport.
 * @throws {IMAP4Error} if this runtime has no child-process transport.
 * @throws {IMAP4ConnectionError} if the process cannot be started.
 */
export async function spawnTransport(
  command: string,
  stderr: "inherit" | "null",
): Promise<Transport> {
  try {
    if (isDeno()) return (await import("./deno.ts")).spawnDeno(command, stderr);
    if (hasNodeApi()) return await (await import("./node.ts")).spawnNode(command, stderr);
  } catch (error) {
    const detail = errorMessage(error);
    throw new IMAP4ConnectionError(`cannot run ${JSON.stringify(command)}: ${detail}`, {
      cause: error,
    });
  }
  throw new IMAP4Error("no built-in child-process transport for this runtime");
}
