#!/usr/bin/env python3
"""torch_load_check.py — a checkpoint written by rnnscope loads into torch.nn modules.

  /usr/bin/python3 scripts/torch_load_check.py RUN.safetensors TEXT_FILE

Reads the safetensors file by hand (no pip package), builds nn.Embedding +
nn.LSTM/GRU/RNN + nn.Linear named embedding/rnn/head from its metadata, loads the
model tensors with load_state_dict(strict=True) (run-state tensors such as optim.m
are skipped), and prints PyTorch's loss over TEXT_FILE read as one stream from a
zero state — the number `rnnscope eval RUN TEXT_FILE` prints.
"""
import json
import struct
import sys

import torch
import torch.nn as nn


def read_safetensors(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":
            continue
        b, e = info["data_offsets"]
        t = torch.frombuffer(bytearray(raw[base + b: base + e]), dtype=torch.float32)
        tensors[name] = t.reshape(info["shape"])
    return tensors, meta


class CharModel(nn.Module):
    def __init__(self, meta):
        super().__init__()
        V, E, H, L = (int(meta[k]) for k in ("vocab_size", "embed", "hidden", "layers"))
        self.embedding = nn.Embedding(V, E)
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[meta["cell"]](E, H, num_layers=L)
        self.head = nn.Linear(H, V)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tensors, meta = read_safetensors(sys.argv[1])
    model = CharModel(meta)
    names = set(model.state_dict().keys())
    model.load_state_dict({k: v for k, v in tensors.items() if k in names}, strict=True)
    if meta["tokenizer"] != "char":
        sys.exit("this check handles the char tokenizer only")
    vocab = json.loads(meta["vocab"])
    index = {c: i for i, c in enumerate(vocab)}
    text = open(sys.argv[2], encoding="utf-8").read()
    ids = torch.tensor([index[c] for c in text if c in index])
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(ids[:-1].unsqueeze(1)))
        loss = nn.functional.cross_entropy(model.head(out).squeeze(1), ids[1:])
    print(json.dumps({"loaded": sorted(names), "loss": loss.item(), "tokens": len(ids) - 1}))


if __name__ == "__main__":
    main()
