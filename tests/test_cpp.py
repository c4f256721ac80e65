"""The C++ side of the project, run from the Python suite.

Builds the C++ core with its GoogleTest suite (``tests/cpp``) and runs it,
installs the core as a CMake package, then builds against the installed
package, as a C++ user would: every complete program in ``docs/cpp.md`` (each
must print what the docs say it prints) and ``examples/cpp``.

The build directory is ``build/cpp-tests`` (or ``$AUTOGRAD_CPP_TEST_BUILD``),
reused between runs so that only what changed is rebuilt.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "cpp.md"

# CI always has the tools: there a missing compiler fails instead of skipping.
pytestmark = pytest.mark.skipif(
    (shutil.which("cmake") is None or shutil.which("c++") is None)
    and os.environ.get("CI") != "true",
    reason="needs cmake and a C++ compiler",
)


def _run(cmd: list[str], cwd: Path | None = None, timeout: float = 3600) -> str:
    proc = subprocess.run(
        cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert proc.returncode == 0, (
        f"{' '.join(cmd)} failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"
    )
    return proc.stdout


def _generator() -> list[str]:
    return ["-G", "Ninja"] if shutil.which("ninja") else []


@pytest.fixture(scope="module")
def core_build() -> Path:
    build = Path(os.environ.get("AUTOGRAD_CPP_TEST_BUILD", ROOT / "build" / "cpp-tests"))
    _run(
        [
            "cmake",
            "-S",
            str(ROOT),
            "-B",
            str(build),
            *_generator(),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DAUTOGRAD_CPP_BUILD_PYTHON=OFF",
            "-DAUTOGRAD_CPP_BUILD_TESTS=ON",
            "-DAUTOGRAD_CPP_WERROR=ON",
            f"-DPython3_EXECUTABLE={sys.executable}",
        ]
    )
    _run(["cmake", "--build", str(build), "-j", str(os.cpu_count() or 2)])
    return build


@pytest.fixture(scope="module")
def installed(core_build: Path) -> Path:
    prefix = core_build / "install"
    _run(["cmake", "--install", str(core_build), "--prefix", str(prefix)])
    return prefix


def test_gtest_suite(core_build: Path) -> None:
    out = _run([str(core_build / "autograd_cpp_tests"), "--gtest_brief=1"])
    passed = re.search(r"\[  PASSED  \] (\d+) test", out)
    assert passed is not None and int(passed.group(1)) > 0, out[-2000:]


def doc_programs() -> list[tuple[str, str, str | None]]:
    """(name, source, expected output or None) for each complete program in docs/cpp.md.

    A program is a ```cpp block with a main(); the ```text block right after it,
    if any, is what it prints.
    """
    text = DOCS.read_text()
    blocks = list(re.finditer(r"```(\w+)\n(.*?)```", text, re.S))
    programs = []
    for i, block in enumerate(blocks):
        if block.group(1) != "cpp" or "int main(" not in block.group(2):
            continue
        expected = None
        if i + 1 < len(blocks) and blocks[i + 1].group(1) == "text":
            between = text[block.end() : blocks[i + 1].start()]
            if "```" not in between and len(between.strip().splitlines()) <= 2:
                expected = blocks[i + 1].group(2)
        programs.append((f"doc_{len(programs)}", block.group(2), expected))
    return programs


def _project(directory: Path, sources: dict[str, str], extra: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    lines = [
        "cmake_minimum_required(VERSION 3.18)",
        "project(user_programs LANGUAGES CXX)",
        "set(CMAKE_CXX_STANDARD 17)",
        "find_package(autograd_cpp REQUIRED)",
        extra,
    ]
    for name, source in sources.items():
        (directory / f"{name}.cpp").write_text(source)
        lines += [
            f"add_executable({name} {name}.cpp)",
            f"target_compile_options({name} PRIVATE -Wall -Wextra -Werror)",
            f"target_link_libraries({name} PRIVATE autograd_cpp::core)",
            f"install(TARGETS {name} DESTINATION bin)",
        ]
    (directory / "CMakeLists.txt").write_text("\n".join(lines) + "\n")


def test_doc_programs_compile_and_print_what_the_docs_say(installed: Path, tmp_path: Path) -> None:
    programs = doc_programs()
    assert len(programs) >= 3, "docs/cpp.md should show complete programs"
    src = tmp_path / "src"
    _project(src, {name: source for name, source, _ in programs})
    build = tmp_path / "build"
    _run(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(build),
            *_generator(),
            f"-DCMAKE_PREFIX_PATH={installed}",
        ]
    )
    _run(["cmake", "--build", str(build)])
    # Installed programs keep no build-tree RPATH: they must still find the BLAS.
    _run(["cmake", "--install", str(build), "--prefix", str(tmp_path / "prefix")])
    for name, _, expected in programs:
        out = _run([str(tmp_path / "prefix" / "bin" / name)], timeout=600)
        if expected is not None:
            assert out == expected, f"{name} printed:\n{out}\nthe docs say:\n{expected}"


def test_examples_build_against_the_installed_package(installed: Path, tmp_path: Path) -> None:
    build = tmp_path / "example"
    _run(
        [
            "cmake",
            "-S",
            str(ROOT / "examples" / "cpp"),
            "-B",
            str(build),
            *_generator(),
            f"-DCMAKE_PREFIX_PATH={installed}",
        ]
    )
    _run(["cmake", "--build", str(build)])
    _run(["cmake", "--install", str(build), "--prefix", str(tmp_path / "prefix")])
    out = _run([str(tmp_path / "prefix" / "bin" / "train_mlp")], timeout=600)
    assert "loss went from" in out
