#!/usr/bin/env python3
"""make_optim_fixtures.py — PyTorch reference data for tests/test_optim.c and
tests/test_schedule.c.

Writes into tests/fixtures/ (run from anywhere, with the torch-enabled
interpreter: /usr/bin/python3 tests/make_optim_fixtures.py):

  optim_<case>.safetensors   one optimizer configuration run for 3 steps with
                             torch.optim on four parameter tensors (200 values):
                             p0 (initial params), g0..g2 (the gradient of each
                             step), p1..p3 (params after each step), lr (the lr
                             of each step), all flattened in the same order.
                             __metadata__ holds the configuration.
  optim_clip.safetensors     clip_grad_norm_ (two cases that clip, one that
                             does not) and clip_grad_value_.
  optim_schedule.safetensors lr sequences of StepLR, CosineAnnealingLR,
                             LinearLR (the warmup) and ChainedScheduler
                             combinations, as F64, one value per step.

Hyperparameters are float32-representable numbers (f32() below) so the C side,
which keeps them as float, sees exactly the doubles PyTorch computes with; one
case (adam_torch_defaults) uses PyTorch's literal defaults to measure what that
costs. Made on an AVX2+FMA CPU: PyTorch's add_/addcmul_ kernels round
differently without FMA, and tests/test_optim.c expects bit-identical results.
Not for: anything the C code reads at run time; fixtures only.

Needs only torch and the standard library (safetensors is written by hand).
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
SHAPES = [(8, 6), (37,), (5, 16), (7, 5)]  # 48 + 37 + 80 + 35 = 200 values


def f32(x):
    """The double nearest to x that a float32 holds exactly."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def write_safetensors(path, tensors, meta):
    """tensors: list of (name, dtype 'F32'|'F64', shape, flat list of floats)."""
    header = {}
    blobs = []
    off = 0
    for name, dtype, shape, values in tensors:
        code = "f" if dtype == "F32" else "d"
        blob = struct.pack("<%d%s" % (len(values), code), *values)
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    header["__metadata__"] = {k: str(v) for k, v in meta.items()}
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def flat(ts):
    return [v for t in ts for v in t.detach().reshape(-1).tolist()]


def make_params_and_grads(seed):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(s, generator=g) * 0.5 for s in SHAPES]
    # Gradients of very different scales per tensor, as in a real net, and a
    # few exact zeros (a token never seen in the batch).
    scales = [1.0, 1e-3, 3.0, 0.05]
    grads = []
    for step in range(3):
        gs = []
        for s, sc in zip(SHAPES, scales):
            t = torch.randn(s, generator=g) * sc * (1.0 + step)
            t.view(-1)[::11] = 0.0
            gs.append(t)
        grads.append(gs)
    return params, grads


def run_case(name, make_opt, lrs, meta, seed):
    params, grads = make_params_and_grads(seed)
    params = [torch.nn.Parameter(p.clone()) for p in params]
    opt = make_opt(params, lrs[0])
    tensors = [("p0", "F32", [200], flat(params))]
    for step in range(3):
        for group in opt.param_groups:
            group["lr"] = lrs[step]
        for p, gr in zip(params, grads[step]):
            p.grad = gr.clone()
        opt.step()
        tensors.append(("g%d" % step, "F32", [200], flat(grads[step])))
        tensors.append(("p%d" % (step + 1), "F32", [200], flat(params)))
    tensors.append(("lr", "F64", [3], list(lrs)))
    meta = dict(meta)
    meta["case"] = name
    write_safetensors(os.path.join(OUT, "optim_%s.safetensors" % name), tensors, meta)


def optim_cases():
    m9, b1, b2 = f32(0.9), f32(0.9), f32(0.999)
    eps8, eps10 = f32(1e-8), f32(1e-10)
    lr1, lr01, lr001 = f32(0.1), f32(0.01), f32(0.001)
    cases = [
        ("sgd_plain", lambda p, lr: torch.optim.SGD(p, lr=lr), [lr1] * 3,
         {"optim": "sgd"}),
        ("sgd_momentum", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=m9),
         [lr1, f32(0.05), f32(0.2)], {"optim": "sgd", "momentum": m9}),
        ("sgd_nesterov", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=m9, nesterov=True),
         [lr1] * 3, {"optim": "sgd", "momentum": m9, "nesterov": 1}),
        ("sgd_wd", lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=f32(0.5),
                                                 weight_decay=f32(0.05)),
         [lr1] * 3, {"optim": "sgd", "momentum": f32(0.5), "weight_decay": f32(0.05)}),
        ("adagrad", lambda p, lr: torch.optim.Adagrad(p, lr=lr, eps=eps10),
         [f32(0.05)] * 3, {"optim": "adagrad", "eps": eps10}),
        ("rmsprop", lambda p, lr: torch.optim.RMSprop(p, lr=lr, alpha=f32(0.99), eps=eps8),
         [lr01] * 3, {"optim": "rmsprop", "alpha": f32(0.99), "eps": eps8}),
        ("adam", lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps8),
         [lr01] * 3, {"optim": "adam", "beta1": b1, "beta2": b2, "eps": eps8}),
        ("adam_wd", lambda p, lr: torch.optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps8,
                                                   weight_decay=f32(0.1)),
         [lr01] * 3, {"optim": "adam", "beta1": b1, "beta2": b2, "eps": eps8,
                      "weight_decay": f32(0.1)}),
        ("adamw", lambda p, lr: torch.optim.AdamW(p, lr=lr, betas=(b1, b2), eps=eps8,
                                                  weight_decay=f32(0.1)),
         [lr01, f32(0.003), f32(0.02)], {"optim": "adamw", "beta1": b1, "beta2": b2,
                                         "eps": eps8, "weight_decay": f32(0.1)}),
        # PyTorch's literal defaults (0.9, 0.999, 1e-8 as doubles, lr 1e-3);
        # the C side uses optim_config_default and float(1e-3).
        ("adam_torch_defaults", lambda p, lr: torch.optim.Adam(p), [1e-3] * 3,
         {"optim": "adam", "defaults": 1}),
    ]
    for i, (name, make, lrs, meta) in enumerate(cases):
        run_case(name, make, lrs, meta, seed=100 + i)


def clip_cases():
    _, grads = make_params_and_grads(7)
    g = grads[1]
    tensors = [("g", "F32", [200], flat(g))]
    meta = {}
    # clip_small: a norm of ~0.01, where clip_grad_norm_'s 1e-6 is visible.
    for tag, max_norm, scale in (("clip", f32(1.0), 1.0), ("noclip", f32(1000.0), 1.0),
                                 ("clip_small", f32(0.005), f32(2.0 ** -12))):
        gs = [t.clone() * scale for t in g]
        ps = [torch.nn.Parameter(torch.zeros_like(t)) for t in gs]
        for p, t in zip(ps, gs):
            p.grad = t
        norm = torch.nn.utils.clip_grad_norm_(ps, max_norm)
        tensors.append((tag + ".g", "F32", [200], flat([p.grad for p in ps])))
        tensors.append((tag + ".norm", "F32", [1], [norm.item()]))
        meta[tag + ".max_norm"] = repr(max_norm)
        meta[tag + ".scale"] = repr(scale)
    limit = f32(0.5)
    ps = [torch.nn.Parameter(torch.zeros_like(t)) for t in g]
    for p, t in zip(ps, g):
        p.grad = t.clone()
    clamped = sum(int((t.abs() > limit).sum()) for t in g)
    torch.nn.utils.clip_grad_value_(ps, limit)
    tensors.append(("value.g", "F32", [200], flat([p.grad for p in ps])))
    meta["value.limit"] = repr(limit)
    meta["value.clamped"] = str(clamped)
    write_safetensors(os.path.join(OUT, "optim_clip.safetensors"), tensors, meta)


def lr_sequence(make_scheds, base_lr, steps):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make_scheds(opt)
    out = []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return out


def schedule_cases():
    base = f32(0.1)
    LinearLR = torch.optim.lr_scheduler.LinearLR
    StepLR = torch.optim.lr_scheduler.StepLR
    Cosine = torch.optim.lr_scheduler.CosineAnnealingLR
    Chained = torch.optim.lr_scheduler.ChainedScheduler
    cases = [
        # name, Schedule fields, torch constructor, steps compared
        ("constant", dict(type="constant"), lambda o: StepLR(o, 10**9, 1.0), 30),
        ("step", dict(type="step", step_size=7, gamma=f32(0.5)),
         lambda o: StepLR(o, step_size=7, gamma=f32(0.5)), 30),
        ("step_g07", dict(type="step", step_size=3, gamma=f32(0.7)),
         lambda o: StepLR(o, step_size=3, gamma=f32(0.7)), 30),
        # Cosine is compared over 0..total: past total PyTorch climbs again
        # (the schedule is periodic), ours holds min_lr.
        ("cosine", dict(type="cosine", total=29, min_lr=f32(0.001)),
         lambda o: Cosine(o, T_max=29, eta_min=f32(0.001)), 30),
        ("cosine_min0", dict(type="cosine", total=20),
         lambda o: Cosine(o, T_max=20), 21),
        ("warmup", dict(type="constant", warmup=5),
         lambda o: LinearLR(o, start_factor=1.0 / 5, total_iters=5), 30),
        ("warmup_step", dict(type="step", warmup=4, step_size=7, gamma=f32(0.5)),
         lambda o: Chained([LinearLR(o, start_factor=1.0 / 4, total_iters=4),
                            StepLR(o, step_size=7, gamma=f32(0.5))]), 30),
        ("warmup_cosine", dict(type="cosine", warmup=6, total=29),
         lambda o: Chained([LinearLR(o, start_factor=1.0 / 6, total_iters=6),
                            Cosine(o, T_max=29)]), 30),
    ]
    tensors, meta = [], {"cases": ",".join(c[0] for c in cases)}
    for name, fields, make, steps in cases:
        seq = lr_sequence(make, base, steps)
        tensors.append((name, "F64", [steps], seq))
        full = dict(type="constant", base_lr=base, warmup=0, step_size=0, gamma=1.0,
                    total=0, min_lr=0.0)
        full.update(fields)
        for k, v in full.items():
            meta["%s.%s" % (name, k)] = repr(v) if isinstance(v, float) else str(v)
    write_safetensors(os.path.join(OUT, "optim_schedule.safetensors"), tensors, meta)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    optim_cases()
    clip_cases()
    schedule_cases()


if __name__ == "__main__":
    main()
