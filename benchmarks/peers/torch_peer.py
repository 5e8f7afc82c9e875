#!/usr/bin/env python3
"""PyTorch peer of the library's benchmarks: the same training steps, timed in PyTorch.

Prints one JSON object on stdout: {"available": true, "torch": ..., "device": ..., "threads": ...,
"cases": {id: {"name", "unit", "stepsPerSecond", "msPerStep", "rounds"}}}; rates are medians of
several rounds after a warm-up. Without torch (or without CUDA when --device cuda is asked for) it
prints {"available": false, "reason": ...} and exits 0.

Cases (the library's names, benchmarks/kernels.ts):
  fc6-b32         FC6 784→100×5→10, ReLU, softmax CE, batch 32, plain SGD step with autograd
  cnn6-b32        CNN6: 28×28×1, 5 × conv 5×5 10 channels stride 1 'same' + ReLU, dense to 10, batch 32
  cifar-b1000     dense 3072→300→10, ReLU, softmax CE, batch 1000
  fc6-gradvar     FC6 per-sample gradient statistics (sum of squared norms and mean) by hooks (optional)
  ensemble-16     16 two-layer nets 100→100→1, batch 1, BCE, own η each, torch.bmm + hand-written
                  gradients ("PyTorch CPU's batched implementation"), in network-steps/s
  ensemble-4096   the same with 4,096 members (CUDA mode only, unless asked for by --cases)

Usage: /usr/bin/python3 benchmarks/peers/torch_peer.py [--threads N] [--device cpu|cuda]
       [--seconds S] [--rounds R] [--cases a,b,...]
"""
import argparse
import json
import statistics
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: torch's default)")
    p.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    p.add_argument("--seconds", type=float, default=1.0, help="time per case, about")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--cases", default="", help="comma-separated case ids (default: all for the device)")
    return p.parse_args(argv)


def unavailable(reason):
    print(json.dumps({"available": False, "reason": reason}))
    sys.exit(0)


class Bench:
    """Times a step function: warm-up, then `rounds` rounds of about seconds/rounds each; the median."""

    def __init__(self, torch, device, seconds, rounds):
        self.torch, self.device, self.seconds, self.rounds = torch, device, seconds, rounds

    def sync(self):
        if self.device == "cuda":
            self.torch.cuda.synchronize()

    def time(self, step):
        for _ in range(3):
            step()
        self.sync()
        t0, n = time.perf_counter(), 0
        while n < 3 or time.perf_counter() - t0 < 0.1:
            step()
            n += 1
        self.sync()
        per = (time.perf_counter() - t0) / n
        reps = max(1, round(self.seconds / self.rounds / per))
        rounds = []
        for _ in range(self.rounds):
            t = time.perf_counter()
            for _ in range(reps):
                step()
            self.sync()
            rounds.append((time.perf_counter() - t) / reps)
        return statistics.median(rounds), rounds


def sgd_step(torch, model, loss_fn, x, y, lr):
    for p in model.parameters():
        p.grad = None
    loss = loss_fn(model(x), y)
    loss.backward()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(p.grad, alpha=-lr)


def fc6(nn):
    layers = [nn.Linear(784, 100), nn.ReLU()]
    for _ in range(4):
        layers += [nn.Linear(100, 100), nn.ReLU()]
    return nn.Sequential(*layers, nn.Linear(100, 10))


def cnn6(nn):
    layers, cin = [], 1
    for _ in range(5):
        layers += [nn.Conv2d(cin, 10, 5, stride=1, padding=2), nn.ReLU()]
        cin = 10
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(10 * 28 * 28, 10))


def classifier_case(torch, bench, model, x_shape, batch):
    nn = torch.nn
    dev = bench.device
    model = model.to(dev)
    x = torch.randn(batch, *x_shape, device=dev)
    y = torch.randint(0, 10, (batch,), device=dev)
    loss_fn = nn.CrossEntropyLoss()
    return bench.time(lambda: sgd_step(torch, model, loss_fn, x, y, 0.05))


def fc6_gradvar(torch, bench):
    """Per-sample gradient statistics of FC6 at batch 32: Σᵢ‖gᵢ‖² and the mean gradient per weight, from layer δ and inputs."""
    nn = torch.nn
    dev = bench.device
    model = fc6(nn).to(dev)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    x = torch.randn(32, 784, device=dev)
    y = torch.randint(0, 10, (32,), device=dev)

    def step():
        inputs, outputs = [], []
        a = x
        for i, lin in enumerate(linears):
            inputs.append(a)
            z = lin(a)
            z.retain_grad()
            outputs.append(z)
            a = torch.relu(z) if i < len(linears) - 1 else z
        loss = nn.functional.cross_entropy(a, y, reduction="sum")
        deltas = torch.autograd.grad(loss, outputs)
        stats = []
        for d, inp in zip(deltas, inputs):
            sq = (d.square().sum(1) * inp.square().sum(1)).sum()
            stats.append((sq, d.t() @ inp / d.shape[0], d.square().sum(), d.mean(0)))
        return stats

    return bench.time(step)


def ensemble_case(torch, bench, members, m=100, n=100):
    """K two-layer nets f = V·relu(Wx + b), |B| = 1, BCE with logits, own η each; batched by torch.bmm, gradients by hand."""
    dev = bench.device
    g = torch.Generator(device="cpu").manual_seed(0)
    W = (torch.rand(members, n, m, generator=g) * 2 - 1).div_(m ** 0.5).to(dev)
    b = (torch.rand(members, n, generator=g) * 2 - 1).div_(m ** 0.5).to(dev)
    V = (torch.rand(members, 1, n, generator=g) * 2 - 1).div_(n ** 0.5).to(dev)
    eta = torch.tensor([[0.025, 0.05, 0.075, 0.1][k % 4] for k in range(members)], device=dev)
    eta3 = eta.view(members, 1, 1)
    eta2 = eta.view(members, 1)
    teacher = torch.randn(members, m, 1, device=dev) / m ** 0.5

    def step():
        x = torch.randn(members, 1, m, device=dev)  # [K, B, M]
        y = (torch.bmm(x, teacher) > 0).float()  # [K, B, 1]
        h = torch.baddbmm(b.unsqueeze(1), x, W.transpose(1, 2))  # [K, B, N]
        a = torch.relu(h)
        f = torch.bmm(a, V.transpose(1, 2))  # [K, B, 1]
        D = (torch.sigmoid(f) - y) / x.shape[1]  # dL/df of the mean BCE
        dV = torch.bmm(D.transpose(1, 2), a)  # [K, 1, N]
        dh = torch.bmm(D, V) * (h > 0)  # [K, B, N]
        dW = torch.bmm(dh.transpose(1, 2), x)  # [K, N, M]
        db = dh.sum(1)
        W.sub_(eta3 * dW)
        V.sub_(eta3 * dV)
        b.sub_(eta2 * db)

    with torch.no_grad():
        return bench.time(step)


CASES = {
    "fc6-b32": ("FC6 784→100×5→10, batch 32", "steps/s"),
    "cnn6-b32": ("CNN6 (5 conv 10ch 5×5 + dense), 28×28×1, batch 32", "steps/s"),
    "cifar-b1000": ("dense 3072→300→10, batch 1000", "steps/s"),
    "fc6-gradvar": ("FC6 batch 32, per-sample gradient statistics", "calls/s"),
    "ensemble-16": ("ensemble: 16 × two-layer 100→100→1, batch 1", "network-steps/s"),
    "ensemble-4096": ("ensemble: 4,096 × two-layer 100→100→1, batch 1", "network-steps/s"),
}


def main(argv):
    args = parse_args(argv)
    try:
        import torch
    except Exception as e:  # torch missing or broken
        unavailable(f"torch not importable: {e}")
    if args.device == "cuda" and not torch.cuda.is_available():
        unavailable("CUDA not available to torch")
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    wanted = [c for c in args.cases.split(",") if c] or [
        c for c in CASES if c != "ensemble-4096" or args.device == "cuda"
    ]
    for c in wanted:
        if c not in CASES:
            print(f"unknown case {c}; known: {', '.join(CASES)}", file=sys.stderr)
            sys.exit(2)
    bench = Bench(torch, args.device, args.seconds, args.rounds)
    nn = torch.nn
    out = {}
    for c in wanted:
        if c == "fc6-b32":
            ms, rounds = classifier_case(torch, bench, fc6(nn), (784,), 32)
        elif c == "cnn6-b32":
            ms, rounds = classifier_case(torch, bench, cnn6(nn), (1, 28, 28), 32)
        elif c == "cifar-b1000":
            model = nn.Sequential(nn.Linear(3072, 300), nn.ReLU(), nn.Linear(300, 10))
            ms, rounds = classifier_case(torch, bench, model, (3072,), 1000)
        elif c == "fc6-gradvar":
            ms, rounds = fc6_gradvar(torch, bench)
        else:
            ms, rounds = ensemble_case(torch, bench, 16 if c == "ensemble-16" else 4096)
        per_step = 16 if c == "ensemble-16" else 4096 if c == "ensemble-4096" else 1
        name, unit = CASES[c]
        out[c] = {
            "name": name,
            "unit": unit,
            "stepsPerSecond": per_step / ms,
            "msPerStep": ms * 1000,
            "rounds": [r * 1000 for r in rounds],
        }
    print(json.dumps({
        "available": True,
        "torch": torch.__version__,
        "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(0),
        "threads": torch.get_num_threads(),
        "cases": out,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
