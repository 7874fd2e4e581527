#!/usr/bin/python3
"""Go against PyTorch on the small training step, measured in one run.

Runs gk's BenchmarkTrainStep/small and /small32 (the whole trainer step of
5 -> 3x256 tanh -> 6 at batch 512, float64 and float32) at 1 and 2 OpenBLAS
threads and, right after,
bench/torch_trainstep.py on the same network in float64 and float32 at 1
and 2 threads, alternating Go and PyTorch `--rounds` times so that both see
the same machine load. Prints one JSON line per measurement and a summary:
the best steps/s of each side per dtype (over thread counts and rounds) and
the ratio of Go's float32 to PyTorch's faster dtype.

With --net image it compares the image MLP instead
(BenchmarkTrainStep/image against torch_trainstep.py --cases image: 823 ->
3x512 tanh -> 5488, float32, batch 128), with --net unet the image U-Net
(BenchmarkTrainStep/unet against torch_trainstep.py --cases unet: widths
32/64/64 on 28x28, float32, batch 128; at 1 OpenBLAS thread the Go
convolutions split their images across the cores themselves); the float64
columns then stay empty.

Run from the repository root:

  /usr/bin/python3 bench/compare_trainstep.py [--rounds 2] [--net image|unet]
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def go_bench(tags, benchtime, threads, net):
    """Runs the Go benchmarks once per OpenBLAS thread count (the variable
    OPENBLAS_NUM_THREADS; it has no effect on the pure-Go BLAS)."""
    cmd = ["go", "test", "-run", "^$", "-bench", "TrainStep/" + net, "-benchtime", benchtime, "./gk/"]
    if tags:
        cmd[2:2] = ["-tags", tags]
    res = {}
    for nt in threads:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(nt))
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True, env=env).stdout
        for line in out.splitlines():
            m = re.match(r"BenchmarkTrainStep/(small32|small|image|unet)\S*\s+\d+\s+.*?([\d.]+) steps/s", line)
            if m:
                res[f"{m.group(1)}@{nt}t"] = float(m.group(2))
    return res


def torch_bench(seconds, net):
    cases = "small,small32" if net == "small" else net
    cmd = [sys.executable, os.path.join(HERE, "torch_trainstep.py"), "--cases", cases,
           "--threads", "1,2", "--repeats", "1", "--small-seconds", str(seconds),
           "--mnist-seconds", str(seconds)]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    res = {}
    for line in out.splitlines():
        d = json.loads(line)
        m = re.match(r"trainstep/(small32|small|image|unet)@(\d)t", d.get("case", ""))
        if m:
            res[f"{m.group(1)}@{m.group(2)}t"] = d["steps_per_s"]
    return res


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tags", default="", help="go build tags (e.g. purego)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--benchtime", default="3s")
    p.add_argument("--torch-seconds", type=float, default=3.0)
    p.add_argument("--net", choices=["small", "image", "unet"], default="small",
                   help="small: 5 -> 3x256 -> 6 in float64 and float32; image: the image MLP; unet: the image U-Net")
    args = p.parse_args()
    best = {}
    for r in range(args.rounds):
        for side, res in (("go", go_bench(args.tags, args.benchtime, (1, 2), args.net)),
                          ("torch", torch_bench(args.torch_seconds, args.net))):
            for case, v in res.items():
                print(json.dumps({"round": r, "side": side, "case": case, "steps_per_s": v}), flush=True)
                key = side + ":" + case
                best[key] = max(best.get(key, 0), v)
    def top(prefix):
        return max(v for k, v in best.items() if k.startswith(prefix))
    if args.net in ("image", "unet"):
        go32, torch32 = top(f"go:{args.net}@"), top(f"torch:{args.net}@")
        print(json.dumps({"net": args.net, "go_float32_best": go32, "torch_float32_best": torch32,
                          "ratio_go32_to_torch_best": round(go32 / torch32, 2),
                          "best_of_rounds": args.rounds}))
        return
    torch64, torch32 = top("torch:small@"), top("torch:small32@")
    go64, go32 = top("go:small@"), top("go:small32@")
    summary = {
        "go_float64_best": go64, "go_float32_best": go32,
        "torch_float64_best": torch64, "torch_float32_best": torch32,
        "ratio_go32_to_torch_best": round(go32 / max(torch64, torch32), 2),
        "ratio_go64_to_torch_best": round(go64 / max(torch64, torch32), 2),
        "best_of_rounds": args.rounds,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
