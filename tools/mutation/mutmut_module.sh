#!/usr/bin/env bash
# Mutation testing of one part of the Python package with mutmut (pinned in
# the dev extra): mutmut_module.sh NAME [mutmut run options]
#
# mutmut names mutants after their file path and expects the package under
# ./, src/ or source/, so the run happens in a workspace build/mutation/NAME/
# holding src/autograd_cpp (a copy of python/autograd_cpp, compiled extension
# included), tests/ and a pyproject.toml with NAME's settings below. Only
# NAME's files are mutated, and only NAME's test files run. Results: the
# summary line printed at the end, and `mutmut results` / `mutmut show ID`
# run inside the workspace.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
name="${1:?usage: mutmut_module.sh NAME [mutmut run options]}"
shift

case "$name" in
  optim)         mutate='"src/autograd_cpp/optim/*"'
                 tests='"tests/test_defaults.py", "tests/test_nn_optim.py"' ;;
  nn_init)       mutate='"src/autograd_cpp/nn/init.py"'
                 tests='"tests/test_init_distributions.py", "tests/test_nn_optim.py"' ;;
  nn_modules)    mutate='"src/autograd_cpp/nn/modules/*", "src/autograd_cpp/nn/parameter.py"'
                 tests='"tests/test_defaults.py", "tests/test_init_distributions.py", "tests/test_nn_optim.py", "tests/test_nn_ops.py"' ;;
  nn_functional) mutate='"src/autograd_cpp/nn/functional.py"'
                 tests='"tests/test_nn_ops.py", "tests/test_vs_torch.py", "tests/test_defaults.py", "tests/test_numerical_safety.py"' ;;
  gradcheck)     mutate='"src/autograd_cpp/autograd/gradcheck.py"'
                 tests='"tests/test_gradcheck.py"' ;;
  autograd)      mutate='"src/autograd_cpp/autograd/*"'
                 tests='"tests/test_gradcheck.py", "tests/test_autograd_features.py", "tests/test_semantics.py"' ;;
  utils_data)    mutate='"src/autograd_cpp/utils/data/*"'
                 tests='"tests/test_nn_optim.py", "tests/test_defaults.py"' ;;
  tape)          mutate='"src/autograd_cpp/tape.py"'
                 tests='"tests/test_gradient_tape.py", "tests/test_seeds.py"' ;;
  serialization) mutate='"src/autograd_cpp/serialization.py"'
                 tests='"tests/test_nn_optim.py", "tests/test_interop.py"' ;;
  *) echo "unknown part: $name" >&2; exit 2 ;;
esac

work="$root/build/mutation/$name"
# An interrupted run resumes (mutmut keeps its verdicts under mutants/);
# FRESH=1 starts over from the current sources.
if [ -d "$work" ] && [ "${FRESH:-0}" != 1 ]; then
  cd "$work"
  unset PYTHONPATH
  mutmut run "$@"
  exec bash "$root/tools/mutation/mutmut_summary.sh"
fi
rm -rf "$work"
mkdir -p "$work/src"
cp -r "$root/python/autograd_cpp" "$work/src/autograd_cpp"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
cp -r "$root/tests" "$work/tests"
find "$work/tests" -name __pycache__ -prune -exec rm -rf {} +
cat > "$work/pyproject.toml" <<TOML
[tool.mutmut]
source_paths = ["src/autograd_cpp"]
only_mutate = [$mutate]
pytest_add_cli_args_test_selection = [$tests]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]
process_isolation = "forkserver"
use_git_change_detection = false

[tool.pytest.ini_options]
testpaths = ["tests"]
TOML
cd "$work"
# The tests must import the copy: nothing else on the path.
unset PYTHONPATH
mutmut run "$@"
exec bash "$root/tools/mutation/mutmut_summary.sh"
