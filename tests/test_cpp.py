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
from typing import Any

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


# Trains one small network with each optimizer from the same weights and
# prints the parameters; the Python package (and PyTorch) must end at the
# same numbers.
_OPTIM_PROGRAM = r"""
#include <autograd_cpp/autograd_cpp.h>

#include <cstdio>
#include <memory>
#include <string>

namespace nn = ag::nn;
namespace optim = ag::optim;

std::unique_ptr<optim::Optimizer> make(const std::string& kind,
                                       const std::vector<ag::Tensor>& p) {
  if (kind == "sgd")
    return std::make_unique<optim::SGD>(
        p, optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.01).nesterov(true));
  if (kind == "adam")
    return std::make_unique<optim::Adam>(
        p, optim::AdamOptions(0.05).betas(0.8, 0.99).weight_decay(0.1));
  if (kind == "adamw")
    return std::make_unique<optim::AdamW>(p, optim::AdamWOptions(0.05).amsgrad(true));
  return std::make_unique<optim::RMSprop>(
      p, optim::RMSpropOptions(0.01).momentum(0.5).centered(true));
}

int main() {
  const ag::Tensor x = ag::linspace(-1, 1, 15).reshape({5, 3});
  const ag::Tensor target = ag::tensor({0, 1, 1, 0, 1});
  for (const char* kind : {"sgd", "adam", "adamw", "rmsprop"}) {
    nn::Sequential net(nn::Linear(3, 4), nn::Tanh(), nn::Linear(4, 2));
    {
      ag::NoGradGuard no_grad;
      double k = 1.0;
      for (ag::Tensor& p : net.parameters()) {
        p.copy_(ag::linspace(-0.5, 0.5, p.numel()).reshape(p.sizes()) * k);
        k += 0.5;
      }
    }
    auto opt = make(kind, net.parameters());
    nn::CrossEntropyLoss loss_fn;
    for (int step = 0; step < 5; ++step) {
      opt->zero_grad();
      loss_fn(net(x), target).backward();
      opt->step();
    }
    std::printf("%s", kind);
    for (const ag::Tensor& p : net.parameters())
      for (float v : ag::to_vector<float>(p)) std::printf(" %.9g", v);
    std::printf("\n");
  }
}
"""


def _python_run(torch: object, kind: str) -> list[float]:
    nn, optim = torch.nn, torch.optim  # type: ignore[attr-defined]
    x = torch.linspace(-1, 1, 15).reshape(5, 3)  # type: ignore[attr-defined]
    target = torch.tensor([0, 1, 1, 0, 1])  # type: ignore[attr-defined]
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    with torch.no_grad():  # type: ignore[attr-defined]
        k = 1.0
        for p in net.parameters():
            p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * k)  # type: ignore[attr-defined]
            k += 0.5
    params = list(net.parameters())
    opt = {
        "sgd": lambda: optim.SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
        "adam": lambda: optim.Adam(params, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1),
        "adamw": lambda: optim.AdamW(params, lr=0.05, amsgrad=True),
        "rmsprop": lambda: optim.RMSprop(params, lr=0.01, momentum=0.5, centered=True),
    }[kind]()
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(5):
        opt.zero_grad()
        loss_fn(net(x), target).backward()
        opt.step()
    return [v for p in params for v in p.detach().reshape(-1).tolist()]


def test_cpp_nn_and_optim_match_python(installed: Path, tmp_path: Path) -> None:
    import autograd_cpp
    from oracle import torch as reference

    src = tmp_path / "src"
    _project(src, {"optim_match": _OPTIM_PROGRAM})
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
    out = _run([str(build / "optim_match")])
    rows = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in out.splitlines()}
    assert sorted(rows) == ["adam", "adamw", "rmsprop", "sgd"]
    for kind, cpp_values in rows.items():
        ours = _python_run(autograd_cpp, kind)
        theirs = _python_run(reference, kind)
        assert cpp_values == pytest.approx(ours, rel=1e-6, abs=1e-7), kind
        assert cpp_values == pytest.approx(theirs, rel=1e-4, abs=1e-5), kind


# Loads a model Python saved, prints its output, takes one SGD step and saves
# the model for Python to load.
_INTEROP_PROGRAM = r"""
#include <autograd_cpp/autograd_cpp.h>

#include <cstdio>

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  ag::nn::Sequential net(ag::nn::Linear(3, 4), ag::nn::Tanh(), ag::nn::Linear(4, 2));
  net.load_state_dict(ag::load_file(argv[1]));
  const ag::Tensor x = ag::linspace(-1, 1, 15).reshape({5, 3});
  for (float v : ag::to_vector<float>(net(x))) std::printf("%.9g ", v);
  ag::optim::SGD opt(net.parameters(), ag::optim::SGDOptions(0.1));
  net(x).pow(2).mean().backward();
  opt.step();
  ag::save_file(net.state_dict(), argv[2]);
}
"""


def test_models_move_between_cpp_and_python(installed: Path, tmp_path: Path) -> None:
    import autograd_cpp as torch
    from autograd_cpp.safetensors import load_file, save_file

    src = tmp_path / "src"
    _project(src, {"interop": _INTEROP_PROGRAM})
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

    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    save_file(net.state_dict(), str(tmp_path / "from_python.safetensors"))
    out = _run(
        [
            str(build / "interop"),
            str(tmp_path / "from_python.safetensors"),
            str(tmp_path / "from_cpp.safetensors"),
        ]
    )
    x = torch.linspace(-1, 1, 15).reshape(5, 3)
    assert [float(v) for v in out.split()] == pytest.approx(
        net(x).reshape(-1).tolist(), rel=1e-6, abs=1e-7
    )

    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    net(x).pow(2).mean().backward()
    opt.step()
    from_cpp = load_file(str(tmp_path / "from_cpp.safetensors"))
    assert sorted(from_cpp) == sorted(net.state_dict())
    for name, value in net.state_dict().items():
        assert from_cpp[name].reshape(-1).tolist() == pytest.approx(
            value.reshape(-1).tolist(), rel=1e-6, abs=1e-7
        ), name
    fresh = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    fresh.load_state_dict(from_cpp)
    assert fresh(x).reshape(-1).tolist() == pytest.approx(
        net(x).reshape(-1).tolist(), rel=1e-6, abs=1e-7
    )


# Two models of the layers beyond Linear (convolution, batch and layer norm,
# pooling, embedding): the C++ program loads weights Python saved, prints its
# reprs and its outputs in training and in eval mode, takes an SGD step and
# saves the state (running statistics included) for Python to compare.
_LAYERS_PROGRAM = r"""
#include <autograd_cpp/autograd_cpp.h>

#include <cstdio>
#include <iostream>

namespace nn = ag::nn;

void print(const char* label, const ag::Tensor& t) {
  std::printf("%s", label);
  for (float v : ag::to_vector<float>(t)) std::printf(" %.9g", v);
  std::printf("\n");
}

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  nn::Conv2dOptions conv(1, 4, 3);
  conv.padding = {1, 1};
  nn::Sequential image(nn::Conv2d(conv), nn::BatchNorm2d(4), nn::ReLU(),
                       nn::MaxPool2d(2), nn::AvgPool2d(3, 1, 1), nn::Flatten(),
                       nn::Linear(64, 6), nn::LayerNorm(6), nn::LogSoftmax(1));
  nn::Sequential text(nn::Embedding(10, 4, 0), nn::Flatten(),
                      nn::BatchNorm1d(12, 1e-3, 0.3), nn::Linear(12, 3));
  nn::NamedTensors state = ag::load_file(argv[1]);
  nn::NamedTensors image_state, text_state;
  for (auto& [key, value] : state) {
    if (key.rfind("image.", 0) == 0) image_state.emplace_back(key.substr(6), value);
    else text_state.emplace_back(key.substr(5), value);
  }
  image.load_state_dict(image_state);
  text.load_state_dict(text_state);
  std::cout << image << "\n" << text << "\n";

  const ag::Tensor x = ag::linspace(-2, 2, 2 * 64).reshape({2, 1, 8, 8}).sin();
  const ag::Tensor tokens = ag::tensor({{1, 0, 3}, {4, 9, 3}, {0, 0, 7}});
  ag::optim::SGD opt(image.parameters(), ag::optim::SGDOptions(0.1));
  ag::optim::SGD opt_text(text.parameters(), ag::optim::SGDOptions(0.01));
  for (int step = 0; step < 2; ++step) {
    ag::Tensor a = image(x), b = text(tokens);
    print("train_image", a);
    print("train_text", b);
    ((a.exp() * a).sum() + b.pow(2).mean()).backward();
    opt.step();
    opt_text.step();
  }
  image.eval();
  text.eval();
  print("eval_image", image(x));
  print("eval_text", text(tokens));
  nn::NamedTensors out;
  for (auto& [key, value] : image.state_dict()) out.emplace_back("image." + key, value);
  for (auto& [key, value] : text.state_dict()) out.emplace_back("text." + key, value);
  ag::save_file(out, argv[2]);
}
"""


def _layer_models(torch: Any) -> tuple[Any, Any]:
    nn = torch.nn
    image = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.AvgPool2d(3, 1, 1),
        nn.Flatten(),
        nn.Linear(64, 6),
        nn.LayerNorm(6),
        nn.LogSoftmax(1),
    )
    text = nn.Sequential(
        nn.Embedding(10, 4, padding_idx=0),
        nn.Flatten(),
        nn.BatchNorm1d(12, eps=1e-3, momentum=0.3),
        nn.Linear(12, 3),
    )
    with torch.no_grad():
        k = 1.0
        for model in (image, text):
            for p in model.parameters():
                p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * k)
                k += 0.25
    return image, text


def _layer_run(torch: Any) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """The C++ program's steps in Python: its printed rows and final state."""
    image, text = _layer_models(torch)
    x = torch.linspace(-2, 2, 2 * 64).reshape(2, 1, 8, 8).sin()
    tokens = torch.tensor([[1, 0, 3], [4, 9, 3], [0, 0, 7]])
    opt = torch.optim.SGD(image.parameters(), lr=0.1)
    opt_text = torch.optim.SGD(text.parameters(), lr=0.01)
    rows: dict[str, list[float]] = {}
    for step in range(2):
        a, b = image(x), text(tokens)
        rows[f"train_image{step}"] = a.reshape(-1).tolist()
        rows[f"train_text{step}"] = b.reshape(-1).tolist()
        ((a.exp() * a).sum() + b.pow(2).mean()).backward()
        opt.step()
        opt_text.step()
    image.eval()
    text.eval()
    with torch.no_grad():
        rows["eval_image0"] = image(x).reshape(-1).tolist()
        rows["eval_text0"] = text(tokens).reshape(-1).tolist()
    state = {f"image.{k}": v for k, v in image.state_dict().items()}
    state.update({f"text.{k}": v for k, v in text.state_dict().items()})
    return rows, {k: v.double().reshape(-1).tolist() for k, v in state.items()}


def test_cpp_layers_match_python(installed: Path, tmp_path: Path) -> None:
    import autograd_cpp
    from autograd_cpp.safetensors import load_file, save_file
    from oracle import torch as reference

    src = tmp_path / "src"
    _project(src, {"layers": _LAYERS_PROGRAM})
    build = tmp_path / "build"
    _run(["cmake", "-S", str(src), "-B", str(build), *_generator(),
          f"-DCMAKE_PREFIX_PATH={installed}"])  # fmt: skip
    _run(["cmake", "--build", str(build)])

    image, text = _layer_models(autograd_cpp)
    start = {f"image.{k}": v for k, v in image.state_dict().items()}
    start.update({f"text.{k}": v for k, v in text.state_dict().items()})
    save_file(start, str(tmp_path / "start.safetensors"))
    out = _run([str(build / "layers"), str(tmp_path / "start.safetensors"),
                str(tmp_path / "end.safetensors")])  # fmt: skip

    ref_image, ref_text = _layer_models(reference)
    assert out.startswith(f"{ref_image!r}\n{ref_text!r}\n")
    assert f"{image!r}\n{text!r}\n" == f"{ref_image!r}\n{ref_text!r}\n"
    rows: dict[str, list[float]] = {}
    for line in out.splitlines():
        label, *values = line.split()
        if label.startswith(("train_", "eval_")):
            rows[f"{label}{sum(k.startswith(label) for k in rows)}"] = [float(v) for v in values]
    ours_rows, ours_state = _layer_run(autograd_cpp)
    theirs_rows, theirs_state = _layer_run(reference)
    assert sorted(rows) == sorted(theirs_rows)
    for key, values in rows.items():
        assert values == pytest.approx(ours_rows[key], rel=1e-5, abs=1e-6), key
        assert values == pytest.approx(theirs_rows[key], rel=1e-4, abs=1e-5), key
    end = load_file(str(tmp_path / "end.safetensors"))
    assert sorted(end) == sorted(theirs_state)
    assert end["image.1.num_batches_tracked"].item() == 2
    for key, values in theirs_state.items():
        got = end[key].double().reshape(-1).tolist()
        assert got == pytest.approx(ours_state[key], rel=1e-5, abs=1e-6), key
        assert got == pytest.approx(values, rel=1e-4, abs=1e-5), key


def test_reference_data_is_what_torch_gives() -> None:
    """tests/cpp/data/*.h, which the C++ scheduler and layer tests compare
    with, are what their generator writes with the installed torch."""
    import importlib.util

    from oracle import torch as reference

    path = ROOT / "tests" / "cpp" / "data" / "gen_reference.py"
    spec = importlib.util.spec_from_file_location("gen_reference", path)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for header, text in gen.outputs(reference).items():
        assert text == header.read_text(), (
            f"{header.name} is stale: python tests/cpp/data/gen_reference.py"
        )
