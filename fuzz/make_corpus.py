#!/usr/bin/env python3
"""make_corpus.py — writes the seed corpora of the fuzz harnesses (fuzz/corpus/NAME/).

Small valid files of every dtype and layout each reader knows, and a few
edge cases (empty shapes, 0-dim, odd spacing, a header that lies about the
data).  The seeds are committed; this script is how they were made (standard
library only): `python3 fuzz/make_corpus.py` rewrites the seed-* files and
leaves other files (crash regressions) alone.
"""
import gzip
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(name, seed, data):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, "seed-" + seed), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None, pad=True):
    """tensors: list of (name, dtype, shape, raw bytes)."""
    header, offset, body = {}, 0, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        body += raw
    if metadata is not None:
        header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + body


def npy(descr, shape, raw, fortran=False, version=1, quote="'"):
    q = quote
    shape_text = "(" + "".join("%d, " % s for s in shape).rstrip(" ") + ")" if len(shape) != 1 else "(%d,)" % shape[0]
    header = "{%sdescr%s: %s%s%s, %sfortran_order%s: %s, %sshape%s: %s, }" % (
        q, q, q, descr, q, q, q, "True" if fortran else "False", q, q, shape_text)
    width = 2 if version == 1 else 4
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    length = struct.pack("<H" if width == 2 else "<I", len(header))
    return b"\x93NUMPY" + bytes([version, 0]) + length + header.encode("latin-1") + raw


def idx(code, shape, raw):
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", s) for s in shape) + raw


def main():
    # ---- safetensors
    f32 = struct.pack("<4f", 1, -2, 0.5, float("inf"))
    put("safetensors", "f32", safetensors([("w", "F32", [2, 2], f32)]))
    put("safetensors", "dtypes", safetensors([
        ("a", "I64", [2], struct.pack("<2q", -1, 2**62)),
        ("b", "F64", [], struct.pack("<d", 3.25)),
        ("c", "U8", [3], b"\x00\x7f\xff"),
        ("d", "BOOL", [2], b"\x00\x02"),
        ("e", "F16", [2], struct.pack("<2e", 1.5, -0.0)),
        ("f", "BF16", [1], b"\x80\x3f"),
        ("g", "I8", [2], b"\x80\x7f"),
        ("h", "I16", [1], struct.pack("<h", -300)),
        ("i", "U16", [1], struct.pack("<H", 65535)),
        ("j", "I32", [1], struct.pack("<i", -2**31)),
        ("k", "U32", [1], struct.pack("<I", 2**32 - 1)),
    ]))
    put("safetensors", "metadata", safetensors([("x.weight", "F32", [1, 0], b"")], {"format": "pt", "k": "\u00e9"}))
    put("safetensors", "empty", safetensors([]))
    put("safetensors", "unpadded", safetensors([("s", "F32", [1], struct.pack("<f", 7))], pad=False))
    put("safetensors", "bad-offsets", safetensors([("a", "F32", [1], b"\0" * 4), ("b", "F32", [1], b"\0" * 4)])
        .replace(b"[4,8]", b"[0,4]"))

    # ---- npy
    put("npy", "f4", npy("<f4", (2, 3), struct.pack("<6f", *range(6))))
    put("npy", "f8-0dim", npy("<f8", (), struct.pack("<d", -1.5)))
    put("npy", "i8-empty", npy("<i8", (0,), b""))
    put("npy", "u1", npy("|u1", (3,), b"\x01\x02\xff"))
    put("npy", "b1-fortran", npy("|b1", (2, 3), b"\x01\x00\x02\x00\x00\x01", fortran=True))
    put("npy", "v2-dquote", npy("<f4", (1, 1, 2), struct.pack("<2f", 1, 2), version=2, quote='"'))
    put("npy", "v3", npy("=f8", (1,), struct.pack("<d", 0), version=3))
    put("npy", "big-endian", npy(">f4", (1,), struct.pack(">f", 1)))

    # ---- idx: a mode byte (0 the file as it is, 1 gzip it first), then the file
    files = {
        "u8": idx(0x08, [2, 3], bytes(range(6))),
        "i8": idx(0x09, [2], b"\x80\x7f"),
        "i16": idx(0x0B, [1, 2], struct.pack(">2h", -2, 300)),
        "i32": idx(0x0C, [2], struct.pack(">2i", -2**31, 7)),
        "f32": idx(0x0D, [2], struct.pack(">2f", 0.5, float("nan"))),
        "f64": idx(0x0E, [1, 1, 1], struct.pack(">d", 1e300)),
        "empty": idx(0x08, [0, 28], b""),
    }
    for name, data in files.items():
        put("idx", "plain-" + name, b"\x00" + data)
        put("idx", "wrap-" + name, b"\x01" + data)
    put("idx", "gz-u8", b"\x00" + gzip.compress(files["u8"], mtime=0))
    put("idx", "gz-f32", b"\x00" + gzip.compress(files["f32"], mtime=0))

    # ---- csv: an options byte (bits 0-1 delimiter , ; TAB |, bit 2 header), then the text
    put("csv", "header", b"\x04" + b"x,y,label\n1,2.5,0\n-3e2, inf ,1\n")
    put("csv", "plain", b"\x00" + b"1,2\n3,4\n")
    put("csv", "quoted-crlf", b"\x05" + b'"a";"b"\r\n"1";"nan"\r\n\r\n2;-0\r\n')
    put("csv", "tabs", b"\x02" + b"1\t2\t3\n\n4\t5\t6")
    put("csv", "pipes-blank", b"\x07" + b" a | b \n 1 | 2 \n")
    put("csv", "ragged", b"\x00" + b"1,2\n3\n")

    # ---- json: a flags byte (bit 0 allows NaN and Infinity), then the text
    put("json", "object", b"\x00" + b'{"a": [1, -2.5e3, true, false, null], "b": {"c": "d"}}')
    put("json", "escapes", b"\x00" + b'["\\u00e9\\ud83d\\ude00\\n\\t\\"\\\\\\/", "\xc3\xa9"]')
    put("json", "numbers", b"\x00" + b"[0, -0, 9223372036854775807, 9223372036854775808, 1e400, 0.1e-5]")
    put("json", "nonfinite", b"\x01" + b"[NaN, Infinity, -Infinity]")
    put("json", "header", b"\x00" + b'{"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}')
    put("json", "nested", b"\x00" + b"[" * 40 + b"]" * 40)

    # ---- table: Lua source, the arguments of T(...)
    seeds = {
        "matrix": "{{1, 2}, {3, 4}}",
        "floats": "{1.5, -0.0, huge, -huge, 0/0, 1e308 * 10}",
        "bools": "{{true, false}, {false, true}}",
        "ints": "{maxinteger, mininteger, 0x7fffffffffffffff, 2^63}",
        "empty": "{{}, {}}",
        "scalar": "3.5",
        "options": "{1, 2}, {dtype = 'float64', requires_grad = true}",
        "uint8": "{300, -1, 2.7}, {dtype = 'uint8'}",
        "bool-dtype": "{0, 1, 2}, {dtype = 'bool'}",
        "holes": "{1, nil, 3}",
        "ragged": "{{1, 2}, {3}}",
        "mixed": "{true, 1}",
        "string": "{'a'}",
        "cycle": "1) local a = {} a[1] = a T(a",
        "deep": "{{{{{{{{{{{{{{{{{1}}}}}}}}}}}}}}}}}",
        "metatable": "setmetatable({1, 2}, {__index = function() return 5 end, __len = function() return 9 end})",
        "options-meta": "{1}, setmetatable({}, {__index = function(t, k) return k == 'dtype' and 'int64' or nil end})",
        "gc": "1) local a = {{1, 2}} setmetatable({}, {__gc = function() a[1] = 0 end}) T(a",
        "rawset": "1) local a = {} for i = 1, 100 do rawset(a, i, i / 3) end T(a",
    }
    for name, src in seeds.items():
        put("table", name, src)


if __name__ == "__main__":
    main()
