#!/usr/bin/env python3
"""torch_export_check.py — `rnnscope export` output loads strictly into torch.nn.

  /usr/bin/python3 scripts/dev/torch_export_check.py MODEL.safetensors TEXT_FILE

Reads every tensor of MODEL (by hand: json + struct, no safetensors package),
builds nn.Embedding + nn.LSTM/GRU/RNN + nn.Linear named embedding/rnn/head from
its metadata and calls load_state_dict(tensors, strict=True) on all of them,
unfiltered, which is what safetensors.torch.load_model(model, path) does: any
tensor other than the model's (optim.m, run.h, ...) fails it. Prints PyTorch's
loss over TEXT_FILE read as one stream from a zero state, the number
`rnnscope eval MODEL TEXT_FILE --json` prints. Char and byte tokenizers.
A developer check: needs torch (Debian's python3-torch); CI does not run it.
"""
import json
import struct
import sys

import torch
import torch.nn as nn


def read_all(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F32":  # run state (I64 counters, F64 records): strict loading refuses it anyway
            tensors[name] = torch.zeros(0)
            continue
        b, e = info["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(raw[base + b: base + e]), dtype=torch.float32).reshape(info["shape"])
    return tensors, meta


class Net(nn.Module):
    def __init__(self, meta):
        super().__init__()
        V, E, H, L = (int(meta[k]) for k in ("vocab_size", "embed", "hidden", "layers"))
        self.embedding = nn.Embedding(V, E)
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[meta["cell"]](E, H, num_layers=L)
        self.head = nn.Linear(H, V)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tensors, meta = read_all(sys.argv[1])
    model = Net(meta)
    model.load_state_dict(tensors, strict=True)  # raises on any missing or unexpected key
    text = open(sys.argv[2], "rb").read()
    if meta["tokenizer"] == "byte":
        ids = torch.tensor(list(text))
    elif meta["tokenizer"] == "char":
        index = {c: i for i, c in enumerate(json.loads(meta["vocab"]))}
        ids = torch.tensor([index[c] for c in text.decode("utf-8") if c in index])
    else:
        sys.exit("this check handles the char and byte tokenizers")
    with torch.no_grad():
        out, _ = model.rnn(model.embedding(ids[:-1].unsqueeze(1)))
        loss = nn.functional.cross_entropy(model.head(out).squeeze(1), ids[1:].long())
    print(json.dumps({"strict": True, "tensors": sorted(tensors), "cell": meta["cell"], "loss": loss.item(),
                      "tokens": len(ids) - 1}))


if __name__ == "__main__":
    main()
