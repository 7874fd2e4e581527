#!/usr/bin/python3
"""PyTorch CPU reference for mmi's network-engine benchmarks (nn/bench_test.go).

Times, on 2 threads, the same cases as BenchmarkTrainStep, BenchmarkForward
and BenchmarkGemm:

  trainstep/<net>      forward, MSE loss against random targets, backward,
                       Adam step (lr 1e-3), zero_grad, at batch 512
  forward/<net>/<n>    forward pass alone under torch.no_grad, n = 1 and 512
  gemm/<dtype>         1024x1024 by 1024x1024 matmul (the BLAS peak)

with the networks

  small    Linear(5,256) tanh Linear(256,256) tanh Linear(256,256) tanh
           Linear(256,6), float64
  small32  the same network in float32 (gk's BenchmarkTrainStep/small32)
  mnist  Linear(791,1024) tanh, 3 hidden layers of 1024, Linear(1024,5488),
         float32
  image  the image default of `mmi train` (gk's BenchmarkTrainStep/image):
         Linear(823,512) tanh, 3 hidden layers of 512, Linear(512,5488),
         float32, batch 128 (823 = 7 alphas + 32 Fourier features + 784
         pixels; 5488 = 7 heads of 784)
  unet   the default U-Net of `mmi train` on images (gk's
         BenchmarkTrainStep/unet; nn.UNetSpec): 28x28x1 images, widths
         32/64/64, GroupNorm(8) + scale/shift from an SiLU MLP of the 39
         alpha-features (39 -> 128 -> 128 -> 2 x channels of every norm),
         SiLU, 3x3 convolutions, average pooling, nearest upsampling,
         concatenated skips, 7 output channels; float32, batch 128, NCHW
         (channels_last measured no faster here); only trainstep is timed

Each case is warmed up, then timed for a fixed wall time, three times; the
median rate is printed as one JSON line per case (with the min and max of the
three repeats as the spread). The first line describes the torch build.

Run:  OPENBLAS_NUM_THREADS=2 /usr/bin/python3 bench/torch_trainstep.py [--quick]
      /usr/bin/python3 bench/torch_trainstep.py --cases small,small32 --threads 1,2

With several --threads, every case runs at each thread count in turn and its
name gets the suffix "@<threads>t".

OpenMP wait policy: unless OMP_WAIT_POLICY is already set in the environment,
the script sets it to PASSIVE before importing torch (--omp-wait-policy
changes this). With libgomp's default (spin-waiting) and 2 threads on 2 cores
shared with other processes, every parallel region waits for a descheduled
spinning thread and torch runs 5-8x slower than on one thread (measured here:
a 512x256 float64 Linear takes 10.8 ms instead of 1.4 ms). Passive waiting
costs a futex wake-up per parallel region instead, which matters only on an
idle machine and for tiny ops (batch 1); on an idle machine compare with
--omp-wait-policy=default.
"""

import argparse
import json
import os
import statistics
import sys
import time

# OMP_WAIT_POLICY is read when libgomp is loaded, i.e. on `import torch`, so
# the flag is parsed here, before the import (see the module doc).
_pre = argparse.ArgumentParser(add_help=False)
_pre.add_argument("--omp-wait-policy", choices=["passive", "active", "default"],
                  default="passive")
_policy = _pre.parse_known_args()[0].omp_wait_policy
if "OMP_WAIT_POLICY" not in os.environ and _policy != "default":
    os.environ["OMP_WAIT_POLICY"] = _policy.upper()

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

NETS = {
    # name: (layer sizes, dtype)
    "small": ([5, 256, 256, 256, 6], torch.float64),
    "small32": ([5, 256, 256, 256, 6], torch.float32),
    "mnist": ([791, 1024, 1024, 1024, 5488], torch.float32),
    "image": ([823, 512, 512, 512, 5488], torch.float32),
}
BATCH = 512
BATCHES = {"image": 128}  # the others use BATCH


def mlp(sizes, dtype):
    """An MLP with tanh between the Linear layers and none after the last."""
    layers = []
    for i in range(len(sizes) - 1):
        if i > 0:
            layers.append(torch.nn.Tanh())
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
    return torch.nn.Sequential(*layers).to(dtype)


class NormAct(torch.nn.Module):
    """silu(GroupNorm(x) * (1 + s) + t), (s, t) a slice of the embedding
    output (nn.UNet's NormAct: GroupNorm without its own affine)."""

    def __init__(self, channels, groups, offset):
        super().__init__()
        g = min(groups, channels)
        while channels % g:
            g -= 1
        self.norm = torch.nn.GroupNorm(g, channels, affine=False)
        self.c, self.off = channels, offset

    def forward(self, x, film):
        s = film[:, self.off:self.off + self.c, None, None]
        t = film[:, self.off + self.c:self.off + 2 * self.c, None, None]
        return F.silu(self.norm(x) * (1 + s) + t)


class UNet(torch.nn.Module):
    """The network of nn.UNetSpec (see nn/unet.go), layer for layer."""

    def __init__(self, c=1, cond=39, out=7, widths=(32, 64, 64), embed=128, groups=8):
        super().__init__()
        self.film = 0
        self.norms = torch.nn.ModuleList()
        self.convs = torch.nn.ModuleList()

        def norm(ch):
            m = NormAct(ch, groups, self.film)
            self.film += 2 * ch
            self.norms.append(m)
            return len(self.norms) - 1

        def conv(i, o, k):
            self.convs.append(torch.nn.Conv2d(i, o, k, padding=k // 2))
            return len(self.convs) - 1

        def res(i, o):
            return (norm(i), conv(i, o, 3), norm(o), conv(o, o, 3), conv(i, o, 1) if i != o else None)

        self.inc = conv(c, widths[0], 3)
        self.down, ch = [], widths[0]
        for w in widths:
            self.down.append(res(ch, w))
            ch = w
        self.mid = res(ch, ch)
        self.up = []
        for l in reversed(range(len(widths))):
            self.up.append(res(ch + widths[l], widths[l]))
            ch = widths[l]
        self.outn, self.outc = norm(ch), conv(ch, out, 3)
        self.emb = torch.nn.Sequential(torch.nn.Linear(cond, embed), torch.nn.SiLU(),
                                       torch.nn.Linear(embed, embed), torch.nn.SiLU(),
                                       torch.nn.Linear(embed, self.film))
        self.levels = len(widths)

    def block(self, b, x, film):
        n1, c1, n2, c2, sk = b
        h = self.convs[c1](self.norms[n1](x, film))
        h = self.convs[c2](self.norms[n2](h, film))
        return h + (self.convs[sk](x) if sk is not None else x)

    def forward(self, img, cond):
        film = self.emb(cond)
        h = self.convs[self.inc](img)
        kept = []
        for l, b in enumerate(self.down):
            h = self.block(b, h, film)
            kept.append(h)
            if l < self.levels - 1:
                h = F.avg_pool2d(h, 2)
        h = self.block(self.mid, h, film)
        for i, b in enumerate(self.up):
            l = self.levels - 1 - i
            h = self.block(b, torch.cat([h, kept[l]], 1), film)
            if l > 0:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
        return self.convs[self.outc](self.norms[self.outn](h, film))


def bench_unet(seconds, warmup, repeats):
    torch.manual_seed(1)
    model = UNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = 128
    img = torch.randn(batch, 1, 28, 28)
    cond = torch.randn(batch, 39)
    target = torch.randn(batch, 7, 28, 28)

    def train_step():
        loss = F.mse_loss(model(img, cond), target)
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)

    params = sum(p.numel() for p in model.parameters())
    measure("trainstep/unet", train_step, batch, seconds, warmup, repeats)
    print(json.dumps({"case": "unet/params" + SUFFIX, "params": params}), flush=True)


def rate(step, seconds, warmup_seconds):
    """Runs step() for warmup_seconds, then counts the calls completed in
    at least `seconds` of wall time and returns calls per second."""
    t0 = time.perf_counter()
    step()  # at least one warm-up call, however short warmup_seconds is
    while time.perf_counter() - t0 < warmup_seconds:
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        step()
        n += 1
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


SUFFIX = ""  # "@<threads>t" when several thread counts are timed


def measure(case, step, samples, seconds, warmup, repeats, extra=None):
    """Times step `repeats` times and prints the median as a JSON line.
    samples is the number of samples one step processes (None for gemm);
    extra maps an output key to a per-step multiplier (e.g. GFLOP per step)."""
    rates = sorted(rate(step, seconds, warmup) for _ in range(repeats))
    med = statistics.median(rates)
    out = {"case": case + SUFFIX, "steps_per_s": round(med, 3)}
    if samples is not None:
        out["samples_per_s"] = round(med * samples, 1)
    for key, per_step in (extra or {}).items():
        out[key] = round(med * per_step, 2)
    out["steps_per_s_min"] = round(rates[0], 3)
    out["steps_per_s_max"] = round(rates[-1], 3)
    out["seconds"] = seconds
    out["repeats"] = repeats
    print(json.dumps(out), flush=True)


def bench_net(name, seconds, warmup, repeats):
    sizes, dtype = NETS[name]
    torch.manual_seed(1)
    model = mlp(sizes, dtype)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = BATCHES.get(name, BATCH)
    x = torch.randn(batch, sizes[0], dtype=dtype)
    target = torch.randn(batch, sizes[-1], dtype=dtype)

    def train_step():
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        # Zero the gradient memory in place, as the Go engine does, rather
        # than dropping it (set_to_none) and reallocating in backward.
        opt.zero_grad(set_to_none=False)

    measure(f"trainstep/{name}", train_step, batch, seconds, warmup, repeats)

    for n in (1, batch):
        xn = x[:n].contiguous()

        def forward():
            with torch.no_grad():
                model(xn)

        measure(f"forward/{name}/{n}", forward, n, seconds, warmup, repeats)


def bench_gemm(dtype, seconds, warmup, repeats):
    k = 1024
    torch.manual_seed(1)
    a = torch.randn(k, k, dtype=dtype)
    b = torch.randn(k, k, dtype=dtype)
    c = torch.empty(k, k, dtype=dtype)

    def step():
        torch.matmul(a, b, out=c)

    name = str(dtype).removeprefix("torch.")
    measure(f"gemm/{name}", step, None, seconds, warmup, repeats,
            extra={"gflops": 2 * k**3 / 1e9})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true",
                   help="short run (0.5 s per repeat, 1 repeat) to check it works")
    p.add_argument("--threads", default="2",
                   help="torch thread count, or a comma-separated list to time each")
    p.add_argument("--omp-wait-policy", choices=["passive", "active", "default"],
                   default="passive",
                   help="OMP_WAIT_POLICY to set when the environment has none "
                   "(default: passive; 'default' leaves libgomp's spin-then-sleep)")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--small-seconds", type=float, default=5.0)
    p.add_argument("--mnist-seconds", type=float, default=15.0)
    p.add_argument("--cases", default="small,mnist,gemm",
                   help="comma-separated subset of small,small32,mnist,image,unet,gemm")
    args = p.parse_args()

    threads = [int(t) for t in args.threads.split(",")]
    torch.set_num_threads(threads[0])
    repeats, small_s, mnist_s = args.repeats, args.small_seconds, args.mnist_seconds
    if args.quick:
        repeats, small_s, mnist_s = 1, 0.5, 0.5
    warm = lambda s: min(1.0, s / 2)  # noqa: E731

    print(json.dumps({
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "num_threads": torch.get_num_threads(),
        "num_interop_threads": torch.get_num_interop_threads(),
        "parallel_backend": "OpenMP" if "OpenMP" in torch.__config__.parallel_info() else "other",
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", "(unset)"),
        "mkldnn": torch.backends.mkldnn.is_available(),
    }), flush=True)

    global SUFFIX
    cases = set(args.cases.split(","))
    for nt in threads:
        torch.set_num_threads(nt)
        if len(threads) > 1:
            SUFFIX = f"@{nt}t"
        for name in ("small", "small32"):
            if name in cases:
                bench_net(name, small_s, warm(small_s), repeats)
        for name in ("mnist", "image"):
            if name in cases:
                bench_net(name, mnist_s, warm(mnist_s), repeats)
        if "unet" in cases:
            bench_unet(mnist_s, warm(mnist_s), repeats)
        if "gemm" in cases:
            bench_gemm(torch.float64, small_s, warm(small_s), repeats)
            bench_gemm(torch.float32, small_s, warm(small_s), repeats)


if __name__ == "__main__":
    main()
