#!/usr/bin/env python3
"""torch_reference.py — the PyTorch twin of rnnscope's training recipe.

Four uses, all side by side with the C program in the same run:
  bench  tokens/s of training steps of a model (by default the reference char
         model: E=64, 2 layers, B=50, T=50, Adam, clip 5; --cell, --tokenizer
         word --max-vocab, --optim sgd etc. for the others) at the given hidden
         size and thread count                               -> one JSON line
  sample tokens/s of generation: a loop of single-token forwards, each
         followed by a softmax and a draw (rnnscope sample)  -> one JSON line
  eval   tokens/s of the loss over one stream of --tokens tokens from a zero
         state, no gradient, in one forward (rnnscope eval)  -> one JSON line
  curve  train with the same data pipeline as rnnscope (90/10 split, B streams
         over contiguous segments, chunks of T, state carried, reset at each
         epoch, Adam, global-norm clip) and print the validation loss at the
         requested steps                                     -> JSON lines

sample and eval time the model's work only (no start-up, no tokenizing), on
an untrained model of the checkpoint's shape: the speed does not depend on
the weights. The word tokenizer splits as rnnscope's does for ASCII text
(runs of letters and digits, every other character alone) and keeps <unk>
and the max_vocab - 1 most frequent tokens, so V and the stream match.

Needs python3 with torch (Debian: python3-torch). Not used by the tests.
"""
import argparse
import collections
import json
import re
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


# rnnscope's word tokens (tokenizer.c): runs of word characters, anything else alone;
# non-ASCII counts as a word character (close enough: rnnscope lists exceptions)
WORD_RE = re.compile(r"[A-Za-z0-9\u0080-\U0010FFFF]+|.", re.S)


def load_ids(path, tokenizer="char", max_vocab=10000):
    text = open(path, encoding="utf-8").read()
    if tokenizer == "word":
        tokens = WORD_RE.findall(text)
        counts = collections.Counter(tokens)  # most_common keeps first occurrence on ties
        vocab = ["<unk>"] + [w for w, _ in counts.most_common(max_vocab - 1)]
        index = {w: i for i, w in enumerate(vocab)}
        return torch.tensor([index.get(w, 0) for w in tokens], dtype=torch.long), len(vocab)
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
    if args.optim == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    return model, opt


def emit(args, vocab, kind, **fields):
    """One JSON line naming the run's shape, then the measurement."""
    row = {"kind": kind, "cell": args.cell, "hidden": args.hidden, "layers": args.layers, "embed": args.embed,
           "vocab": vocab, "threads": args.threads, "torch": torch.__version__}
    row.update(fields)
    print(json.dumps(row, separators=(",", ":")), flush=True)


def timed_loop(step, steps, seconds, warm=3):
    """Run step() warm times, then steps times (steps 0: about seconds' worth at
    the warm-up's pace, from its second step on); returns (count, seconds, last)."""
    t_warm = 0.0
    for i in range(warm):
        t = time.perf_counter()
        step()
        if i > 0:
            t_warm += time.perf_counter() - t
    if steps <= 0:
        per = t_warm / max(1, warm - 1)
        steps = max(2, min(100000, int(seconds / per + 0.999))) if per > 0 else 100
    t0 = time.perf_counter()
    last = None
    for _ in range(steps):
        last = step()
    return steps, time.perf_counter() - t0, last


def bench_sample(args, model, vocab):
    """Tokens/s of generation: one token in, logits, softmax, one draw, fed back."""
    model.eval()
    state = zero_state(model, 1)
    x = torch.zeros(1, 1, dtype=torch.long)
    with torch.no_grad():
        def one():
            nonlocal state, x
            logits, state = model(x, state)
            x = torch.multinomial(torch.softmax(logits[0, 0], dim=-1), 1).view(1, 1)
        n, dt, _ = timed_loop(one, args.steps, args.seconds, warm=20)
    emit(args, vocab, "torch_sample", tokens=n, tokens_per_s=round(n / dt, 1))


def bench_eval(args, model, ids, vocab):
    """Tokens/s of the mean loss over ids[:tokens] read as one stream from a zero state."""
    model.eval()
    ids = ids[: args.tokens]
    x, y = ids[:-1].view(-1, 1), ids[1:]
    with torch.no_grad():
        def one(n):
            logits, _ = model(x[:n], zero_state(model, 1))
            return nn.functional.cross_entropy(logits.view(-1, vocab), y[:n]).item()
        one(256)  # warm-up on a prefix: the whole text once is what is timed
        t0 = time.perf_counter()
        one(len(y))
        dt = time.perf_counter() - t0
    emit(args, vocab, "torch_eval", tokens=len(y), tokens_per_s=round(len(y) / dt, 1))


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
    ap.add_argument("mode", choices=["bench", "sample", "eval", "curve"])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--tokenizer", default="char", choices=["char", "word"])
    ap.add_argument("--max-vocab", type=int, default=10000)
    ap.add_argument("--optim", default="adam", choices=["adam", "sgd"])
    ap.add_argument("--momentum", type=float, default=0.0)
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
    ap.add_argument("--steps", type=int, default=20, help="timed steps (sample: tokens); 0: --seconds' worth")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--tokens", type=int, default=20000, help="eval: tokens of the stream")
    ap.add_argument("--eval-at", default="500,1000,2000")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    ids, vocab = load_ids(args.corpus, args.tokenizer, args.max_vocab)
    n_val = int(len(ids) * args.val_frac)
    train_ids, val_ids = ids[: len(ids) - n_val], ids[len(ids) - n_val:]
    model, opt = make_model(args, vocab)
    batcher = Batcher(train_ids, args.batch, args.seq)
    state = zero_state(model, args.batch)

    if args.mode == "sample":
        return bench_sample(args, model, vocab)
    if args.mode == "eval":
        return bench_eval(args, model, ids, vocab)
    if args.mode == "bench":
        def one():
            nonlocal state
            x, y, reset = batcher.next()
            if reset:
                state = zero_state(model, args.batch)
            loss, state = train_step(model, opt, x, y, state, args.clip)
            return loss
        steps, dt, loss = timed_loop(one, args.steps, args.seconds)
        tps = steps * args.batch * args.seq / dt
        emit(args, vocab, "torch", batch=args.batch, seq=args.seq, optim=args.optim, steps=steps,
             tokens_per_s=round(tps, 1), ms_per_step=round(dt * 1e3 / steps, 2), last_loss=round(loss, 4))
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
