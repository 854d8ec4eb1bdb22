#!/usr/bin/env python3
"""make_ckpt_fixture.py — checkpoints written by PyTorch, with PyTorch's answers.

For each cell (lstm, gru, rnn) a small char model (2 layers) is built with torch.nn
modules named embedding / rnn / head and saved under their state_dict names with the
metadata keys of DESIGN.md, by a safetensors writer written here (no pip package).
Beside it: PyTorch's loss over tests/fixtures/eval_text.txt read as one stream from a
zero state (the definition of `rnnscope eval`) and the gradient of that loss for every
tensor (full BPTT, `rnnscope grad`). tests/test_evaluate.c and tests/e2e_cli.sh check
rnnscope against them.

Run with a python3 that has torch:  /usr/bin/python3 tests/make_ckpt_fixture.py
Writes tests/fixtures/ckpt_torch_{cell}.safetensors and grads_torch_{cell}.safetensors.
"""
import json
import os
import struct

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    raw = json.dumps(header, ensure_ascii=False).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


class CharModel(nn.Module):
    def __init__(self, cell, vocab, embed, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell](embed, hidden, num_layers=layers)
        self.head = nn.Linear(hidden, vocab)


def main():
    text = open(os.path.join(FIX, "eval_text.txt"), encoding="utf-8").read()
    vocab = sorted(set(text))
    ids = torch.tensor([vocab.index(c) for c in text], dtype=torch.long)
    for i, cell in enumerate(["lstm", "gru", "rnn"]):
        torch.manual_seed(100 + i)
        E, H, L = 8, 16, 2
        m = CharModel(cell, len(vocab), E, H, L)
        x, y = ids[:-1].unsqueeze(1), ids[1:]
        out, _ = m.rnn(m.embedding(x))                      # zero initial state
        logits = m.head(out).squeeze(1)
        loss = nn.functional.cross_entropy(logits, y)
        loss.backward()
        meta = {"format": "rnnscope/1", "cell": cell, "layers": str(L), "hidden": str(H), "embed": str(E),
                "vocab_size": str(len(vocab)), "tokenizer": "char", "vocab": json.dumps(vocab, ensure_ascii=False)}
        sd = m.state_dict()
        write_safetensors(os.path.join(FIX, f"ckpt_torch_{cell}.safetensors"), sd, meta)
        grads = {name: p.grad for name, p in m.named_parameters()}
        write_safetensors(os.path.join(FIX, f"grads_torch_{cell}.safetensors"), grads,
                          {"loss": repr(loss.item()), "tokens": str(len(ids) - 1)})
        print(cell, "loss", loss.item(), "tokens", len(ids) - 1)


if __name__ == "__main__":
    main()
