#!/usr/bin/env bash
# Mutation testing of one part of the Python package with mutmut (pinned in
# the dev extra): [SAMPLE=N] mutmut_module.sh NAME [mutmut run options]
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
                 tests='"tests/test_defaults.py", "tests/test_nn_optim.py", "tests/test_optim_more.py", "tests/test_lr_schedulers.py", "tests/test_optim_contract.py"' ;;
  nn_init)       mutate='"src/autograd_cpp/nn/init.py"'
                 tests='"tests/test_init_distributions.py", "tests/test_init_contract.py", "tests/test_nn_optim.py"' ;;
  # The modules users meet first: Linear, the losses, and Module itself.
  nn_modules)    mutate='"src/autograd_cpp/nn/modules/linear.py", "src/autograd_cpp/nn/modules/loss.py", "src/autograd_cpp/nn/modules/module.py"'
                 tests='"tests/test_defaults.py", "tests/test_init_distributions.py", "tests/test_nn_optim.py", "tests/test_nn_ops.py", "tests/test_nn_layers_more.py", "tests/test_loss_modules.py", "tests/test_module_contract.py"' ;;
  # The functional losses and activations (nn/functional.py re-exports them).
  nn_functional) mutate='"src/autograd_cpp/nn/_functional/loss.py", "src/autograd_cpp/nn/_functional/activation.py"'
                 tests='"tests/test_nn_ops.py", "tests/test_vs_torch.py", "tests/test_defaults.py", "tests/test_numerical_safety.py", "tests/test_loss_modules.py", "tests/test_activation_functional.py", "tests/test_loss_edge_cases.py", "tests/test_forward_ad.py"' ;;
  gradcheck)     mutate='"src/autograd_cpp/autograd/gradcheck.py"'
                 tests='"tests/test_gradcheck.py"' ;;
  autograd)      mutate='"src/autograd_cpp/autograd/*"'
                 tests='"tests/test_gradcheck.py", "tests/test_autograd_features.py", "tests/test_semantics.py", "tests/test_autograd_functional_contract.py", "tests/test_profiler.py", "tests/test_teaching.py", "tests/test_forward_ad.py"' ;;
  utils_data)    mutate='"src/autograd_cpp/utils/data/*"'
                 tests='"tests/test_nn_optim.py", "tests/test_defaults.py", "tests/test_data_more.py"' ;;
  tape)          mutate='"src/autograd_cpp/tape.py"'
                 tests='"tests/test_gradient_tape.py", "tests/test_seeds.py"' ;;
  serialization) mutate='"src/autograd_cpp/serialization.py"'
                 tests='"tests/test_nn_optim.py", "tests/test_serialization_torch.py", "tests/test_serialization_native.py", "tests/test_bad_input.py"' ;;
  *) echo "unknown part: $name" >&2; exit 2 ;;
esac

work="$root/build/mutation/$name"
# Tests that run a script in a fresh interpreter cannot see a mutant (and
# look for examples/ beside tests/, which the workspace lacks).
deselect=""
for t in test_gradient_tape.py::test_the_seed_script_runs \
         test_seeds.py::test_seed_tutorial_script_runs \
         test_serialization_torch.py::test_loading_needs_no_torch; do
  deselect="$deselect, \"--deselect\", \"tests/$t\""
done

write_config() {
  cat > "$work/pyproject.toml" <<TOML
[tool.mutmut]
source_paths = ["src/autograd_cpp"]
only_mutate = [$mutate]
pytest_add_cli_args_test_selection = [$tests]
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"$deselect]
process_isolation = "forkserver"
use_git_change_detection = false
# mutmut's time budget is (measured test time + constant) x multiplier; the
# measured time leaves out collecting the test files, which takes tens of
# seconds when other builds share the cores. A slow child is not a killed one.
timeout_constant = ${MUTMUT_TIMEOUT_CONSTANT:-10}

[tool.pytest.ini_options]
testpaths = ["tests"]
TOML
}

copy_tests() {
  rm -rf "$work/tests"
  cp -r "$root/tests" "$work/tests"
  find "$work/tests" -name __pycache__ -prune -exec rm -rf {} +
}

# Runs mutmut in the workspace: every mutant, or with SAMPLE=N a uniform
# random sample of N (SEED, default 1; the names are kept in sample.txt).
# RECHECK=1 reruns every mutant not killed yet (after adding tests).
run_mutmut() {
  cd "$work"
  # The tests must import the copy: nothing else on the path.
  unset PYTHONPATH
  local sampler="$root/tools/mutation/mutmut_sample.py" names=()
  if [ -n "${SAMPLE:-}" ]; then
    if [ ! -f sample.txt ]; then
      python "$sampler" pick "$SAMPLE" "${SEED:-1}" > sample.tmp
      mv sample.tmp sample.txt
    fi
    if [ "${RECHECK:-0}" = 1 ]; then
      mapfile -t names < <(python "$sampler" open sample.txt --recheck)
    else
      mapfile -t names < <(python "$sampler" open sample.txt)
    fi
    if [ "${#names[@]}" -gt 0 ]; then
      mutmut run "$@" "${names[@]}"
    fi
  elif [ "${RECHECK:-0}" = 1 ]; then
    mapfile -t names < <(mutmut results 2>/dev/null | sed -n 's/^ *\([^ ]*\): .*/\1/p')
    if [ "${#names[@]}" -gt 0 ]; then
      mutmut run "$@" "${names[@]}"
    fi
  else
    mutmut run "$@"
  fi
  exec bash "$root/tools/mutation/mutmut_summary.sh"
}

# An interrupted run resumes (mutmut keeps its verdicts under mutants/) with
# the sources it started from and the current tests. FRESH=1 starts over
# from the current sources.
if [ -d "$work" ] && [ "${FRESH:-0}" != 1 ]; then
  copy_tests
  write_config
  run_mutmut "$@"
fi
rm -rf "$work"
mkdir -p "$work/src"
cp -r "$root/python/autograd_cpp" "$work/src/autograd_cpp"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +
copy_tests
write_config
git -C "$root" rev-parse HEAD > "$work/measured-commit"
run_mutmut "$@"
