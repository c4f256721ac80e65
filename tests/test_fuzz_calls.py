"""Every public callable, called with every kind of argument (None, bools,
ints at the edges, NaN and infinities, strings, bytes, arbitrary objects,
nested and ragged lists, tuples, slices, dtypes, and tensors of every dtype:
0-d, empty, non-contiguous, expanded, requiring grad), with random keyword
arguments, each call in a worker process: no call may crash the interpreter,
hang, or raise SystemError. A seeded slice runs here; the harness runs long
campaigns (`python tests/fuzz_calls_harness.py --calls 100000`)."""

import os

from fuzz_calls_harness import CALL_TIMEOUT_S, Worker, campaign, targets

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


# Calls a 100,000-call campaign (seed 1) found crashing the interpreter, each
# replayed in a worker: a kernel_size whose product wrapped to 0 divided by
# zero in fold/col2im (SIGFPE). They now raise PyTorch's RuntimeError.
FOUND_CRASHES = [
    ("autograd_cpp._C._nn.col2im", ["T:int64:2x1x3:t:0", "(2, 3)", "(2**40, 2**40)", "(2, 3)", "(2, 3)", "1"]),
    ("autograd_cpp._C._nn.col2im", ["T:int32:2x3:contig:0", "[1, 2]", "(2**40, 2**40)", "[1, 2]", "(0,)", "(2, 3)"]),
    ("autograd_cpp.nn.functional.fold", ["T:int32:4x4:t:0", "(0, 1)", "(2**40, 2**40)", "(2, 3)"]),
    ("autograd_cpp.nn.functional.fold", ["T:bool:0x3:contig:0", "(0,)", "(2**40, 2**40)"]),
]  # fmt: skip


def test_calls_that_crashed_now_raise():
    worker = Worker()
    try:
        for i, (target, args) in enumerate(FOUND_CRASHES):
            worker.send({"id": i, "target": target, "args": args, "kwargs": {}})
            assert worker.receive(CALL_TIMEOUT_S) == "error:RuntimeError", target
    finally:
        worker.kill()
