"""Benchmark client: CPython's imaplib (the python3 on the machine).

IMAP4(host, port), login, select, then the timed fetch("1:*", items), then counting, logout.
Prints one JSON line (see bench/clients/common.ts, ClientResult).
"""
import imaplib
import json
import ssl
import re
import sys
import time


def vm_hwm_kib():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s+(\d+) kB", f.read())
            return int(m.group(1)) if m else -1
    except OSError:
        return -1


job = json.loads(sys.argv[1])
if job.get("tls"):
    # Implicit TLS, verified against the fixture's CA (its certificate names the address).
    ctx = ssl.create_default_context(cafile=job["tls"]["caFile"])
    M = imaplib.IMAP4_SSL(job["host"], job["port"], ssl_context=ctx)
else:
    M = imaplib.IMAP4(job["host"], job["port"])
M.login(job["user"], job["password"])
typ, selected = M.select(job["mailbox"])
exists = int(selected[0])
t0 = time.perf_counter()
typ, data = M.fetch("1:*", job["items"])
seconds = time.perf_counter() - t0
if typ != "OK":
    raise SystemExit(f"FETCH: {typ}")
messages = payload = size_sum = 0
want_size = "RFC822.SIZE" in job["items"]
size_re = re.compile(rb"RFC822\.SIZE (\d+)")
for item in data:
    if isinstance(item, tuple):
        messages += 1
        payload += len(item[1])
        head = item[0]
    elif isinstance(item, bytes) and item != b")":
        messages += 1
        head = item
    else:
        continue
    if want_size:
        m = size_re.search(head)
        size_sum += int(m.group(1)) if m else 0
M.logout()
print(json.dumps({
    "client": job["client"], "workload": job["workload"], "exists": exists,
    "messages": messages, "payloadBytes": payload or -1,
    "sizeSum": size_sum if want_size else -1, "wireBytes": -1, "seconds": seconds,
    "vmHwmKiB": vm_hwm_kib(),
}))
