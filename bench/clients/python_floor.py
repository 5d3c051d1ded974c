"""Benchmark floor in Python: LOGIN, SELECT and the FETCH over a raw socket; the FETCH response
is read with recv_into() into one reused buffer and discarded, looking only at the end of each
chunk for the tagged line (the last bytes are carried across chunks). Prints one JSON line.
"""
import json
import re
import socket
import ssl
import sys
import time


def vm_hwm_kib():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
            return int(m.group(1)) if m else -1
    except OSError:
        return -1


def quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


job = json.loads(sys.argv[1])
sock = socket.create_connection((job["host"], job["port"]))
if job.get("tls"):
    # Implicit TLS, verified against the fixture's CA (its certificate names the address).
    ctx = ssl.create_default_context(cafile=job["tls"]["caFile"])
    sock = ctx.wrap_socket(sock, server_hostname=job["host"])
pending = b""


def read_until(pattern):
    global pending
    while True:
        m = pattern.search(pending)
        if m:
            out, pending = pending[:m.end()], pending[m.end():]
            return out
        chunk = sock.recv(65536)
        if not chunk:
            raise SystemExit("connection closed")
        pending += chunk


def command(tag, text):
    sock.sendall(f"{tag} {text}\r\n".encode())
    out = read_until(re.compile(rb"(?:^|\r\n)" + tag.encode() + rb" [^\r\n]*\r\n"))
    before = out.rfind(b"\r\n", 0, len(out) - 2)
    last = out if before < 0 else out[before + 2:]
    if not last.startswith(tag.encode() + b" OK"):
        raise SystemExit(f"{tag}: {last!r}")
    return out


read_until(re.compile(rb"\r\n"))
command("R1", f"LOGIN {quote(job['user'])} {quote(job['password'])}")
selected = command("R2", f"SELECT {quote(job['mailbox'])}")
exists = int(re.search(rb"\* (\d+) EXISTS\r\n", selected).group(1))

tag = b"F1 "
WINDOW = 1024
buf = bytearray(256 * 1024)
view = memoryview(buf)
window = b""
wire = 0
t0 = time.perf_counter()
sock.sendall(b"F1 FETCH 1:* " + job["items"].encode() + b"\r\n")
while True:
    n = sock.recv_into(buf)
    if n == 0:
        raise SystemExit("connection closed during FETCH")
    wire += n
    if n >= WINDOW:
        window = bytes(view[n - WINDOW:n])
    else:
        window = (window + bytes(view[:n]))[-WINDOW:]
    if window.endswith(b"\r\n"):
        start = window.rfind(b"\r\n", 0, len(window) - 2)
        if start >= 0 and window.startswith(tag, start + 2):
            status = window[start + 2 + len(tag):-2]
            break
seconds = time.perf_counter() - t0
if not status.startswith(b"OK"):
    raise SystemExit(f"FETCH: {status!r}")
command("R3", "LOGOUT")
sock.close()
print(json.dumps({
    "client": job["client"], "workload": job["workload"], "exists": exists, "messages": -1,
    "payloadBytes": -1, "sizeSum": -1, "wireBytes": wire, "seconds": seconds,
    "vmHwmKiB": vm_hwm_kib(),
}))
