"""Turns the throughput results of `make bench` (one JSON object per line) into a table on
stdout and docs/benchmarks.md with one small SVG chart per operation (before and after, drawn
here: no third-party service).

Usage: report.py RESULTS.jsonl TICKETS OUT.md
"""
import datetime
import json
import os
import sys

# Measured on this 2-core machine with 1,000,000 tickets before #15 (wrk, 16 connections;
# the table): (req/s low, high, p99 ms low, high). The rare and empty searches took
# 3.2-3.3 s per request even alone; stats answered 2 req/s with a 10 s p99.
BEFORE = {
    "get ticket": (2300, 2650, 28, 30),
    "list 50, first page": (910, 1060, 32, 38),
    "list 50, after 25,000 rows": (910, 1060, 32, 38),
    "search a common word (Drucker)": (610, 745, 44, 63),
    "search a rare word (Plotter)": (None, None, 3200, 3300),
    "search a word nobody wrote": (None, None, 3200, 3300),
    "dashboard stats": (2, 2, 10000, 10000),
    "create ticket": (955, 1000, 49, 57),
    "add comment": (650, 730, 63, 82),
}
# The targets of #15: (req/s at least, p99 ms at most).
TARGET = {
    "get ticket": (5000, 20),
    "list 50, first page": (2000, 20),
    "list 50, after 25,000 rows": (2000, 20),
    "search a common word (Drucker)": (None, 50),
    "search a rare word (Plotter)": (None, 50),
    "search a word nobody wrote": (None, 50),
    "dashboard stats": (None, 5),
    "create ticket": (3000, 20),
    "add comment": (2500, 20),
}


def slug(name):
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def bar_chart(title, rows, unit):
    """A horizontal bar chart: rows of (label, value, colour)."""
    width, left, bar, gap = 560, 190, 18, 8
    top = 28
    height = top + len(rows) * (bar + gap) + 10
    # Each measure (the label's first word: req/s, p99, ...) has its own scale.
    biggest = {}
    for label, value, _ in rows:
        key = label.split()[0]
        biggest[key] = max(biggest.get(key, 0), value or 0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
        f'<text x="4" y="16" font-weight="bold">{title}</text>',
    ]
    for i, (label, value, colour) in enumerate(rows):
        y = top + i * (bar + gap)
        length = 0 if value is None else max(1, (width - left - 90) * value / biggest[label.split()[0]])
        shown = "n/a" if value is None else f"{value:,.1f}{unit}"
        parts.append(f'<text x="4" y="{y + 13}">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{left + length + 4:.1f}" y="{y + 13}">{shown}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def measured_before(path):
    """The results of the build before #15 on this machine (`BENCH_SAVE`), as BEFORE entries."""
    before = {}
    for line in open(path):
        r = json.loads(line)
        # An operation whose every request timed out (wrk gives up after 2 s) keeps the issue's
        # figures (seconds per request).
        if "requests" in r and r["op"] != "search" and r["errors"] < r["requests"]:
            rate = round(r["requests"] / r["seconds"])
            before[r["op"]] = (rate, rate, round(r["p99_ms"], 1), round(r["p99_ms"], 1))
    return before


def mail_before(path):
    """The outbox figures of the build before #15, when measured (`before.jsonl`)."""
    if os.path.exists(path):
        for line in open(path):
            r = json.loads(line)
            if r["op"] == "mail after the write load" and "mails_per_second" in r:
                return r
    return {"queued": 80912, "backlog": 58689, "mails_per_second": 22}


def main():
    path, tickets, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rows = [json.loads(line) for line in open(path) if line.strip()]
    charts = os.path.join(os.path.dirname(out), "benchmarks")
    before_file = os.path.join(charts, "before.jsonl")
    if os.path.exists(before_file):
        BEFORE.update(measured_before(before_file))
    os.makedirs(charts, exist_ok=True)
    lines = []
    table = [
        "| operation | req/s | p50 ms | p99 ms | before: req/s, p99 ms | target: req/s, p99 ms | errors |",
        "|---|---:|---:|---:|---|---|---:|",
    ]
    for r in rows:
        if "requests" not in r or r["op"] == "search":
            continue
        name = r["op"]
        rate = r["requests"] / r["seconds"]
        before = BEFORE.get(name)
        target = TARGET.get(name, (None, None))
        before_text = "—"
        if before:
            span = lambda a, b: f"{a:,}" if a == b else f"{a:,}–{b:,}"  # noqa: E731
            rate_text = "—" if before[0] is None else span(before[0], before[1])
            before_text = f"{rate_text}, {span(before[2], before[3])}"
        target_text = f"{'—' if target[0] is None else f'≥ {target[0]:,}'}, {'—' if target[1] is None else f'≤ {target[1]}'}"
        errors = r["errors"] + r["non2xx"]
        table.append(
            f"| {name} | {rate:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {before_text} | {target_text} | {errors} |"
        )
        chart = [("req/s before", before[1] if before else None, "#bbb"), ("req/s now", rate, "#2b6cb0")]
        chart += [("p99 ms before", before[3] if before else None, "#bbb"), ("p99 ms now", r["p99_ms"], "#c05621")]
        with open(os.path.join(charts, slug(name) + ".svg"), "w") as f:
            f.write(bar_chart(name, chart, ""))
    lines += table
    lines.append("")
    was = mail_before(before_file)
    for r in rows:
        if r["op"] == "mail after the write load":
            lines.append(
                f"- **Mail after the write load**: {r['queued']:,} mails queued in {r['load_seconds']} s of load "
                f"(before: {was['backlog']:,} of {was['queued']:,} still pending, sent at {was['mails_per_second']} mails/s); "
                f"{r['backlog']:,} pending when the load stopped, "
                f"drained in {r['drain_seconds']} s; the sink received {r['received']:,} messages with "
                f"{r['distinct']:,} distinct Message-IDs."
            )
        elif r["op"] == "mail outbox alone":
            rate = r["mails"] / max(r["seconds"], 0.001)
            lines.append(
                f"- **Mail outbox alone**: {r['mails']:,} mails in {r['seconds']} s = **{rate:,.0f} mails/s** over 16 pooled "
                f"SMTP connections (target ≥ 1,000; before: one SMTP session per mail, {was['mails_per_second']} mails/s)."
            )
            with open(os.path.join(charts, "mail-outbox.svg"), "w") as f:
                chart = [("mails/s before", was["mails_per_second"], "#bbb"), ("mails/s now", rate, "#2b6cb0")]
                f.write(bar_chart("mail outbox", chart, ""))
        elif r["op"] == "server peak memory":
            lines.append(f"- **Server peak memory** after the load: {r['mib']} MiB resident.")
    search = [r for r in rows if r["op"] == "search"]
    if search:
        lines += [
            "",
            "Search terms of known frequency (ticket text; comments are searched too):",
            "",
            "| term | tickets with it | alone, median ms | 16 connections: req/s | p99 ms |",
            "|---|---:|---:|---:|---:|",
        ]
        for r in search:
            lines.append(
                f"| {r['term']} | {r['tickets']:,} | {r['alone_ms']} | {r['requests'] / r['seconds']:,.0f} | {r['p99_ms']:.1f} |"
            )
        chart = [(f"p99 {r['term']} ({r['tickets']:,})", r["p99_ms"], "#c05621") for r in search]
        with open(os.path.join(charts, "search-terms.svg"), "w") as f:
            f.write(bar_chart("search p99 ms at 16 connections", chart, ""))
    report = "\n".join(lines) + "\n"
    print(report)
    header = f"""# Benchmarks

Written by `make bench` ({datetime.date.today().isoformat()}, {tickets:,} tickets with three comments each, release
build, 2 cores; PostgreSQL with fsync and synchronous_commit on; notifications on, sent to a
local SMTP server; `wrk` with 2 threads and 16 connections, 5 s warm-up, then 20 s measured
(search terms: 5 s)). "Before" is the measurement of the same operations on this machine before
issue #15 (commit 2e424d9, same script, `BENCH_BIN`; results in `benchmarks/before.jsonl`);
where that run could not measure an operation, the figure is the issue's. Charts per operation
are in [benchmarks/](benchmarks/). The search terms are measured on the seeded tickets, before
the write load adds its tens of thousands of identical ones on top of the list.

"""
    charts_md = "\n".join(
        f"![{n}](benchmarks/{n})" for n in sorted(os.listdir(charts)) if n.endswith(".svg")
    )
    # Sections written by hand after the charts (other issues' figures) are kept.
    kept = ""
    if os.path.exists(out):
        previous = open(out).read()
        after_charts = previous.find("\n## ", previous.find("\n## Charts\n") + 1)
        if "\n## Charts\n" in previous and after_charts > 0:
            kept = "\n" + previous[after_charts + 1 :]
    with open(out, "w") as f:
        f.write(header + report + "\n## Charts\n\n" + charts_md + "\n" + kept)


if __name__ == "__main__":
    main()
