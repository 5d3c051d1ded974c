// The part of workerd's `cloudflare:sockets` that worker.ts uses, for `deno check` only (the
// module itself is built into workerd). See
// https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/

/** Where to connect. */
export interface SocketAddress {
  hostname: string;
  port: number;
}

/** Options of connect(). */
export interface SocketOptions {
  /** "off" (clear), "on" (TLS at once) or "starttls" (clear until startTls()). */
  secureTransport?: "off" | "on" | "starttls";
  allowHalfOpen?: boolean;
}

/** An open TCP connection. */
export interface Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened: Promise<{ remoteAddress?: string; localAddress?: string }>;
  readonly closed: Promise<void>;
  close(): Promise<void>;
  /** Upgrades a `secureTransport: "starttls"` socket; this socket is unusable afterwards. */
  startTls(options?: { expectedServerHostname?: string }): Socket;
}

/** Opens a TCP connection through the worker's outbound network. */
export declare function connect(address: string | SocketAddress, options?: SocketOptions): Socket;
