// A recorded Dovecot FETCH stream played back by an in-memory server, so that the library's
// whole public path (IMAP4.fromTransport(), session, Web Streams, imaplib's result assembly)
// turns it into imaplib's data without a socket or a server. Shared by workload (e)
// (clients/deno_decoder.ts) and the typed-layer benchmark on the recording (typed_recorded.ts).

import type { Transport } from "../../mod.ts";
import { chunked } from "./decode.ts";

const encoder = new TextEncoder();

/** A recording as the harness saves it (`Job.record`): the FETCH's responses and tagged line. */
export interface Recording {
  /** The whole recorded stream. */
  stream: Uint8Array;
  /** The stream without its tagged line (the replaying server writes its own tag). */
  body: Uint8Array;
  /** The message count: the number of the last `* N FETCH`. */
  exists: number;
}

/** Reads a recording saved by the Deno floor (`Job.record`). */
export function readRecording(path: string): Recording {
  const stream = Deno.readFileSync(path);
  const tagged = stream.lastIndexOf(0x0a, stream.length - 3) + 1;
  const body = stream.subarray(0, tagged);
  const tail = new TextDecoder("latin1").decode(
    body.subarray(Math.max(0, body.length - 65536)),
  );
  const all = [...tail.matchAll(/\* (\d+) FETCH/g)];
  const exists = all.length ? Number(all[all.length - 1][1]) : 0;
  return { stream, body, exists };
}

/**
 * An in-memory IMAP server good for LOGIN, SELECT, FETCH (answered with the recording, in
 * 64 KiB chunks as a socket delivers them) and LOGOUT. The chunks are cut when the transport is
 * made, not when the FETCH arrives: cutting 101 MB into fresh chunks is the server's work, and
 * the client's FETCH time used to include it (bench/RESULTS.md, twelfth session). Every FETCH on
 * one transport sends the same chunks (the library only reads them).
 */
export function replayTransport(recording: Recording): Transport {
  const caps = "IMAP4rev1 LITERAL+ IDLE";
  const chunks = chunked(recording.body);
  return lineServer(`* OK [CAPABILITY ${caps}] replay ready\r\n`, (line, { send, close }) => {
    const [tag, name] = line.split(" ", 2);
    switch (name.toUpperCase()) {
      case "CAPABILITY":
        return send(`* CAPABILITY ${caps}\r\n`, `${tag} OK done\r\n`);
      case "LOGIN":
        return send(`${tag} OK [CAPABILITY ${caps}] Logged in\r\n`);
      case "SELECT":
        return send(
          "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
          `* ${recording.exists} EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] UIDs valid\r\n`,
          `${tag} OK [READ-WRITE] Select completed.\r\n`,
        );
      case "FETCH":
        return send(...chunks, `${tag} OK Fetch completed.\r\n`);
      case "LOGOUT":
        send("* BYE Logging out\r\n", `${tag} OK Logout completed.\r\n`);
        return close();
      default:
        return send(`${tag} BAD unexpected\r\n`);
    }
  });
}

/** How a {@linkcode lineServer} answers: bytes sent as they are, strings as UTF-8. */
export interface Reply {
  send(...parts: (string | Uint8Array)[]): void;
  /** Ends the stream once everything sent has been read. */
  close(): void;
}

/**
 * An in-memory IMAP server for the benchmarks: `greeting` first, then `answer` for each line the
 * client writes (commands without literals), each byte array sent a chunk of its own.
 */
export function lineServer(
  greeting: string,
  answer: (line: string, reply: Reply) => void,
): Transport {
  const out: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  let pending = "";
  const reply: Reply = {
    send(...parts) {
      for (const p of parts) out.push(typeof p === "string" ? encoder.encode(p) : p);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
  };
  reply.send(greeting);
  return {
    readable: new ReadableStream<Uint8Array>({
      async pull(controller) {
        while (out.length === 0 && !closed) {
          await new Promise<void>((r) => wake = r);
        }
        if (out.length > 0) controller.enqueue(out.shift()!);
        else controller.close();
      },
    }, { highWaterMark: 0 }),
    writable: new WritableStream<Uint8Array>({
      write(chunk) {
        pending += new TextDecoder().decode(chunk);
        let at;
        while ((at = pending.indexOf("\r\n")) >= 0) {
          const line = pending.slice(0, at);
          pending = pending.slice(at + 2);
          answer(line, reply);
        }
      },
    }),
    close: reply.close,
  };
}
