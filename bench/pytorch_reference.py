#!/usr/bin/env python3
"""PyTorch reference for `steerlab bench`: the same measurements, for a side-by-side table.

What it measures (the same as native/bench/, with the same figure names):
  1. one training epoch of the seed's 784-512-512-10 MLP (60,000 images, batch 64, Adam lr 1e-3,
     shuffled with a fixed torch seed, pixels / 255), then the test-set evaluation, timed apart;
  2. the 100-pair layer-0 sweep over the test set (vector = act_0(first training a) -
     act_0(first training b), coefficient 1): layer-0 activations computed once, then per pair
     add the vector, run the rest, and score CE / accuracy over labels != b, P(a|b), P(b|b);
  3. the 3-1 vector at each layer 0..4 (unpatched and patched run per layer);
  4. single-image steering latency (unpatched + steered forward pass, softmax), median and p95;
  5. the default training, 3 epochs of the same, one optimiser, each epoch timed with its test-set
     evaluation (SteerLab times its whole `steerlab train` command beside it);
  6. one training epoch of a 784-256-128-64-10 GELU network (the same recipe), with its test-set
     evaluation, and its 100-pair sweep at each hidden hook (PyTorch's default init under
     torch.manual_seed(0); the sweeps' work does not depend on training);
  7. peak RSS per phase (VmHWM, reset between phases on Linux) and the process peak
     (resource.getrusage).

Run (Debian's python3 has torch: `apt-get install python3-torch libopenblas0-pthread`):
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/python3 bench/pytorch_reference.py \
      --data MNIST_DIR [--out bench/results] [--quick] [--threads N]
torch keeps its own thread default unless --threads is given: on the 2-core machine Debian's torch
defaults to 1 OpenMP thread (OpenBLAS still uses 2), and forcing 2 made training steps 1.4-20x slower in our runs.
Writes bench/results/pytorch-<YYYY-MM-DD>.json (pytorch-<date>-quick.json with --quick).
"""
import argparse
import datetime
import gzip
import json
import os
import platform
import resource
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

OPENBLAS_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


# ---------------------------------------------------------------- data

def read_idx(path_base: Path) -> np.ndarray:
    """Reads an IDX file (gzipped or not) into a uint8 array shaped as its header says."""
    gz = path_base.with_name(path_base.name + ".gz")
    raw = gzip.open(gz, "rb").read() if gz.exists() else path_base.read_bytes()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(data_dir: Path):
    def split(prefix):
        images = read_idx(data_dir / f"{prefix}-images-idx3-ubyte").reshape(-1, 784)
        labels = read_idx(data_dir / f"{prefix}-labels-idx1-ubyte")
        return torch.from_numpy(images.astype(np.float32) / 255.0), torch.from_numpy(labels.astype(np.int64))
    return split("train"), split("t10k")


# ---------------------------------------------------------------- memory

def vm_hwm_bytes():
    """Peak RSS since the last reset (Linux VmHWM), or None where /proc is not there."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def vm_rss_bytes():
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def reset_hwm() -> bool:
    """Resets VmHWM to the current RSS (Linux: write 5 to clear_refs), so each phase has its own peak."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def machine_busy_seconds():
    """Busy CPU seconds of the whole machine, all cores (from /proc/stat), or None off Linux."""
    try:
        fields = open("/proc/stat").readline().split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in fields[:7])
        return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


class Phase:
    """Times a phase and records its peak RSS: VmHWM (exact, kernel-kept) and 50 ms samples of VmRSS."""

    def __init__(self, name, memory):
        self.name, self.memory = name, memory

    def __enter__(self):
        reset_hwm()
        self.samples = [vm_rss_bytes() or 0]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        self.busy0, self.own0 = machine_busy_seconds(), os.times()
        self.started = time.perf_counter()
        return self

    def _sample(self):
        while not self.stop.wait(0.05):
            self.samples.append(vm_rss_bytes() or 0)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        busy, own = machine_busy_seconds(), os.times()
        # Cores kept busy by other processes meanwhile (0 = a quiet machine), as native/bench/contention.ts.
        own_seconds = (own.user - self.own0.user) + (own.system - self.own0.system)
        self.other_cpu_cores = None if busy is None else max(0.0, round((busy - self.busy0 - own_seconds) / self.seconds, 2))
        self.stop.set()
        self.thread.join()
        hwm = vm_hwm_bytes()
        self.memory[self.name] = {
            "peakRssBytes": max(hwm or 0, max(self.samples)),
            "sampledPeakRssBytes": max(self.samples),
            "samples": len(self.samples),
            "rusageMaxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        }
        return False


# ---------------------------------------------------------------- model and metrics

def seed_model():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def run_from(model, hook, act):
    """Continues the forward pass from the activation just after linear_relu_stack[hook]."""
    for layer in model[hook + 1:]:
        act = layer(act)
    return act


def run_to(model, hook, x):
    return model[: hook + 1](x)


def pair_metrics(logits, labels, a, b):
    """CE and accuracy over labels != b; mean P(a) and P(b) over images of b."""
    log_probs = torch.log_softmax(logits, dim=1)
    keep = labels != b
    ce = -log_probs[keep].gather(1, labels[keep].unsqueeze(1)).mean().item()
    acc = (logits[keep].argmax(1) == labels[keep]).float().mean().item()
    probs_b = log_probs[labels == b].exp()
    return {"ce": ce, "accuracy": acc, "pA": probs_b[:, a].mean().item(), "pB": probs_b[:, b].mean().item()}


def first_index(labels, digit):
    return int((labels == digit).nonzero()[0])


# ---------------------------------------------------------------- phases

def train_epoch(model, x, y, batch_size, lr, seed):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(x), generator=gen)
    model.train()
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        loss = loss_fn(model(x[idx]), y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def train_epochs(model, x, y, test_x, test_y, epochs, batch_size, lr, seed):
    """The default training: one Adam over `epochs` epochs; per epoch, seconds with its test evaluation."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(seed)
    seconds = []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(x), generator=gen)
        model.train()
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            loss = loss_fn(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        test_ce, _ = evaluate(model, test_x, test_y)
        seconds.append(time.perf_counter() - started)
    return seconds, test_ce


def evaluate(model, x, y):
    with torch.no_grad():
        logits = model(x)
        return nn.functional.cross_entropy(logits, y).item(), (logits.argmax(1) == y).float().mean().item()


def pair_sweep(model, train_x, train_y, test_x, test_y, coeff=1.0):
    with torch.no_grad():
        firsts = torch.stack([train_x[first_index(train_y, d)] for d in range(10)])
        acts = run_to(model, 0, firsts)
        prefix = run_to(model, 0, test_x)
        cells = []
        for a in range(10):
            for b in range(10):
                logits = run_from(model, 0, prefix + coeff * (acts[a] - acts[b]))
                cells.append(pair_metrics(logits, test_y, a, b))
        return cells


def gelu_model():
    """The bench's second architecture (native/bench/gelu-phase.ts): 784-256-128-64-10, GELU (exact erf)."""
    return nn.Sequential(nn.Linear(784, 256), nn.GELU(), nn.Linear(256, 128), nn.GELU(), nn.Linear(128, 64), nn.GELU(), nn.Linear(64, 10))


def pair_sweep_at(model, hook, train_x, train_y, test_x, test_y, coeff=1.0):
    """The 100-pair sweep at any hook, the prefix up to the hook computed once (as pair_sweep at 0)."""
    with torch.no_grad():
        firsts = torch.stack([train_x[first_index(train_y, d)] for d in range(10)])
        acts = run_to(model, hook, firsts)
        prefix = run_to(model, hook, test_x)
        return [pair_metrics(run_from(model, hook, prefix + coeff * (acts[a] - acts[b])), test_y, a, b) for a in range(10) for b in range(10)]


def gelu_sweeps(train_x, train_y, test_x, test_y):
    """Seconds and mean CE of the 100-pair sweep at each hidden hook of gelu_model()."""
    model = gelu_model().eval()
    seconds, mean_ce = [], []
    for hook in range(len(model) - 1):
        started = time.perf_counter()
        cells = pair_sweep_at(model, hook, train_x, train_y, test_x, test_y)
        seconds.append(time.perf_counter() - started)
        mean_ce.append(float(np.mean([c["ce"] for c in cells])))
    return seconds, mean_ce


def layer_sweep(model, train_x, train_y, test_x, test_y, a=3, b=1, coeff=1.0):
    rows = []
    with torch.no_grad():
        plus, minus = train_x[first_index(train_y, a)][None], train_x[first_index(train_y, b)][None]
        for hook in range(5):
            vector = (run_to(model, hook, plus) - run_to(model, hook, minus))[0]
            prefix = run_to(model, hook, test_x)
            normal = pair_metrics(run_from(model, hook, prefix), test_y, a, b)
            patched = pair_metrics(run_from(model, hook, prefix + coeff * vector), test_y, a, b)
            rows.append({"layer": hook, "normal": normal["ce"], **patched})
    return rows


def steer_latency(model, train_x, train_y, test_x, reps, warmup):
    """One image: unpatched and steered (3-1 vector at hook 0, cached) forward passes and softmaxes."""
    with torch.no_grad():
        vector = run_to(model, 0, train_x[first_index(train_y, 3)][None]) - run_to(model, 0, train_x[first_index(train_y, 1)][None])
        times = []
        for i in range(warmup + reps):
            x = test_x[i % len(test_x)][None]
            t = time.perf_counter()
            unpatched = torch.softmax(model(x), 1).tolist()
            steered = torch.softmax(run_from(model, 0, run_to(model, 0, x) + vector), 1).tolist()
            dt = (time.perf_counter() - t) * 1000
            if i >= warmup:
                times.append(dt)
        assert len(unpatched[0]) == len(steered[0]) == 10
    times.sort()
    return {"medianMs": percentile(times, 0.5), "p95Ms": percentile(times, 0.95), "minMs": times[0], "maxMs": times[-1], "reps": reps}


def percentile(sorted_values, q):
    """Nearest-rank percentile (the same rule as native/bench/stats.ts)."""
    rank = max(1, int(np.ceil(q * len(sorted_values))))
    return sorted_values[rank - 1]


# ---------------------------------------------------------------- machine

def machine_info():
    cpu = platform.processor() or ""
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else None
    return {"cpu": cpu, "cores": os.cpu_count(), "totalMemoryBytes": mem, "os": f"{platform.system()} {platform.release()}",
            "hostname": socket.gethostname(), "python": platform.python_version()}


def blas_info():
    info = {"configFirstLines": torch.__config__.show().strip().splitlines()[:6]}
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [{k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture", "threading_layer", "filepath")}
                               for p in threadpool_info()]
    except ImportError:
        info["threadpools"] = "threadpoolctl not installed"
    return info


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


# ---------------------------------------------------------------- main

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=os.environ.get("STEERLAB_DATA", "../shared/mnist"))
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent / "results"))
    parser.add_argument("--quick", action="store_true", help="2,000 training and 1,000 test images")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch (OpenMP) threads; default: torch's own default (BLAS threads are OpenBLAS's own)")
    parser.add_argument("--reps", type=int, default=200)
    args = parser.parse_args()

    load_before = os.getloadavg()
    default_threads = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    memory = {}
    (train_x, train_y), (test_x, test_y) = load_mnist(Path(args.data))
    if args.quick:
        train_x, train_y, test_x, test_y = train_x[:2000], train_y[:2000], test_x[:1000], test_y[:1000]
    reps, warmup = args.reps, 20
    # Memory of a phase is the process's: the data tensors (~200 MB) are part of every phase.
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads (default {default_threads}); "
          f"{len(train_x)} training, {len(test_x)} test images", file=sys.stderr)

    model = seed_model()
    with Phase("train", memory) as p_train:
        final_loss = train_epoch(model, train_x, train_y, 64, 1e-3, 0)
    with Phase("eval", memory) as p_eval:
        test_ce, test_acc = evaluate(model, test_x, test_y)
    print(f"epoch: {p_train.seconds:.2f} s, eval {p_eval.seconds:.3f} s (test CE {test_ce:.4f}, accuracy {test_acc:.4f})", file=sys.stderr)
    model.eval()
    with Phase("pairSweep", memory) as p_sweep:
        cells = pair_sweep(model, train_x, train_y, test_x, test_y)
    print(f"pair sweep: {p_sweep.seconds:.2f} s", file=sys.stderr)
    with Phase("layerSweep", memory) as p_layers:
        rows = layer_sweep(model, train_x, train_y, test_x, test_y)
    print(f"layer sweep: {p_layers.seconds:.3f} s", file=sys.stderr)
    with Phase("steer", memory) as p_steer:
        steer = steer_latency(model, train_x, train_y, test_x, reps, warmup)
    print(f"steer: median {steer['medianMs']:.3f} ms, p95 {steer['p95Ms']:.3f} ms", file=sys.stderr)
    with Phase("geluTrain", memory):
        gelu_train_seconds, gelu_train_ce = train_epochs(gelu_model(), train_x, train_y, test_x, test_y, 1, 64, 1e-3, 0)
    print(f"GELU 784-256-128-64-10 training epoch: {gelu_train_seconds[0]:.2f} s (test CE {gelu_train_ce:.4f})", file=sys.stderr)
    gelu_seconds, gelu_ce = gelu_sweeps(train_x, train_y, test_x, test_y)
    print(f"GELU 784-256-128-64-10 pair sweeps at hooks 0..{len(gelu_seconds) - 1}: {' / '.join(f'{s:.2f}' for s in gelu_seconds)} s", file=sys.stderr)
    epochs = 1 if args.quick else 3
    epoch_seconds, epochs_ce = train_epochs(seed_model(), train_x, train_y, test_x, test_y, epochs, 64, 1e-3, 0)
    print(f"{epochs} epochs: {sum(epoch_seconds):.2f} s ({' / '.join(f'{s:.2f}' for s in epoch_seconds)}), test CE {epochs_ce:.4f}", file=sys.stderr)

    now = datetime.datetime.now(datetime.timezone.utc)
    result = {
        "tool": "pytorch",
        "schema": 1,
        "quick": args.quick,
        "timestamp": now.isoformat(),
        "gitCommit": git_commit(),
        "machine": machine_info(),
        "runtime": {
            "torch": torch.__version__,
            "numpy": np.__version__,
            "threads": torch.get_num_threads(),
            "defaultThreads": default_threads,
            "blas": blas_info(),
            # As they were in the environment this process was started from (the bench unsets them).
            "openblasEnv": {name: os.environ.get(name) for name in OPENBLAS_VARS},
            # Other work on the machine skews timings; the 1-minute load average shows it.
            "loadAverageBefore": [round(v, 2) for v in load_before],
            "loadAverageAfter": [round(v, 2) for v in os.getloadavg()],
            "otherCpuCores": {"train": p_train.other_cpu_cores, "pairSweep": p_sweep.other_cpu_cores,
                              "layerSweep": p_layers.other_cpu_cores, "steer": p_steer.other_cpu_cores},
        },
        "sizes": {"trainImages": len(train_x), "testImages": len(test_x), "batchSize": 64, "learningRate": 1e-3, "steerReps": reps},
        "figures": {
            "trainSeconds": p_train.seconds + p_eval.seconds,
            "trainStepsSeconds": p_train.seconds,
            "testEvalSeconds": p_eval.seconds,
            "pairSweepSeconds": p_sweep.seconds,
            "layerSweepSeconds": p_layers.seconds,
            "steerMedianMs": steer["medianMs"],
            "steerP95Ms": steer["p95Ms"],
            # The default training's epochs (the loop only: no start-up, no data loading).
            "trainCommandSeconds": sum(epoch_seconds),
            "trainEpochSeconds": epoch_seconds,
            # One epoch of 784-256-128-64-10 GELU with its test evaluation (native/bench/gelu-phase.ts).
            "geluTrainSeconds": gelu_train_seconds[0],
            # The 100-pair sweep of 784-256-128-64-10 GELU at each hidden hook (native/bench/gelu-phase.ts).
            "geluPairSweepSeconds": gelu_seconds,
            # SteerLab's training phase includes its test evaluation, so "train" here covers both.
            "peakRssBytes": {"train": max(memory["train"]["peakRssBytes"], memory["eval"]["peakRssBytes"]),
                             **{k: memory[k]["peakRssBytes"] for k in ("pairSweep", "layerSweep", "steer", "geluTrain")}},
            "processPeakRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        "memory": memory,
        "steer": steer,
        "checks": {
            "finalTrainLoss": final_loss,
            "testCeNats": test_ce,
            "testAccuracy": test_acc,
            "pairSweepMeanCe": float(np.mean([c["ce"] for c in cells])),
            "pairSweep31Ce": cells[3 * 10 + 1]["ce"],
            "layerSweepCe": [r["ce"] for r in rows],
            "defaultTrainingTestCeNats": epochs_ce,
            "geluTrainTestCeNats": gelu_train_ce,
            "geluPairSweepMeanCe": gelu_ce,
        },
    }
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"pytorch-{now.strftime('%Y-%m-%d')}{'-quick' if args.quick else ''}.json"
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    tmp.replace(out)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
