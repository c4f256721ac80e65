"""Every public callable, called with every kind of argument (None, bools,
ints at the edges, NaN and infinities, strings, bytes, arbitrary objects,
nested and ragged lists, tuples, slices, dtypes, and tensors of every dtype:
0-d, empty, non-contiguous, expanded, requiring grad), with random keyword
arguments, each call in a worker process: no call may crash the interpreter,
hang, or raise SystemError. A seeded slice runs here; the harness runs long
campaigns (`python tests/fuzz_calls_harness.py --calls 100000`)."""

import os

from fuzz_calls_harness import campaign, targets

CALLS = int(os.environ.get("AUTOGRAD_CPP_FUZZ_CALLS", "1500"))
SEED = int(os.environ.get("AUTOGRAD_CPP_FUZZ_SEED", "20261203"))


def test_targets_cover_the_api():
    names = set(targets())
    # Module functions, Tensor methods and operators, nn.functional, the C++
    # submodule and the autograd entry points are all in.
    for name in (
        "autograd_cpp.result_type",
        "autograd_cpp.zeros",
        "Tensor.add",
        "Tensor.__getitem__",
        "autograd_cpp.nn.functional.relu",
        "autograd_cpp._C._nn.logsigmoid",
        "autograd_cpp.autograd.grad",
        "autograd_cpp.nn.Linear",
        "autograd_cpp.optim.SGD",
    ):
        assert name in names, name
    assert len(names) > 500


def test_no_call_crashes_hangs_or_loses_an_exception():
    report = campaign(CALLS, SEED, n_workers=2)
    assert report["outcomes"].get("ok", 0) > 0
    assert report["outcomes"].get("error", 0) > 0
    assert not report["failures"], "\n".join(report["failures"][:20])
