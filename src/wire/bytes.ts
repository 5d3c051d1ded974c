// Python-style reprs, so error messages read as imaplib's do (`[b'text']`).

/** Python's `repr(bytes)`: `b'...'` with non-printable bytes escaped. */
export function bytesRepr(bytes: Uint8Array): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const b of bytes) {
    if (b === 0x27) hasSingle = true;
    else if (b === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = "b" + quote;
  for (const b of bytes) {
    if (b === 0x5c) out += "\\\\";
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b === 0x27 && quote === "'") out += "\\'";
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += "\\x" + b.toString(16).padStart(2, "0");
  }
  return out + quote;
}

/** Python's `repr()` of a list of imaplib data items. */
export function dataRepr(data: readonly (Uint8Array | readonly Uint8Array[] | null)[]): string {
  const item = (d: Uint8Array | readonly Uint8Array[] | null): string =>
    d === null
      ? "None"
      : d instanceof Uint8Array
      ? bytesRepr(d)
      : `(${d.map(bytesRepr).join(", ")})`;
  return `[${data.map(item).join(", ")}]`;
}

const utf8 = new TextDecoder("utf-8");

/** Python's `bytes.decode('utf-8', 'replace')`. */
export function decodeText(bytes: Uint8Array | null | undefined): string {
  return bytes ? utf8.decode(bytes) : "";
}
