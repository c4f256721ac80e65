"""Sampled mutation testing of the C++ core's backward formulas and kernels'
scalar paths: flip an operator, perturb a constant, drop a term; rebuild
incrementally; run the tests of the op the mutant sits in.

    python tools/mutation/cpp_mutants.py --list                 # every candidate
    python tools/mutation/cpp_mutants.py --sample 30 --seed 1   # run 30 of them
    python tools/mutation/cpp_mutants.py --sample 30 --seed 1 --resume  # the rest of them

Where mutants are found, by pattern rather than line numbers (so the
layout of csrc/ may change under it):
  * backward formulas: the block that follows each derivative comment
    (`// d(self) = ...`, which every node carries by the style guide) up
    to the end of its struct, macro or function; lines with a `return` or
    a call to the differentiable ops (mul, div, add, sub, neg, ...).
  * kernels' scalar paths: one-line lambdas `[](T x) { return ...; }` in
    csrc/kernels/, each under its `case XxxOp::Name:`.
The op a mutant belongs to comes from the node name in its block
(`"SinBackward0"`) matched against tests/op_db.py's grad_fn names, or from
the kernel's enum case matched against op_db's names; its tests are
tests/test_vs_torch.py and tests/test_gradcheck.py selected with -k.

Mutants are made in a copy of the working tree, build/mutation/cpp/tree,
with its own in-place build (tree/build/dev; the compiler launcher comes
from CMAKE_CXX_COMPILER_LAUNCHER in the environment, e.g. ccache), so the
checkout's own extension is never touched. Copying keeps unchanged files'
times, so a second run rebuilds only what changed; every mutated file is
restored and rebuilt at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
ROOT = CHECKOUT / "build" / "mutation" / "cpp" / "tree"  # where mutants are made
BUILD = ROOT / "build" / "dev"
TESTS = ["tests/test_vs_torch.py", "tests/test_gradcheck.py"]
# Code that the op tests never reach, with the tests that do (run whole, as
# their names do not carry the op's).
FILE_TESTS = {"csrc/kernels/cpu/fused_program.cpp": ["tests/test_compile_fusion.py"]}


@dataclass
class Mutant:
    file: str
    line: int  # 1-based
    kind: str
    original: str
    mutated: str
    op: str  # the node name or kernel case it sits in
    select: str  # pytest -k expression ("" when no op could be named)


# ---- finding the sites ---------------------------------------------------------------

FUNCTION_SWAPS = [("mul", "div"), ("div", "mul"), ("add", "sub"), ("sub", "add")]
OPERATOR_SWAPS = [(" + ", " - "), (" - ", " + "), (" * ", " / "), (" / ", " * ")]
NUMBER = re.compile(r"(?<![\w.])(\d+\.\d*|\d+)(?![\w.])")


def _balanced_args(text: str, open_at: int) -> list[tuple[int, int]] | None:
    """Spans of the top-level arguments of the call whose '(' is at open_at."""
    depth, start, spans = 0, open_at + 1, []
    for i in range(open_at, len(text)):
        c = text[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0:
                spans.append((start, i))
                return spans
        elif c == "," and depth == 1:
            spans.append((start, i))
            start = i + 1
    return None


def _line_mutations(line: str) -> list[tuple[str, str]]:
    """(kind, mutated line) for one source line of a formula."""
    out = []
    code = line.split("//")[0]
    for a, b in FUNCTION_SWAPS:
        for m in re.finditer(rf"\b{a}\(", code):
            out.append((f"{a}->{b}", line[: m.start()] + b + line[m.start() + len(a) :]))
            # Drop a term: add(x, y) / sub(x, y) -> x.
            if a in ("add", "sub"):
                spans = _balanced_args(line, m.start() + len(a))
                if spans and len(spans) == 2:
                    first = line[spans[0][0] : spans[0][1]].strip()
                    end = spans[1][1] + 1
                    out.append((f"drop {a} term", line[: m.start()] + first + line[end:]))
    for m in re.finditer(r"\bneg\(", code):
        spans = _balanced_args(line, m.start() + 3)
        if spans and len(spans) == 1:
            inner = line[spans[0][0] : spans[0][1]]
            out.append(("drop neg", line[: m.start()] + inner + line[spans[0][1] + 1 :]))
    for a, b in OPERATOR_SWAPS:
        i = code.find(a)
        if i >= 0:
            out.append((f"'{a.strip()}'->'{b.strip()}'", line[:i] + b + line[i + len(a) :]))
    for m in NUMBER.finditer(code):
        value = m.group(1)
        before = code[: m.start()]
        # Constants of the math only: float literals and wrapped numbers, not
        # indices (out[1], grads[0], should_compute_output(1)).
        if float(value) == 0 or not (
            "." in value or re.search(r"\b(T|Scalar|number|static_cast<T>)\($", before)
        ):
            continue
        new = "2" if value in ("1", "1.0") else repr(float(value) * 1.5)
        out.append((f"{value}->{new}", line[: m.start()] + new + line[m.end() :]))
    if re.search(r"\breturn -", code):
        out.append(("drop unary minus", line.replace("return -", "return ", 1)))
    return out


def _formula_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges (start, end) after each derivative comment, to the end of
    its struct/macro/function (a line that is only '};', '}' or ');' at the
    block's indentation or less)."""
    blocks = []
    for i, line in enumerate(lines):
        if re.match(r"\s*// d\(", line):
            j = i + 1
            while j < len(lines) and lines[j].lstrip().startswith("//"):
                j += 1
            end = j
            while end < len(lines) and not re.match(r"(\}|\);|\}\);|\};)\s*$", lines[end]):
                end += 1
            blocks.append((j, min(end, len(lines) - 1)))
    return blocks


def _node_name(lines: list[str], start: int, end: int) -> str:
    for line in lines[start : end + 1]:
        m = re.search(r'"(\w+Backward\d*)"', line)
        if m:
            return m.group(1)
    return ""


def _op_names_by_grad_fn() -> dict[str, list[str]]:
    sys.path.insert(0, str(ROOT / "tests"))
    from op_db import OPS

    names: dict[str, list[str]] = {}
    for op in OPS:
        if op.grad_fn:
            names.setdefault(op.grad_fn, []).append(op.name)
    return names


def _all_op_names() -> list[str]:
    sys.path.insert(0, str(ROOT / "tests"))
    from op_db import OPS

    return [op.name for op in OPS]


def _select(names: list[str]) -> str:
    return " or ".join(sorted(set(names)))


def find_mutants() -> list[Mutant]:
    by_grad_fn = _op_names_by_grad_fn()
    all_names = _all_op_names()
    found: list[Mutant] = []
    for path in sorted((ROOT / "csrc" / "ops").rglob("*.cpp")):
        lines = path.read_text().splitlines()
        for start, end in _formula_blocks(lines):
            node = _node_name(lines, start, end)
            select = _select(by_grad_fn.get(node, []))
            for k in range(start, end + 1):
                line = lines[k]
                code = line.split("//")[0]
                if "kName" in code or "constexpr" in code:
                    continue
                if not re.search(r"\breturn\b|\b(mul|div|add|sub|neg)\(", code):
                    continue
                for kind, mutated in _line_mutations(line):
                    found.append(
                        Mutant(
                            str(path.relative_to(ROOT)), k + 1, kind, line, mutated, node, select
                        )
                    )
    for path in sorted((ROOT / "csrc" / "kernels").rglob("*.cpp")):
        lines = path.read_text().splitlines()
        case = ""
        for k, line in enumerate(lines):
            m = re.search(r"case \w+::(\w+):", line)
            if m:
                case = m.group(1)
            if not re.search(r"\[\]\((T|float|double|scalar_t) \w+(, \w+ \w+)?\) \{ return ", line):
                continue
            names = [n for n in all_names if case and n.replace("_", "") == case.lower()]
            for kind, mutated in _line_mutations(line):
                found.append(
                    Mutant(
                        str(path.relative_to(ROOT)),
                        k + 1,
                        kind,
                        line,
                        mutated,
                        case,
                        _select(names),
                    )
                )
    return found


# ---- running one ---------------------------------------------------------------------


def copy_tree() -> None:
    """Copies the checkout's files (tracked and new, not ignored) into ROOT,
    leaving unchanged ones alone."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=CHECKOUT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for rel in filter(None, listed):
        src, dst = CHECKOUT / rel, ROOT / rel
        if not src.is_file():
            continue
        data = src.read_bytes()
        if dst.is_file() and dst.read_bytes() == data:
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_bytes(data)
    # The build globs csrc/: a source removed or renamed in the checkout
    # must go from the copy too (it would be compiled, or clash, there).
    wanted = {ROOT / rel for rel in listed if rel}
    for path in (ROOT / "csrc").rglob("*"):
        if path.is_file() and path not in wanted:
            path.unlink()


def build_tree() -> None:
    import pybind11

    launcher = os.environ.get("CMAKE_CXX_COMPILER_LAUNCHER", "")
    # Configured on every run (about a second), so a build directory made
    # with other options is brought to these.
    subprocess.run(
        ["cmake", "-S", str(ROOT), "-B", str(BUILD), "-G", "Ninja",
         "-DCMAKE_BUILD_TYPE=Release", "-DAUTOGRAD_CPP_BUILD_PYTHON=ON",
         "-DAUTOGRAD_CPP_INPLACE=ON", f"-DPython3_EXECUTABLE={sys.executable}",
         f"-Dpybind11_DIR={pybind11.get_cmake_dir()}",
         f"-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}",
         f"-DCMAKE_C_COMPILER_LAUNCHER={launcher}",
         # No link-time optimisation: each mutant relinks the extension, and
         # the extension's own setting overrides CMAKE_INTERPROCEDURAL_OPTIMIZATION.
         "-DAUTOGRAD_CPP_IPO=OFF",
         # Each file alone by default: a mutant recompiles its own file, not
         # a batch of eight (MUTANT_UNITY_BUILD=ON keeps the batches, which
         # spares a first build when the tree's objects were built that way).
         f"-DAUTOGRAD_CPP_UNITY_BUILD={os.environ.get('MUTANT_UNITY_BUILD', 'OFF')}"],
        check=True, capture_output=True,
    )  # fmt: skip
    ok, log = _build(None)  # the first build may be a clean one: no limit
    if not ok:
        raise SystemExit(f"the unmutated tree does not build:\n{log}")


def _build(timeout: float | None) -> tuple[bool, str]:
    proc = subprocess.run(
        ["ninja", "-j", os.environ.get("MUTANT_BUILD_JOBS", "2"), "-C", str(BUILD)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:]


def run_mutant(m: Mutant, build_timeout: float, test_timeout: float) -> dict:
    path = ROOT / m.file
    original = path.read_text()
    lines = original.splitlines(keepends=True)
    assert lines[m.line - 1].rstrip("\n") == m.original, f"{m.file}:{m.line} changed"
    lines[m.line - 1] = m.mutated + "\n"
    result = asdict(m)
    try:
        path.write_text("".join(lines))
        started = time.time()
        ok, log = _build(build_timeout)
        result["build_s"] = round(time.time() - started, 1)
        if not ok:
            result["verdict"] = "does not compile"
            return result
        env = dict(os.environ, PYTHONPATH=str(ROOT / "python"))
        base = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider"]
        cmd = [*base, *TESTS]
        if m.select:
            cmd += ["-k", m.select]
        if m.file in FILE_TESTS:
            cmd = [*base, *FILE_TESTS[m.file]]
        started = time.time()
        try:
            proc = subprocess.run(
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=test_timeout
            )
            tail = proc.stdout.strip().splitlines()[-1:] or [""]
            result["tests"] = tail[0]
            result["verdict"] = {0: "survived", 1: "killed", 5: "no tests"}.get(
                proc.returncode, f"error {proc.returncode}"
            )
        except subprocess.TimeoutExpired:
            result["verdict"] = "killed (timeout)"
        result["test_s"] = round(time.time() - started, 1)
        return result
    finally:
        path.write_text(original)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print every candidate and exit")
    parser.add_argument("--sample", type=int, default=30, help="how many mutants to run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default=str(ROOT.parent / "cpp_mutants.json"))
    parser.add_argument("--build-timeout", type=float, default=900)
    parser.add_argument("--test-timeout", type=float, default=900)
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the verdicts in --out of picked mutants that were killed or did not "
        "compile; run the rest (survivors again, as tests may have been added)",
    )
    args = parser.parse_args()

    copy_tree()
    mutants = find_mutants()
    if args.list:
        for m in mutants:
            print(f"{m.file}:{m.line} [{m.op}] {m.kind}: {m.mutated.strip()}")
        print(f"{len(mutants)} candidates", file=sys.stderr)
        return 0
    build_tree()
    # Only mutants whose op has tests to select; spread over files.
    runnable = [m for m in mutants if m.select]
    rng = random.Random(args.seed)
    rng.shuffle(runnable)
    by_file: dict[str, list[Mutant]] = {}
    for m in runnable:
        by_file.setdefault(m.file, []).append(m)
    picked: list[Mutant] = []
    while len(picked) < args.sample and any(by_file.values()):
        for queue in by_file.values():
            if queue and len(picked) < args.sample:
                picked.append(queue.pop())
    done = {}
    if args.resume and Path(args.out).is_file():
        for r in json.loads(Path(args.out).read_text()):
            if r["verdict"].startswith("killed") or r["verdict"] == "does not compile":
                done[(r["file"], r["line"], r["kind"], r["mutated"])] = r
    results = []
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    try:
        for i, m in enumerate(picked, 1):
            r = done.get((m.file, m.line, m.kind, m.mutated))
            if r is None:
                r = run_mutant(m, args.build_timeout, args.test_timeout)
            results.append(r)
            print(f"[{i}/{len(picked)}] {r['verdict']:18s} {m.file}:{m.line} [{m.op}] "
                  f"{m.kind}: {m.mutated.strip()}", flush=True)  # fmt: skip
            Path(args.out).write_text(json.dumps(results, indent=1))
    finally:
        _build(args.build_timeout)  # the restored sources, built again
    viable = [r for r in results if r["verdict"] != "does not compile"]
    killed = [r for r in viable if r["verdict"].startswith("killed")]
    print(f"killed / viable: {len(killed)} / {len(viable)} "
          f"({len(results) - len(viable)} did not compile)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
