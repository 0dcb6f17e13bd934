"""Curves of bench/results/grpo-lift-*.json: a Markdown table on stdout and an SVG chart.

    python3 bench/plot_grpo_lift.py [NAME ...] [--svg docs/images/grpo-lift.svg]

NAME: a result name (grpo-lift-NAME.json); default: every result. Standard library only.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def load(names: list[str]) -> list[dict]:
    files = [os.path.join(HERE, "results", f"grpo-lift-{n}.json") for n in names] if names else sorted(
        glob.glob(os.path.join(HERE, "results", "grpo-lift-*.json")))
    out = []
    for f in files:
        with open(f) as fh:
            out.append(json.load(fh))
    return out


def series(results: list[dict]) -> list[tuple[str, list[list[float]]]]:
    """(label, [[step, reward], ...]); the arms' steps continue after the SFT steps they start from."""
    out = []
    for r in results:
        base = r["settings"]["sft_steps"]
        for arm, info in r["arms"].items():
            pts = info["curve"] if arm == "sft" else [[base + s, v] for s, v in info["curve"]]
            label = f"{r['name']}: {arm}" if arm != "grpo" else f"{r['name']}: GRPO lr {r['grpo']['learning_rate']:g}"
            out.append((label, pts))
    return out


def table(results: list[dict]) -> str:
    rows = ["| result | arm | held-out greedy reward by step | final | paired vs SFT start (95% CI) |",
            "| --- | --- | --- | --- | --- |"]
    for r in results:
        for arm, info in r["arms"].items():
            curve = ", ".join(f"{int(s)}: {v:.3f}" for s, v in info["curve"])
            p = r.get(f"paired_{arm}_minus_sft")
            paired = f"{p['diff']:+.3f} ({p['ci95'][0]:+.3f}..{p['ci95'][1]:+.3f}), {p['improved']} up / {p['worsened']} down" if p else ""
            final = r.get("final", {}).get(arm)
            rows.append(f"| {r['name']} | {arm} | {curve} | {'' if final is None else f'{final:.3f}'} | {paired} |")
    return "\n".join(rows)


def svg(results: list[dict], w: int = 720, h: int = 360) -> str:
    s = series(results)
    xs = [p[0] for _, pts in s for p in pts] or [0, 1]
    x0, x1 = min(xs), max(xs) or 1
    ml, mr, mt, mb = 50, 220, 32, 40
    px = lambda x: ml + (x - x0) / max(x1 - x0, 1) * (w - ml - mr)  # noqa: E731
    py = lambda y: mt + (1 - y) * (h - mt - mb)  # noqa: E731
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
             f'<rect width="{w}" height="{h}" fill="white"/>']
    for i in range(6):
        y = i / 5
        parts.append(f'<line x1="{ml}" x2="{w - mr}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{ml - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.1f}</text>')
    for i in range(6):
        x = x0 + (x1 - x0) * i / 5
        parts.append(f'<text x="{px(x):.1f}" y="{h - mb + 16}" text-anchor="middle">{x:.0f}</text>')
    parts.append(f'<text x="{(ml + w - mr) / 2:.0f}" y="{h - 6}" text-anchor="middle">optimiser step</text>')
    parts.append(f'<text x="12" y="14">held-out greedy reward</text>')
    for i, (label, pts) in enumerate(s):
        c = COLORS[i % len(COLORS)]
        line = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in pts)
        parts.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{line}"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="2.5" fill="{c}"/>')
        parts.append(f'<rect x="{w - mr + 10}" y="{mt + 16 * i}" width="10" height="10" fill="{c}"/>')
        parts.append(f'<text x="{w - mr + 24}" y="{mt + 16 * i + 9}">{escape(label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("names", nargs="*")
    p.add_argument("--svg", help="write the chart here")
    a = p.parse_args(argv)
    results = load(a.names)
    if not results:
        print("no bench/results/grpo-lift-*.json", file=sys.stderr)
        return 1
    print(table(results))
    if a.svg:
        os.makedirs(os.path.dirname(os.path.abspath(a.svg)), exist_ok=True)
        with open(a.svg, "w") as f:
            f.write(svg(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
