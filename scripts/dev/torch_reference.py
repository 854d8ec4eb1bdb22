#!/usr/bin/env python3
"""torch_reference.py — the PyTorch twin of rnnscope's training recipe.

Two uses, both side by side with the C program in the same run:
  bench  tokens/s of the reference char model (E=64, 2 layers, B=50, T=50, Adam,
         clip 5) at the given hidden size and thread count  -> one JSON line
  curve  train with the same data pipeline as rnnscope (90/10 split, B streams
         over contiguous segments, chunks of T, state carried, reset at each
         epoch, Adam, global-norm clip) and print the validation loss at the
         requested steps                                     -> JSON lines

Needs python3 with torch (Debian: python3-torch). Not used by the tests.
"""
import argparse
import json
import sys
import time

import torch
import torch.nn as nn


class CharModel(nn.Module):
    def __init__(self, vocab, embed, hidden, layers, cell):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embed)
        kind = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[cell]
        self.rnn = kind(embed, hidden, num_layers=layers)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, x, state):
        out, state = self.rnn(self.embedding(x), state)
        return self.head(out), state


def load_ids(path):
    text = open(path, encoding="utf-8").read()
    vocab = sorted(set(text))
    index = {c: i for i, c in enumerate(vocab)}
    return torch.tensor([index[c] for c in text], dtype=torch.long), len(vocab)


class Batcher:
    """B contiguous segments of (n-1)//B tokens; chunk = [pos, pos+T) of each."""

    def __init__(self, ids, B, T):
        self.ids, self.B, self.T = ids, B, T
        self.seg = (len(ids) - 1) // B
        self.pos = 0

    def chunks_per_epoch(self):
        return (self.seg - 1) // self.T if False else self.seg // self.T

    def next(self):
        reset = self.pos == 0
        starts = torch.arange(self.B) * self.seg + self.pos
        idx = starts.unsqueeze(0) + torch.arange(self.T).unsqueeze(1)  # (T, B)
        x, y = self.ids[idx], self.ids[idx + 1]
        self.pos += self.T
        if self.pos + self.T > self.seg:
            self.pos = 0
        return x, y, reset


def zero_state(model, B):
    L, H = model.rnn.num_layers, model.rnn.hidden_size
    h = torch.zeros(L, B, H)
    return (h, torch.zeros(L, B, H)) if isinstance(model.rnn, nn.LSTM) else h


def detach(state):
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


def evaluate(model, ids, B, T):
    model.eval()
    b = Batcher(ids, B, T)
    n = b.seg // T
    total = 0.0
    state = zero_state(model, B)
    with torch.no_grad():
        for _ in range(n):
            x, y, _ = b.next()
            logits, state = model(x, state)
            total += nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)).item()
    model.train()
    return total / n


def make_model(args, vocab):
    torch.manual_seed(args.seed)
    model = CharModel(vocab, args.embed, args.hidden, args.layers, args.cell)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    return model, opt


def train_step(model, opt, x, y, state, clip):
    logits, state = model(x, state)
    loss = nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
    opt.zero_grad()
    loss.backward()
    if clip > 0:
        nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    return loss.item(), detach(state)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["bench", "curve"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--cell", default="lstm")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--seq", type=int, default=50)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--clip", type=float, default=5.0)
    ap.add_argument("--val-frac", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--eval-at", default="500,1000,2000")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    ids, vocab = load_ids(args.corpus)
    n_val = int(len(ids) * args.val_frac)
    train_ids, val_ids = ids[: len(ids) - n_val], ids[len(ids) - n_val:]
    model, opt = make_model(args, vocab)
    batcher = Batcher(train_ids, args.batch, args.seq)
    state = zero_state(model, args.batch)

    if args.mode == "bench":
        warm = 3
        for i in range(warm + args.steps):
            if i == warm:
                t0 = time.perf_counter()
            x, y, reset = batcher.next()
            if reset:
                state = zero_state(model, args.batch)
            loss, state = train_step(model, opt, x, y, state, args.clip)
        dt = time.perf_counter() - t0
        tps = args.steps * args.batch * args.seq / dt
        print(json.dumps({"kind": "torch", "hidden": args.hidden, "threads": args.threads,
                          "torch": torch.__version__, "tokens_per_s": round(tps, 1),
                          "ms_per_step": round(dt * 1e3 / args.steps, 2), "last_loss": round(loss, 4)}))
        return

    marks = sorted(int(s) for s in args.eval_at.split(","))
    t0 = time.perf_counter()
    for step in range(1, marks[-1] + 1):
        x, y, reset = batcher.next()
        if reset:
            state = zero_state(model, args.batch)
        loss, state = train_step(model, opt, x, y, state, args.clip)
        if step in marks:
            val = evaluate(model, val_ids, args.batch, args.seq)
            print(json.dumps({"step": step, "loss": round(loss, 4), "val_loss": round(val, 4),
                              "seconds": round(time.perf_counter() - t0, 1)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
