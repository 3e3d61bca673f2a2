#!/usr/bin/env python3
"""Turns bench/run's measurements into one table and one JSON file.

Input: the JSON lines shien_loadgen printed (--results) and the memory
figures bench/run read from /proc (--memory). Output: a Markdown table on
stdout (absolute figures, ratios to the empty RPC, each target with PASS or
MISS; a smoke run judges nothing) and the same as JSON (--out), with the
raw measurements, for comparison across commits. Exit status 1 only when
the input is missing or malformed.
"""

import argparse
import datetime
import json
import sys

VIEWS = ["GetBudgetSummary", "GetKpiDashboard", "GetIndicatorProgress",
         "GetSchemeStats"]
MIB = 1024.0


def load(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def paired(view, k, measured, ratio):
    """A view at K measured in rounds, each right after an empty RPC and
    followed by the empty RPC's path answering as many bytes (Sized).

    Returns (the round whose rate ratio is the median, its rate ratio, its
    p99 ratio, the number of rounds, the median of the rounds' rate ratios
    to the same-size answer or None), or None when not measured.
    """
    rounds = []
    for m in measured:
        label = m.get("label") or ""
        if m.get("name") != view or m.get("k") != k:
            continue
        if not label.startswith("round:"):
            continue
        n = label.split(":")[1]
        base = next((b for b in measured
                     if b.get("name") == "empty" and b.get("k") == k and
                     b.get("label") == f"pair:{view}:{n}"), None)
        if base is None:
            continue
        sized = next((b for b in measured
                      if b.get("name", "").startswith("sized:") and
                      b.get("k") == k and
                      b.get("label") == f"size:{view}:{n}"), None)
        rounds.append((ratio(m["rate"], base["rate"]),
                       ratio(m["p99_us"], base["p99_us"]), m,
                       ratio(m["rate"], sized["rate"]) if sized else None))
    if not rounds:
        return None
    by_size = median([r[3] for r in rounds])
    rounds.sort(key=lambda r: r[0])
    r, q, m, _ = rounds[(len(rounds) - 1) // 2]
    return m, r, q, len(rounds), by_size


def baseline_and_views(base, find, row, ratio, measured):
    """Rows of the empty RPC and of each cached view at K = 16 and 256."""
    for k in (16, 256):
        m = base[k]
        if k == 16:
            row("empty RPC (baseline)", k, "calls/s", m, 1.0, 1.0)
        else:
            r = ratio(m["rate"], base[16]["rate"])
            row("empty RPC", k, "calls/s", m, r,
                ratio(m["p99_us"], base[16]["p99_us"]),
                f"K=256 ≥ 0.8× K=16: {r:.2f}×", r >= 0.8)
    for view in VIEWS:
        p16, p256 = (paired(view, 16, measured, ratio),
                     paired(view, 256, measured, ratio))
        if p16 is None or p256 is None:
            row(view, "", "calls/s", None, target="not measured", ok=False)
            continue
        m16, r, q, n, by_size = p16
        size_note = ""
        if by_size is not None:
            size_note = (f"; {m16.get('answer_bytes', 0):,} B answers: "
                         f"{by_size:.2f}× an RPC answering as many bytes")
        row(view + " (cached)", 16, "calls/s", m16, r, q,
            f"≥ 0.8× empty: {r:.2f}×; p99 ≤ 2× empty: {q:.2f}× "
            f"(median of {n} paired rounds){size_note}",
            r >= 0.8 and q <= 2.0)
        m256, r256, q256, _, _ = p256
        # Each at its median round: the K=256 rate over the K=16 one.
        c = ratio(m256["rate"], m16["rate"])
        row(view + " (cached)", 256, "calls/s", m256, r256, q256,
            f"K=256 ≥ 0.8× K=16: {c:.2f}×", c >= 0.8)


def main():
    p = argparse.ArgumentParser()
    for name in ("results", "memory", "out", "cpu", "os", "commit", "load"):
        p.add_argument("--" + name, default="")
    p.add_argument("--smoke", type=int, default=0)
    p.add_argument("--seconds", type=float, default=0)
    p.add_argument("--warmup", type=float, default=0)
    p.add_argument("--nproc", type=int, default=0)
    a = p.parse_args()
    try:
        measured = load(a.results)
        with open(a.memory, encoding="utf-8") as f:
            memory = json.load(f)
    except (OSError, ValueError) as e:
        print(f"bench/report.py: {e}", file=sys.stderr)
        return 1

    def find(name, k=None, label=None):
        for m in measured:
            if m.get("name") == name and m.get("label") == label and (
                    k is None or m.get("k") == k):
                return m
        return None

    rows = []

    def verdict(ok):
        if a.smoke:
            return "not judged (smoke)"
        return "PASS" if ok else "MISS"

    def row(measurement, k, unit, m, ratio_rate=None, ratio_p99=None,
            target="", ok=None):
        rows.append({
            "measurement": measurement, "k": k, "unit": unit,
            "rate": m.get("rate") if m else None,
            "p50_us": m.get("p50_us") if m else None,
            "p99_us": m.get("p99_us") if m else None,
            "p999_us": m.get("p999_us") if m else None,
            "errors": m.get("error_count") if m else None,
            "ratio_rate": ratio_rate, "ratio_p99": ratio_p99,
            "target": target,
            "verdict": "" if ok is None else verdict(ok),
        })

    def ratio(x, y):
        return x / y if x is not None and y else None

    base = {k: find("empty", k) for k in (16, 256)}
    if base[16] is not None and base[256] is not None:
        baseline_and_views(base, find, row, ratio, measured)
    else:
        print("bench/report.py: no baseline measured: views not compared",
              file=sys.stderr)

    raw = find("raw-insert")
    stream = find("RecordMeasurements")
    if raw and stream:
        r = ratio(stream["rate"], raw["rate"])
        rows.append({"measurement": "raw batched insert (KpiStore, fsync)",
                     "k": 1, "unit": "rows/s", "rate": raw["rate"],
                     "p50_us": raw["batch_p50_us"],
                     "p99_us": raw["batch_p99_us"], "p999_us": None,
                     "errors": raw["error_count"], "ratio_rate": None,
                     "ratio_p99": None,
                     "target": f"batches of {raw['batch_rows']} rows; "
                               "latency per batch",
                     "verdict": ""})
        rows.append({"measurement": "RecordMeasurements (stream, durable)",
                     "k": stream["streams"], "unit": "rows/s",
                     "rate": stream["rate"], "p50_us": None, "p99_us": None,
                     "p999_us": None, "errors": stream["error_count"],
                     "ratio_rate": None, "ratio_p99": None,
                     "target": f"≥ 0.5× raw: {r:.2f}×",
                     "verdict": verdict(r is not None and r >= 0.5)})
    else:
        row("RecordMeasurements", "", "rows/s", None,
            target="not measured", ok=False)

    approve = find("ApproveApplication")
    if approve:
        rows.append({
            "measurement": "ApproveApplication (one envelope)",
            "k": approve["clients"], "unit": "approvals/s",
            "rate": approve["rate"], "p50_us": approve["p50_us"],
            "p99_us": approve["p99_us"], "p999_us": approve["p999_us"],
            "errors": approve["error_count"], "ratio_rate": None,
            "ratio_p99": None,
            "target": (f"≥ 1,000/s; overcommit: {approve['overcommit']} "
                       f"({approve['ok']} approved, {approve['refused']} "
                       f"refused for funds)"),
            "verdict": verdict(approve["rate"] >= 1000 and
                               approve["overcommit"] == "none"),
        })
    else:
        row("ApproveApplication", "", "approvals/s", None,
            target="not measured", ok=False)

    idle = memory.get("idle_kib", {})
    peak = memory.get("peak_kib", {})
    overload_k = memory.get("overload_k")
    for service, method in (("budget", "GetBudgetSummary"),
                            ("kpi", "GetKpiDashboard"),
                            ("subsidy", "GetSchemeStats")):
        i, pk = idle.get(service), peak.get(service)
        m = find(method, overload_k, "overload")
        if i is None or pk is None:
            continue
        rows.append({
            "measurement": f"{service}: resident memory",
            "k": overload_k, "unit": "MiB",
            "rate": None, "p50_us": m["p50_us"] if m else None,
            "p99_us": m["p99_us"] if m else None,
            "p999_us": m["p999_us"] if m else None,
            "errors": m["error_count"] if m else None,
            "ratio_rate": None, "ratio_p99": None,
            "idle_mib": i / MIB, "peak_mib": pk / MIB,
            "overload_rate": m["rate"] if m else None,
            "overload_errors": m["errors"] if m else None,
            "target": (f"idle {i / MIB:.1f} < 64; peak at K={overload_k} "
                       f"{pk / MIB:.1f} ≤ idle + 64 (MiB)"
                       + (f"; refused: " + ", ".join(
                           f"{c} {n:,}" for c, n in m["errors"].items())
                          if m and m["errors"] else "")),
            "verdict": verdict(i < 64 * MIB and pk <= i + 64 * MIB),
        })

    def num(x, fmt="{:,.0f}"):
        return "" if x is None else fmt.format(x)

    header = (f"shien benchmark: commit {a.commit}, {a.cpu}, {a.nproc} "
              f"cores, {a.os}; client and servers on this machine; "
              f"{a.seconds:g} s per measurement after {a.warmup:g} s warm-up; "
              f"load average {a.load}"
              + (" (SMOKE RUN: nothing judged)" if a.smoke else ""))
    print(header)
    print()
    print("| measurement | K | rate | p50 µs | p99 µs | p99.9 µs | errors "
          "| × empty rate | × empty p99 | target | |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["unit"] == "MiB":
            rate = (f"{num(r['overload_rate'])} calls/s at K={r['k']}"
                    if r.get("overload_rate") is not None else "")
        else:
            rate = ("" if r["rate"] is None
                    else f"{num(r['rate'])} {r['unit']}")
        print(f"| {r['measurement']} | {r['k']} | {rate} | "
              f"{num(r['p50_us'])} | {num(r['p99_us'])} | "
              f"{num(r['p999_us'])} | {num(r['errors'])} | "
              f"{num(r['ratio_rate'], '{:.2f}')} | "
              f"{num(r['ratio_p99'], '{:.2f}')} | {r['target']} | "
              f"{r['verdict']} |")
    misses = [r["measurement"] for r in rows if r["verdict"] == "MISS"]
    print()
    if not a.smoke:
        print("targets missed: " + (", ".join(misses) if misses else "none"))

    doc = {
        "commit": a.commit,
        "time": datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="seconds"),
        "machine": {"cpu": a.cpu, "nproc": a.nproc, "os": a.os,
                    "load_average": a.load},
        "smoke": bool(a.smoke),
        "seconds": a.seconds,
        "warmup_seconds": a.warmup,
        "table": rows,
        "memory": memory,
        "measurements": measured,
    }
    with open(a.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
