#!/usr/bin/env python3
"""Image quality of a trained model, as docs/images.md reports it.

For a model whose data marginals are labelled image classes (marginal k =
the k-th entry of --classes), this runs `mmi` for

  * noise -> class k: --n samples along the edge e_0 -> e_k (or along
    `mmi path --detour W` with --detour W, --steps for each of its two
    segments), read by `mmi eval --class` (share read as the class,
    Fréchet ratio to the floor, ghost);
  * every translation i -> j along the straight data-data edge of
    --sources held-out test images of class i, read as class j (share,
    ghost) and against their sources (`mmi eval --source`: pixel
    correlation with the own source and with another);

and prints the two tables and a summary line against the targets of
docs/images.md (read as the class >= 0.98, Fréchet <= 2x the floor,
translations >= 0.90, ghost <= 1.5). Only the standard library; the
samples stay in --dir.

    go build -o mmi ./cmd/mmi
    python3 bench/image_quality.py --model mnist6.mmi --mmi ./mmi

A pair's ghost at 60 sources has a standard error of about 13 %
of its value (`mmi eval --class` reports it, ghost_se), so read single
pairs on more sources: --sources 0 translates every test image of the
source class once (about 1000 per MNIST class).
"""
import argparse
import json
import os
import subprocess
import sys


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return p.stdout


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--mmi", default="mmi", help="the mmi binary")
    ap.add_argument("--classes", default="mnist:0,mnist:1,mnist:2,mnist:3,mnist:4,mnist:5",
                    help="the model's data marginals in order, SET:CLASS")
    ap.add_argument("--n", type=int, default=300, help="samples per class from noise")
    ap.add_argument("--sources", type=int, default=60,
                    help="held-out sources per translation pair (drawn with replacement); 0: every test image of the class once")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--solver", default="rk4")
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--detour", type=float, default=0,
                    help="noise -> class through (1-W) e_0 + W c (mmi path --detour); 0: the edge")
    ap.add_argument("--sde", type=float, default=0,
                    help="noise -> class by the SDE of noise level E (mmi path --sde --eps E) instead of the ODE")
    ap.add_argument("--guidance", default="auto",
                    help="noise -> class with mmi path --guidance G (auto: the image default; 0: the model's own flow)")
    ap.add_argument("--noise-only", action="store_true", help="skip the translations")
    ap.add_argument("--dir", default="image-quality", help="folder for the samples")
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    a = ap.parse_args()
    classes = a.classes.split(",")
    os.makedirs(a.dir, exist_ok=True)
    solve = ["--solver", a.solver, "--steps", str(a.steps)]
    out = {"model": a.model, "noise": {}, "translations": {}}
    route = solve
    if a.detour:
        route = ["--detour", str(a.detour), "--solver", a.solver, "--steps", str(2 * a.steps)]
    if a.sde:
        route = route + ["--sde", "--eps", str(a.sde)]
    for k, c in enumerate(classes, 1):
        f = os.path.join(a.dir, "noise-%d.npy" % k)
        run([a.mmi, "path", "--model", a.model, "--from", "0", "--to", str(k), "--n", str(a.n),
             "--seed", str(a.seed), "--out", f, "--force", "--guidance", a.guidance] + route)
        out["noise"][c] = json.loads(run([a.mmi, "eval", "--a", f, "--class", c, "--json"]))
    src = {}
    for k, c in enumerate(classes, 1):
        if a.noise_only:
            break
        src[k] = os.path.join(a.dir, "source-%d.npy" % k)
        count = ["--all"] if a.sources == 0 else ["--n", str(a.sources), "--seed", str(a.seed)]
        run([a.mmi, "sample", "--data", c + ":test", "--k", "1", "--out", src[k], "--force"] + count)
    for i, ci in enumerate(classes, 1):
        for j, cj in enumerate(classes, 1):
            if i == j or a.noise_only:
                continue
            f = os.path.join(a.dir, "t-%d-%d.npy" % (i, j))
            run([a.mmi, "transfer", "--model", a.model, "--from", str(i), "--to", str(j), "--in", src[i],
                 "--eval-n", "0", "--out", f, "--force"] + solve)
            e = json.loads(run([a.mmi, "eval", "--a", f, "--class", cj, "--json"]))
            s = json.loads(run([a.mmi, "eval", "--a", f, "--source", src[i], "--json"]))
            out["translations"]["%s->%s" % (ci, cj)] = {"n": e["n"], "share": e["share"], "ghost": e["ghost"],
                                                         "ghost_se": e.get("ghost_se", 0),
                                                         "own": s["own"], "other": s["other"]}
    if a.json:
        json.dump(out, sys.stdout, indent=1)
        print()
        return
    print("| from noise | read as the class | Fréchet ratio | ghost |")
    print("|---|---|---|---|")
    for c in classes:
        r = out["noise"][c]
        print("| %s | %.3f | %.2f | %.2f |" % (c, r["share"], r["ratio"], r["ghost"]))
    n = out["noise"].values()
    summary = "noise -> class: read as the class %d/%d >= 0.98 (min %.3f), Fréchet %d/%d <= 2 (max %.2f)" % (
        sum(r["share"] >= 0.98 for r in n), len(n), min(r["share"] for r in n),
        sum(r["ratio"] <= 2 for r in n), len(n), max(r["ratio"] for r in n))
    if a.noise_only:
        print()
        print(summary)
        return
    print()
    print("| from \\ to (read as the target / ghost ± its standard error) | " + " | ".join(classes) + " |")
    print("|---" * (len(classes) + 1) + "|")
    for ci in classes:
        row = []
        for cj in classes:
            t = out["translations"].get("%s->%s" % (ci, cj))
            row.append("—" if t is None else "%.2f / %.2f ± %.2f" % (t["share"], t["ghost"], t["ghost_se"]))
        print("| %s | %s |" % (ci, " | ".join(row)))
    t = list(out["translations"].values())
    print()
    print(summary + "; translations: %d/%d >= 0.90 (min %.2f), ghost %d/%d <= 1.5 (max %.2f, mean %.2f); "
          "correlation with the own source %.2f, with another %.2f" % (
              sum(x["share"] >= 0.9 for x in t), len(t), min(x["share"] for x in t),
              sum(x["ghost"] <= 1.5 for x in t), len(t), max(x["ghost"] for x in t),
              sum(x["ghost"] for x in t) / len(t),
              sum(x["own"] for x in t) / len(t), sum(x["other"] for x in t) / len(t)))

if __name__ == "__main__":
    main()
