#!/usr/bin/env python3
"""An independent reading of mail messages, for tests/typed_corpus_test.ts.

Each file named on the command line is read with Python's own `email` package (the feedparser
for the MIME tree, `email.headerregistry` / `email._header_value_parser` for addresses and
MIME parameters, `email.header.decode_header` + `make_header` for RFC 2047 text,
`email.utils.parsedate_to_datetime` for dates) and printed as one JSON document:

    {"messages": [{"file": ..., "size": N, "envelope": {...}, "body": {...},
                   "words": [[raw, decoded], ...]}, ...]}

`envelope` and `body` say what the message itself says, in the typed layer's field names,
with nothing of IMAP's or any server's defaults filled in: a missing header is null, a part
without Content-Transfer-Encoding has no "encoding". The test applies the defaults and the
known Dovecot differences itself, each documented there.

Byte sizes and line counts are not something the email package computes: they are counted
here on the raw bytes, splitting each multipart at the delimiter lines the feedparser itself
recognises (`--boundary`, optional `--`, optional blanks; the CRLF before a delimiter belongs
to it, RFC 2046 section 5.1.1). Where that split does not give the feedparser's number of
parts, sizes are left out ("size": null) rather than guessed.

The files must already have CRLF line endings (the test passes the bytes it APPENDed).
Only the standard library; Python 3.8 or later.
"""

import email
import email.policy
import email.utils
import json
import re
import sys
from datetime import timezone
from email import _header_value_parser as hvp
from email.header import decode_header, make_header

FOLD = re.compile(r"\r?\n(?=[ \t])")


def text(value):
    """A raw header value as text: folding removed (RFC 5322 section 2.2.3), 8-bit as UTF-8."""
    if value is None:
        return None
    raw = value.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return FOLD.sub("", raw).rstrip("\r\n")


def first(msg, name):
    """The first header `name` as sent (raw, folded), or None."""
    for key, value in msg.raw_items():
        if key.lower() == name:
            return value
    return None


def words(value):
    """RFC 2047 decoding, the email.header way."""
    if value is None:
        return None
    return str(make_header(decode_header(value)))


def date(msg):
    raw = text(first(msg, "date"))
    if raw is None:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is None:
        return {"raw": raw, "ms": None}
    if parsed.tzinfo is None:  # "-0000": no zone information, taken as UTC
        parsed = parsed.replace(tzinfo=timezone.utc)
    return {"raw": raw, "ms": round(parsed.timestamp() * 1000)}


def mailbox(token):
    out = {"mailbox": token.local_part, "host": token.domain}
    if token.display_name:
        out["name"] = token.display_name
    comments = [c for c in token.comments if c.strip()]
    if comments:
        out["comment"] = comments[-1]
    return out


def every(msg, name):
    """Every header `name` as sent, in order."""
    return [value for key, value in msg.raw_items() if key.lower() == name]


def addresses(msg, name):
    """Every `name` header's addresses, in order, and how many such headers there are."""
    raws = [text(value) for value in every(msg, name)]
    if not raws:
        return None
    out = []
    rest = []
    for raw in raws:
        if not raw.strip():
            continue
        address_list, left = hvp.get_address_list(raw)
        rest.append(left)
        for address in address_list.addresses:
            token = address[0]
            if token.token_type == "group":
                out.append({
                    "group": token.display_name,
                    "members": [mailbox(m) for m in token.all_mailboxes],
                })
            else:
                out.extend(mailbox(m) for m in address.all_mailboxes)
    return {"headers": len(raws), "list": out, "rest": "".join(rest)}


def envelope(msg):
    def plain(name):
        value = text(first(msg, name))
        return None if value is None else value.strip()

    subject = text(first(msg, "subject"))
    return {
        "date": date(msg),
        "subject": words(subject),
        "from": addresses(msg, "from"),
        "sender": addresses(msg, "sender"),
        "replyTo": addresses(msg, "reply-to"),
        "to": addresses(msg, "to"),
        "cc": addresses(msg, "cc"),
        "bcc": addresses(msg, "bcc"),
        "inReplyTo": plain("in-reply-to"),
        "messageId": plain("message-id"),
    }


def split_entity(raw):
    """Header bytes and body bytes of an entity: the body starts after the first empty line."""
    if raw.startswith(b"\r\n"):
        return b"", raw[2:]
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return raw, b""
    return raw[: end + 2], raw[end + 4 :]


def split_multipart(body, boundary):
    """The entities between the delimiter lines of `boundary` (None when there is none)."""
    delimiter = b"--" + boundary.encode("ascii", "surrogateescape")
    starts = []  # (line start, line end) of each delimiter line
    at = 0
    closed = False
    while at <= len(body):
        end = body.find(b"\r\n", at)
        line_end = len(body) if end < 0 else end
        line = body[at:line_end]
        if line.startswith(delimiter):
            rest = line[len(delimiter) :]
            close = rest.startswith(b"--")
            if close:
                rest = rest[2:]
            if rest.strip(b" \t") == b"":
                starts.append((at, line_end))
                if close:
                    closed = True
                    break
        if end < 0:
            break
        at = end + 2
    parts = []
    for i, (_, line_end) in enumerate(starts):
        if i + 1 == len(starts) and closed:
            break
        begin = line_end + 2
        if i + 1 < len(starts):
            stop = max(begin, starts[i + 1][0] - 2)
        else:
            stop = len(body)  # no closing delimiter: the last part runs to the end
        parts.append(body[begin:stop] if begin <= len(body) else b"")
    return parts


def count_lines(body):
    return body.count(b"\n")


def parameters(msg, header):
    value = msg.get(header)
    if value is None:
        return None
    params = getattr(value, "params", None)
    if params is None:
        return None
    return {k.lower(): str(v) for k, v in params.items()}


def child_number(prefix, index):
    return str(index) if prefix == "" else f"{prefix}.{index}"


def node(msg, raw, number, root):
    """One node of the tree in the typed layer's shape (RFC 3501 section 6.4.5 numbers).

    `raw` is the entity's bytes (None when unknown). For a root (the message, or the message
    inside a message/rfc822 part), `number` is the number of the part holding it ("" at the
    top): a multipart root has no number, a single-part root is `number.1`.
    """
    body = None if raw is None else split_entity(raw)[1]
    ctype = msg.get_content_type()
    multipart = msg.get_content_maintype() == "multipart"
    out = {}
    if not (root and multipart):
        out["part"] = child_number(number, 1) if root else number
    out["type"] = ctype
    raw_ctype = text(first(msg, "content-type"))
    if raw_ctype is not None:
        out["contentType"] = raw_ctype
        params = parameters(msg, "content-type")
        if params:
            out["parameters"] = params
    disposition = msg.get("content-disposition")
    if disposition is not None:
        out["disposition"] = disposition.content_disposition
        params = parameters(msg, "content-disposition")
        if params:
            out["dispositionParameters"] = params
    language = text(first(msg, "content-language"))
    if language is not None:
        out["language"] = [t.strip() for t in language.split(",") if t.strip()]
    location = text(first(msg, "content-location"))
    if location is not None:
        out["location"] = location.strip()

    if multipart:
        children = msg.get_payload() if msg.is_multipart() else []
        boundary = msg.get_boundary()
        segments = None
        if body is not None and boundary is not None and msg.is_multipart():
            segments = split_multipart(body, boundary)
            if len(segments) != len(children):
                segments = None
        out["childNodes"] = [
            node(child, None if segments is None else segments[i], child_number(number, i + 1), False)
            for i, child in enumerate(children)
        ]
        return out

    for field, header in (("id", "content-id"), ("md5", "content-md5")):
        value = text(first(msg, header))
        if value is not None:
            out[field] = value.strip()
    description = text(first(msg, "content-description"))
    if description is not None:
        out["description"] = words(description.strip())
    encoding = text(first(msg, "content-transfer-encoding"))
    if encoding is not None:
        out["encoding"] = encoding.strip().lower()
    out["size"] = None if body is None else len(body)
    if ctype.startswith("text/"):
        out["lineCount"] = None if body is None else count_lines(body)
    elif ctype == "message/rfc822" and msg.is_multipart():
        inner = msg.get_payload()[0]
        out["envelope"] = envelope(inner)
        out["childNodes"] = [node(inner, body, out["part"], True)]
        out["lineCount"] = None if body is None else count_lines(body)
    return out


def word_samples(msg):
    """[raw, decoded] for every header text with an encoded word in the message tree: subjects,
    Content-Descriptions and display names (as email.utils.getaddresses reads them, undecoded),
    decoded by `words`."""
    samples = []
    for part in msg.walk():
        for name in ("subject", "content-description"):
            for raw in every(part, name):
                value = text(raw).strip()
                if "=?" in value:
                    samples.append([value, words(value)])
        for name in ("from", "sender", "reply-to", "to", "cc", "bcc"):
            raws = [text(raw) for raw in every(part, name)]
            for display, _ in email.utils.getaddresses(raws):
                if "=?" in display:
                    samples.append([display, words(display)])
    return samples


def read(path):
    with open(path, "rb") as f:
        raw = f.read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    root = node(msg, raw, "", True)
    return {
        "file": path,
        "size": len(raw),
        "envelope": envelope(msg),
        "body": root,
        "words": word_samples(msg),
    }


def main():
    json.dump({"messages": [read(p) for p in sys.argv[1:]]}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
