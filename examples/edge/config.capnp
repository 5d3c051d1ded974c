# workerd config serving the bundled examples/edge/worker.ts (as worker.js next to this file):
#
#   npx -y bun@1.4.5 build examples/edge/worker.ts --target=browser --format=esm \
#     --external cloudflare:sockets --external 'node:*' --outfile=examples/edge/worker.js
#   npx -y workerd@1.20261117.1 serve examples/edge/config.capnp
#   curl http://127.0.0.1:8787/    # runs the job, streams {"event":"idling"} and the summary
#
# tests/runtimes/workerd_smoke.ts serves this same file against the Dovecot fixture, with the
# binding values, the listening address and the trusted CA replaced.

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .checkMail),
    # The network behind connect() and fetch() (the worker's globalOutbound, "internet" by
    # default). workerd's implicit one allows public addresses only (against SSRF); "local"
    # (127.0.0.0/8, ::1) is added here for an IMAP server on this machine, "private" would add
    # 10/8, 192.168/16 and so on.
    ( name = "internet",
      network = (
        allow = ["public", "local"],
        # The CAs that connect()'s TLS (IMAP_TLS on or starttls) verifies against.
        # A private CA: trustedCertificates = [embed "ca.pem"],
        tlsOptions = (trustBrowserCas = true),
      )
    ),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8787", http = (), service = "main")],
);

const checkMail :Workerd.Worker = (
  modules = [(name = "worker", esModule = embed "worker.js")],
  compatibilityDate = "2025-01-01",
  # Text bindings, the worker's `env`. For a real password, read it from workerd's own
  # environment instead: (name = "IMAP_PASSWORD", fromEnvironment = "IMAP_PASSWORD").
  bindings = [
    (name = "IMAP_HOST", text = "localhost"),
    (name = "IMAP_PORT", text = "993"),
    (name = "IMAP_USER", text = "alice"),
    (name = "IMAP_PASSWORD", text = "secret"),
    (name = "IMAP_TLS", text = "on"),
    (name = "IDLE_SECONDS", text = "3"),
  ],
);
