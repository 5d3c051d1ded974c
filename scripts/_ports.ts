// Ports and greetings for the fixture (scripts/dovecot.ts): free loopback ports to configure, and
// probes that tell when Dovecot greets on them. Deno only.

/** `n` free TCP ports on 127.0.0.1 (and free on ::1 too when `v6`). */
export function freePorts(n: number, v6: boolean): number[] {
  for (let attempt = 0; attempt < 20; attempt++) {
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < n; i++) {
        const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        listeners.push(l);
        if (v6) {
          listeners.push(Deno.listen({ hostname: "::1", port: (l.addr as Deno.NetAddr).port }));
        }
      }
      return listeners
        .map((l) => (l.addr as Deno.NetAddr))
        .filter((a) => a.hostname === "127.0.0.1")
        .map((a) => a.port);
    } catch (e) {
      if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error("could not find free ports");
}

/** Whether ::1 can be listened on. */
export function ipv6LoopbackUsable(): boolean {
  try {
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

async function readGreeting(conn: Deno.Conn): Promise<string> {
  const buf = new Uint8Array(4096);
  let text = "";
  while (!text.includes("\r\n")) {
    const n = await conn.read(buf);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  return text;
}

/** "" when 127.0.0.1:`port` accepts a connection, else null. */
export async function probeTcp(port: number): Promise<string | null> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return "";
  } catch {
    return null;
  }
}

/**
 * The greeting of 127.0.0.1:`port` (over TLS for `localhost` when `tls`) when it is `* OK`, else
 * null; throws when the TLS handshake rejects the certificate.
 */
export async function probe(
  port: number,
  tls: { caCerts: string[] } | null,
): Promise<string | null> {
  let conn: Deno.Conn | null = null;
  try {
    const tcp = await Deno.connect({ hostname: "127.0.0.1", port });
    conn = tcp;
    if (tls) conn = await Deno.startTls(tcp, { hostname: "localhost", caCerts: tls.caCerts });
    const greeting = await readGreeting(conn);
    return greeting.startsWith("* OK") ? greeting : null;
  } catch (e) {
    if (e instanceof Deno.errors.ConnectionRefused) return null;
    if (tls && e instanceof Deno.errors.InvalidData) throw e; // certificate trouble: say so
    return null;
  } finally {
    try {
      conn?.close();
    } catch {
      // closed
    }
  }
}
