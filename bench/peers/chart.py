"""Draws the peers suite's ratios (JSON on stdin) as a PNG: one panel per data set; for each tool or limit compared,
one bar per variant of ours, the value being that tool's time over ours (above 1: ours is faster; for the BLAKE3
limit, the share of it ours reached). The targets are dashed lines."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"ours": "#2980b9", "ours (hard links, opt-in)": "#8e44ad"}
TARGETS = {"a": [(3, "3x W&B"), (5, "5x DVC"), (0.8, "0.8x limit"), (1 / 1.3, "1/1.3 of cp")], "b": [(3, "3x peers")], "c": [(10, "10x DVC")]}

sets = json.load(sys.stdin)
rows = [max(1, len(next(iter(s["variants"].values()), {}))) for s in sets]
fig, axes = plt.subplots(len(sets), 1, figsize=(9, 1.2 + 0.9 * sum(rows)), squeeze=False, gridspec_kw={"height_ratios": rows})
for ax, s in zip(axes[:, 0], sets):
    variants = list(s["variants"].items())
    compared = list(variants[0][1].keys()) if variants else []
    height = 0.8 / max(1, len(variants))
    values = []
    for v, (name, ratios) in enumerate(variants):
        ys = [i + (v - (len(variants) - 1) / 2) * height for i in range(len(compared))]
        xs = [ratios.get(c, 0) for c in compared]
        values += xs
        ax.barh(ys, xs, height=height * 0.95, color=COLORS.get(name, "#7f8c8d"), label=name)
        for y, x in zip(ys, xs):
            ax.text(x, y, f" {x:.2f}x", va="center", fontsize=8)
    ax.set_yticks(range(len(compared)), [f"vs {c}" for c in compared])
    ax.set_xscale("log")
    ax.invert_yaxis()
    for x, label in TARGETS.get(s["key"], []):
        ax.axvline(x, color="black", linestyle="--", linewidth=0.8)
        ax.annotate(f"target {label}", (x, 0), xycoords=("data", "axes fraction"), xytext=(2, 2), textcoords="offset points", fontsize=7)
    ax.axvline(1, color="grey", linewidth=0.8)
    positive = [x for x in values if x > 0] or [1]
    ax.set_xlim(min(positive + [0.5]) / 1.5, max(positive + [12]) * 3)
    ax.set_title(s["label"], fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, loc="best")
axes[-1, 0].set_xlabel("tool's time ÷ ours (log scale; > 1: ours is faster; vs the BLAKE3 limit: the share of it reached)", fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=110)
