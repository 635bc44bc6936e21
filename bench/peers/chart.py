"""Draws the peers suite's ratios (JSON on stdin) as a PNG: one panel per data set, one bar per tool, the value
being ours' speed over that tool's (above 1: ours is faster; for the SHA-256 limit: the share of it ours reached),
with the targets as dashed lines."""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sets = json.load(sys.stdin)
fig, axes = plt.subplots(len(sets), 1, figsize=(9, 2.2 + 1.0 * sum(len(s["ratios"]) for s in sets) / max(1, len(sets)) * len(sets) / 2), squeeze=False)
for ax, s in zip(axes[:, 0], sets):
    tools = list(s["ratios"].keys())
    values = [s["ratios"][t] for t in tools]
    colors = ["#c0392b" if t in ("DVC", "W&B") else "#7f8c8d" if "limit" in t or "copy" in t else "#2980b9" for t in tools]
    ax.barh(tools, values, color=colors)
    ax.set_xscale("log")
    ax.invert_yaxis()
    for y, v in enumerate(values):
        ax.text(v, y, f" {v:.2f}x", va="center", fontsize=9)
    targets = [(10, "target 10x DVC")] if s["reversion"] else [(3, "target 3x peers"), (0.8, "target 0.8x limit")] if s["label"].startswith("(a)") else [(3, "target 3x peers")]
    for x, label in targets:
        ax.axvline(x, color="black", linestyle="--", linewidth=0.8)
        ax.text(x, -0.6, label, fontsize=7, ha="center")
    ax.axvline(1, color="#2980b9", linewidth=0.8)
    ax.set_xlim(min(values + [0.5]) / 1.5, max(values + [12]) * 3)
    ax.set_title(s["label"], fontsize=10, loc="left")
    ax.tick_params(labelsize=8)
axes[-1, 0].set_xlabel("ours' speed ÷ tool's speed (log scale; > 1: ours is faster)")
fig.tight_layout()
fig.savefig(sys.argv[1], dpi=110)
