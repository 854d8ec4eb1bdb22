#!/usr/bin/env python3
"""make_st_fixture.py — writes tests/fixtures/st_python.safetensors for test_safetensors.

Debian has no `safetensors` package, so the file is written by hand the way the
reference implementation lays it out: 8-byte little-endian header length, a
compact JSON header with "__metadata__" first and the tensors sorted by name,
padded with spaces to a multiple of 8 bytes, then the raw little-endian data
back to back. json.dumps escapes non-ASCII as \\uXXXX (surrogate pairs for
emoji), which exercises the C parser's escape decoding; the C writer emits
raw UTF-8 instead.

The tensor values follow formulas test_safetensors.c recomputes (all exactly
representable), plus special floats checked bit for bit.

Run: /usr/bin/python3 tests/make_st_fixture.py [OUT]
With --check FILE it instead reads a file written by the C writer
(test_safetensors leaves one in /tmp) and verifies it with torch.
"""
import json
import math
import struct
import sys

import torch


def formula(n):
    # (i*7 mod 13 - 6) / 8: exact in every float dtype used here
    return [((i * 7) % 13 - 6) / 8.0 for i in range(n)]


def tensors():
    t = {}
    t["embedding.weight"] = torch.tensor(formula(15), dtype=torch.float32).reshape(5, 3)
    t["head.bias"] = torch.tensor(formula(5), dtype=torch.float32)
    t["scalar"] = torch.tensor(2.5, dtype=torch.float32)
    t["empty"] = torch.zeros((0, 4), dtype=torch.float32)
    t["special"] = torch.tensor([-0.0, math.inf, -math.inf, 1e-45, 3.4028234663852886e38, 1.0 / 3.0],
                                dtype=torch.float32)
    t["step"] = torch.tensor([-(2 ** 62), -1, 0, 2 ** 53 + 1, 2 ** 63 - 1], dtype=torch.int64)
    t["f64"] = torch.tensor(formula(4), dtype=torch.float64).reshape(2, 2)
    t["i32"] = torch.tensor([-7, 0, 2 ** 31 - 1], dtype=torch.int32)
    t["u8"] = torch.tensor([0, 1, 255], dtype=torch.uint8)
    t["f16"] = torch.tensor(formula(3), dtype=torch.float16)
    t["bf16"] = torch.tensor(formula(3), dtype=torch.bfloat16)
    return t


DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int32: "I32", torch.int64: "I64",
          torch.uint8: "U8", torch.float16: "F16", torch.bfloat16: "BF16"}

METADATA = {
    "format": "rnnscope/1",
    "quote": 'say "hi"\\ back\nslash\ttab',
    "chinese": "循环神经网络",
    "emoji": "\U0001F600 ok",
    "vocab": json.dumps(["a", "\n", "\"", "é"]),
}


def raw_bytes(x):
    # view as bytes without numpy: reinterpret the storage as uint8
    return bytes(x.contiguous().reshape(-1).view(torch.uint8).tolist()) if x.numel() else b""


def write(path):
    t = tensors()
    header = {"__metadata__": METADATA}
    data = b""
    for name in sorted(t):
        b = raw_bytes(t[name])
        header[name] = {"dtype": DTYPES[t[name].dtype], "shape": list(t[name].shape),
                        "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    h = json.dumps(header, separators=(",", ":")).encode("ascii")
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)


def check(path):
    """Verify the file test_safetensors writes (see test_python_reads_ours there)."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    assert n % 8 == 0, "header not padded to 8"
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    data = buf[8 + n:]
    meta = header.pop("__metadata__")
    assert meta["chinese"] == "循环神经网络", meta
    assert meta["quote"] == 'say "hi"\\ back\nslash\ttab', meta
    w = header["w"]
    assert w["dtype"] == "F32" and w["shape"] == [3, 4]
    b, e = w["data_offsets"]
    x = torch.frombuffer(bytearray(data[b:e]), dtype=torch.float32).reshape(3, 4)
    assert torch.equal(x, torch.tensor(formula(12), dtype=torch.float32).reshape(3, 4)), x
    c = header["count"]
    b, e = c["data_offsets"]
    y = torch.frombuffer(bytearray(data[b:e]), dtype=torch.int64)
    assert y.tolist() == [-(2 ** 62), -1, 0, 2 ** 53 + 1, 2 ** 63 - 1], y
    print("python check ok:", path)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    else:
        write(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/st_python.safetensors")
