"""The report of bench_vs_torch.py: machine description, ratios and targets,
the markdown table and the README section it rewrites."""

from __future__ import annotations

import math
import os
import platform

from bench_harness import BLAS_THREAD_VARS, UNSET_IN_CHILD
from bench_workloads import Target

NOISY_SPREAD = 0.10  # rows whose trials' IQR exceeds this fraction of the median get a mark


def machine_info() -> dict:
    model, physical = None, set()
    try:
        with open("/proc/cpuinfo") as f:
            phys_id = core_id = None
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and model is None:
                    model = value
                elif key == "physical id":
                    phys_id = value
                elif key == "core id":
                    core_id = value
                elif not key:  # blank line ends a processor block
                    if core_id is not None:
                        physical.add((phys_id, core_id))
                    phys_id = core_id = None
            if core_id is not None:
                physical.add((phys_id, core_id))
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count()
    return {
        "cpu": model or platform.processor() or "unknown",
        "logical_cpus": os.cpu_count(),
        "physical_cores": len(physical) or None,
        "usable_cpus": usable,
        "platform": platform.platform(),
        "loadavg_at_start": _loadavg(),
    }


def _loadavg() -> float | None:
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return None


def _fmt(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return ""
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


def ratio_of(row: dict) -> float | None:
    """autograd_cpp's value / torch's value (for a time < 1 is better, for GB/s > 1)."""
    ours = row["libs"].get("autograd_cpp", {}).get("value")
    ref = row["libs"].get("torch", {}).get("value")
    if not ours or not ref:
        return None
    return ours / ref


def finish_row(row: dict) -> None:
    """Adds the ratio and whether the row's target is met."""
    row["ratio"] = ratio_of(row)
    target = row.get("target")
    row["target_met"] = Target(**target).met(row) if target else None


def _met_text(met: bool | None) -> str:
    return {True: "yes", False: "**no**", None: ""}[met]


def _row_line(row: dict, threads: str) -> tuple[str, list[str]]:
    libs = row["libs"]
    notes = []
    flags = ""
    bad = [k for k, c in row["check"].items() if not c["ok"]]
    if bad:
        flags += " ‡"
        diffs = ", ".join(f"{k} {row['check'][k]['max_rel_diff']:.2e}" for k in bad)
        notes.append(
            f"‡ {row['workload']} ({row['metric']}, {threads} thread(s)): results differ "
            f"from torch beyond rtol={row['rtol']:g}: {diffs}"
        )
    spreads = [s["iqr_s"] / s["median_s"] for s in libs.values() if s.get("median_s")]
    if spreads and max(spreads) > NOISY_SPREAD:
        flags += " §"
    target = Target(**row["target"]).text(row["unit"]) if row.get("target") else ""
    ratio = row.get("ratio")
    line = (
        f"| {row['workload']}{flags} | {threads} | {row['metric']} | {row['unit']} | "
        f"{_fmt(libs.get('autograd_cpp', {}).get('value'))} | "
        f"{_fmt(libs.get('torch', {}).get('value'))} | "
        f"{_fmt(libs.get('numpy', {}).get('value'))} | "
        f"{'' if ratio is None else f'{ratio:.2f}'} | {target} | "
        f"{_met_text(row.get('target_met'))} |"
    )
    return line, notes


def _shown_path(path: str | None) -> str:
    """``path`` relative to the repository when inside it (a source checkout's build)."""
    if not path:
        return "?"
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    inside = os.path.commonpath([repo, os.path.abspath(path)]) == repo
    return os.path.relpath(path, repo) if inside else path


def render_table(report: dict) -> str:
    """The header lines, the table and its notes (no title): what goes into README.md."""
    m = report["machine"]
    runs = report["runs"]
    first = runs[0] if runs else {}
    v = first.get("versions", {})
    out = []
    cores = f"{m['logical_cpus']} logical CPUs"
    if m.get("physical_cores"):
        cores += f", {m['physical_cores']} physical cores"
    if m.get("usable_cpus") != m.get("logical_cpus"):
        cores += f", {m['usable_cpus']} usable by this process"
    out.append(f"- Run: {report['config']['date']}, command `{report['config']['command']}`")
    out.append(f"- CPU: {m['cpu']} ({cores})")
    out.append(f"- Platform: {m['platform']}, Python {v.get('python', '?')}")
    built = (
        f", extension built {first['autograd_cpp_built']}"
        if first.get("autograd_cpp_built")
        else ""
    )
    if first:
        out.append(
            f"- Versions: autograd_cpp {v.get('autograd_cpp', '?')} "
            f"(from `{_shown_path(first.get('autograd_cpp_path'))}`{built}), "
            f"torch {v.get('torch', '?')}"
            f" (MKL: {'yes' if first.get('torch_mkl') else 'no'}), numpy {v.get('numpy', '?')}"
        )
    blas = first.get("blas", [])
    if blas:
        parts = [f"{b['lib']} core={b.get('core', '?')}" for b in blas]
        out.append(f"- OpenBLAS: {'; '.join(parts)}")
    out.append(f"- Mode: {'quick (smoke run, noisy)' if report['config']['quick'] else 'full'}")
    load = m.get("loadavg_at_start")
    if load is not None:
        busy = " (the machine was busy: expect noisy timings)" if load > 0.5 else ""
        out.append(f"- 1-minute load average at start: {load:.2f}{busy}")
    out.append("")
    out.append(
        "| workload | threads | metric | unit | autograd_cpp | torch | numpy | ratio | "
        "target | met |"
    )
    out.append("|---|---:|---|---|---:|---:|---:|---:|---|---|")
    notes = []
    # The thread counts of one metric sit next to each other.
    order: list[tuple[str, str]] = []
    by_key: dict[tuple[str, str], list[tuple[int, dict]]] = {}
    for run in runs:
        for row in run["results"]:
            key = (row["workload"], row["metric"])
            if key not in by_key:
                order.append(key)
                by_key[key] = []
            by_key[key].append((run["threads"], row))
    for key in order:
        for threads, row in by_key[key]:
            line, row_notes = _row_line(row, str(threads))
            out.append(line)
            notes += row_notes
    for row in report.get("static", []):
        line, row_notes = _row_line(row, "–")
        out.append(line)
        notes += row_notes
    out.append("")
    out.append(
        "Values are medians over repeated trials. ratio = autograd_cpp / torch of the "
        "values shown, so for times (us, ms, MiB, MB) below 1 is better for autograd_cpp and "
        "for throughputs (GFLOP/s, GB/s, %) above 1 is. target: the project's goal for the ratio "
        "(or, with a unit, for autograd_cpp's own value). Each thread count runs in its own "
        f"process with {'/'.join(BLAS_THREAD_VARS)} set to it and "
        f"{'/'.join(UNSET_IN_CHILD)} unset; torch.set_num_threads and "
        "autograd_cpp.set_num_threads are called with it. The numpy column is a "
        "graph-free reference (hand-written backward where there is a backward). "
        f"§: for some library the trials' interquartile range exceeds {NOISY_SPREAD:.0%} "
        "of the median (noisy)."
    )
    for run in runs:
        eff = run["effective_threads"]
        if any(n != run["threads"] for n in eff.values()):
            notes.append(f"thread count {run['threads']}: libraries report {eff}")
        for b in run.get("blas", []):
            if "threads" in b and b["threads"] != run["threads"]:
                notes.append(
                    f"thread count {run['threads']}: {b['lib']} reports {b['threads']} thread(s)"
                )
    for note in notes:
        out.append("")
        out.append(note)
    return "\n".join(out)


def render(report: dict) -> str:
    return "# autograd_cpp vs PyTorch\n\n" + render_table(report)


README_BEGIN, README_END = "<!-- bench:begin -->", "<!-- bench:end -->"


def write_readme(path: str, table: str) -> None:
    """Replaces what lies between the bench markers in ``path`` with ``table``."""
    with open(path) as f:
        text = f.read()
    begin, end = text.find(README_BEGIN), text.find(README_END)
    if begin < 0 or end < begin:
        raise SystemExit(f"{path} lacks the markers {README_BEGIN} ... {README_END}")
    head = text[: begin + len(README_BEGIN)]
    with open(path, "w") as f:
        f.write(f"{head}\n{table}\n{text[end:]}")
