#!/usr/bin/env python3
"""make_fixtures.py -- PyTorch reference fixtures for tests/test_model.c.

Run with an interpreter that has torch (here: /usr/bin/python3 tests/make_fixtures.py).
For every cell (lstm, gru, rnn) and layer count (1, 2; lstm also 3) it builds
torch.nn.Embedding / nn.LSTM|GRU|RNN(tanh) / nn.Linear modules named embedding,
rnn and head from a fixed seed, runs one chunk from a NON-zero initial state
and writes tests/fixtures/model_{cell}_l{L}.safetensors holding, all as F32:

  every weight under its state_dict name
  x, y          (T, B)     token ids, time-major, stored as F32 (exact small integers)
  h0 [, c0]     (L, B, H)  initial state, PyTorch's layout
  loss          (1)        mean cross-entropy over the T*B targets
  grad.<name>   gradient of the loss for every state_dict tensor
  hT [, cT]     (L, B, H)  final state
  logits        (T, B, V)
__metadata__: cell, layers, hidden, embed, vocab_size, seq, batch (strings).

The model_{cell}_l2_table fixtures have a vocabulary small next to the chunk
(4 * V <= T * B), so rnnscope projects layer 0 through its per-token table
(model.c, model_table_pays) instead of the dense product the others take.

The safetensors file is written by hand (no pip package): 8-byte LE header
length, JSON header, raw little-endian data. Not a test itself: only data.
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

V, E, H, T, B = 11, 5, 7, 6, 3
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def write_safetensors(path, tensors, meta):
    header = {"__metadata__": meta}
    blobs = []
    offset = 0
    for name, t in tensors:
        data = t.detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)  # keep the data 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)


class Net(nn.Module):
    def __init__(self, cell, layers, V):
        super().__init__()
        self.embedding = nn.Embedding(V, E)
        if cell == "lstm":
            self.rnn = nn.LSTM(E, H, num_layers=layers)
        elif cell == "gru":
            self.rnn = nn.GRU(E, H, num_layers=layers)
        else:
            self.rnn = nn.RNN(E, H, num_layers=layers, nonlinearity="tanh")
        self.head = nn.Linear(H, V)


def make(cell, layers, seed, V=V, T=T, B=B, tag=""):
    torch.manual_seed(seed)
    net = Net(cell, layers, V)
    x = torch.randint(0, V, (T, B))
    y = torch.randint(0, V, (T, B))
    h0 = 0.5 * torch.randn(layers, B, H)
    c0 = 0.5 * torch.randn(layers, B, H)
    emb = net.embedding(x)
    if cell == "lstm":
        out, (hT, cT) = net.rnn(emb, (h0, c0))
    else:
        out, hT = net.rnn(emb, h0)
        cT = None
    logits = net.head(out)
    loss = F.cross_entropy(logits.reshape(T * B, V), y.reshape(T * B))
    loss.backward()

    tensors = []
    for name, p in net.state_dict().items():
        tensors.append((name, p))
    tensors += [("x", x.float()), ("y", y.float()), ("h0", h0)]
    if cell == "lstm":
        tensors.append(("c0", c0))
    tensors.append(("loss", loss.detach().reshape(1)))
    for name, p in net.named_parameters():
        tensors.append(("grad." + name, p.grad))
    tensors.append(("hT", hT))
    if cell == "lstm":
        tensors.append(("cT", cT))
    tensors.append(("logits", logits))
    meta = {"cell": cell, "layers": str(layers), "hidden": str(H), "embed": str(E),
            "vocab_size": str(V), "seq": str(T), "batch": str(B)}
    path = os.path.join(OUT, "model_%s_l%d%s.safetensors" % (cell, layers, tag))
    write_safetensors(path, tensors, meta)
    print("%s  loss %.6f" % (os.path.relpath(path), loss.item()))


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    configs = [("lstm", 1), ("lstm", 2), ("lstm", 3), ("gru", 1), ("gru", 2),
               ("rnn", 1), ("rnn", 2)]
    for i, (cell, layers) in enumerate(configs):
        make(cell, layers, 1000 + i)
    for i, cell in enumerate(["lstm", "gru", "rnn"]):
        make(cell, 2, 2000 + i, V=4, T=8, B=3, tag="_table")


if __name__ == "__main__":
    main()
