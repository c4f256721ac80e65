"""Device APIs answer as PyTorch's CPU-only build does (torch.cuda,
torch.backends, torch.accelerator, torch.mps, torch.device, moving tensors
and modules), checked call by call against the installed CPU torch."""

import pickle
import subprocess
import sys
import warnings

import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch


def outcome(fn, lib):
    """What fn(lib) gives: ("ok", repr of the value) or ("raises", type, message)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn(lib)
    except Exception as e:  # the type and message are what is compared
        return ("raises", type(e).__name__, str(e).split("\n")[0])
    return ("ok", repr(value).replace("autograd_cpp", "torch"))


def same_outcome(fn, check_message=True):
    ours, theirs = outcome(fn, ag), outcome(fn, torch)
    if not check_message and ours[0] == "raises":
        ours, theirs = ours[:2], theirs[:2]
    assert ours == theirs


CUDA_CALLS = {
    "is_available": lambda m: m.cuda.is_available(),
    "device_count": lambda m: m.cuda.device_count(),
    "is_initialized": lambda m: m.cuda.is_initialized(),
    "current_device": lambda m: m.cuda.current_device(),
    "synchronize": lambda m: m.cuda.synchronize(),
    "empty_cache": lambda m: m.cuda.empty_cache(),
    "get_device_name": lambda m: m.cuda.get_device_name(),
    "get_device_name0": lambda m: m.cuda.get_device_name(0),
    "get_device_capability": lambda m: m.cuda.get_device_capability(),
    "get_device_properties": lambda m: m.cuda.get_device_properties(0),
    "manual_seed": lambda m: m.cuda.manual_seed(1),
    "manual_seed_all": lambda m: m.cuda.manual_seed_all(1),
    "seed": lambda m: m.cuda.seed(),
    "seed_all": lambda m: m.cuda.seed_all(),
    "initial_seed": lambda m: m.cuda.initial_seed(),
    "get_rng_state": lambda m: m.cuda.get_rng_state(),
    "get_rng_state_all": lambda m: m.cuda.get_rng_state_all(),
    "set_rng_state_all": lambda m: m.cuda.set_rng_state_all([]),
    "memory_allocated": lambda m: m.cuda.memory_allocated(),
    "max_memory_allocated": lambda m: m.cuda.max_memory_allocated(),
    "memory_reserved": lambda m: m.cuda.memory_reserved(),
    "max_memory_reserved": lambda m: m.cuda.max_memory_reserved(),
    "is_bf16_supported": lambda m: m.cuda.is_bf16_supported(),
    "get_arch_list": lambda m: m.cuda.get_arch_list(),
    "init": lambda m: m.cuda.init(),
    "ipc_collect": lambda m: m.cuda.ipc_collect(),
    "mem_get_info": lambda m: m.cuda.mem_get_info(),
    "cuda_FloatTensor": lambda m: m.cuda.FloatTensor([1.0]),
    "cuda_isinstance": lambda m: isinstance(m.ones(1), m.cuda.FloatTensor),
    "oom_is_runtime_error": lambda m: issubclass(m.cuda.OutOfMemoryError, RuntimeError),
    "oom_top_level": lambda m: m.OutOfMemoryError is m.cuda.OutOfMemoryError,
}


@requires_torch
@pytest.mark.parametrize("name", sorted(CUDA_CALLS))
def test_cuda_module_matches_cpu_torch(name):
    same_outcome(CUDA_CALLS[name])


BACKEND_CALLS = {
    "mps_available": lambda m: m.backends.mps.is_available(),
    "mps_built": lambda m: m.backends.mps.is_built(),
    "cudnn_available": lambda m: m.backends.cudnn.is_available(),
    "cudnn_version": lambda m: m.backends.cudnn.version(),
    "cudnn_flags": lambda m: (
        m.backends.cudnn.enabled,
        m.backends.cudnn.deterministic,
        m.backends.cudnn.benchmark,
        m.backends.cudnn.allow_tf32,
    ),
    "cuda_built": lambda m: m.backends.cuda.is_built(),
    "cuda_matmul": lambda m: (
        m.backends.cuda.matmul.allow_tf32,
        m.backends.cuda.matmul.allow_fp16_reduced_precision_reduction,
    ),
    "sdp": lambda m: (
        m.backends.cuda.flash_sdp_enabled(),
        m.backends.cuda.math_sdp_enabled(),
        m.backends.cuda.mem_efficient_sdp_enabled(),
    ),
    "mps_module": lambda m: (m.mps.is_available(), m.mps.device_count(), m.mps.manual_seed(3)),
    "mps_synchronize": lambda m: m.mps.synchronize(),
    "cpu_module": lambda m: (
        m.cpu.is_available(),
        m.cpu.device_count(),
        m.cpu.current_device(),
        m.cpu.synchronize(),
    ),
    "accelerator_available": lambda m: m.accelerator.is_available(),
    "accelerator_current": lambda m: m.accelerator.current_accelerator(),
    "accelerator_count": lambda m: m.accelerator.device_count(),
    "accelerator_index": lambda m: m.accelerator.current_device_index(),
    "accelerator_synchronize": lambda m: m.accelerator.synchronize(),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(BACKEND_CALLS))
def test_backends_accelerator_and_mps_match_cpu_torch(name):
    same_outcome(BACKEND_CALLS[name])


def test_backend_flags_are_settable_and_misspelt_matmul_flags_raise():
    cudnn = ag.backends.cudnn
    saved = (cudnn.deterministic, cudnn.benchmark, cudnn.enabled)
    try:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = True, True, False
        assert (cudnn.deterministic, cudnn.benchmark, cudnn.enabled) == (True, True, False)
    finally:
        cudnn.deterministic, cudnn.benchmark, cudnn.enabled = saved
    ag.backends.cuda.matmul.allow_tf32 = True
    assert ag.backends.cuda.matmul.allow_tf32 is True
    ag.backends.cuda.matmul.allow_tf32 = False
    with pytest.raises(AttributeError):
        ag.backends.cuda.matmul.allow_tf23 = True


DEVICE_CALLS = {
    "cuda": lambda m: m.device("cuda"),
    "cuda:0": lambda m: m.device("cuda:0"),
    "cuda,0": lambda m: m.device("cuda", 0),
    "kw": lambda m: m.device(type="cuda", index=1),
    "copy": lambda m: m.device(m.device("cuda:1")),
    "str": lambda m: (str(m.device("cuda:0")), str(m.device("cuda")), str(m.device("cpu"))),
    "type_index": lambda m: (m.device("cuda:3").type, m.device("cuda:3").index),
    "cpu_index": lambda m: (m.device("cpu").index, m.device("cpu:0")),
    "eq": lambda m: (
        m.device("cuda") == m.device("cuda:0"),
        m.device("cuda:0") == m.device("cuda", 0),
        m.device("cpu") == m.device("cpu"),
        m.device("cpu") != m.device("cuda"),
    ),
    "eq_str": lambda m: (m.device("cpu") == "cpu", m.device("cuda") == "cuda"),
    "hash": lambda m: len({m.device("cpu"), m.device("cpu"), m.device("cuda:0")}),
    "mps": lambda m: m.device("mps"),
    "minus_one": lambda m: m.device("cuda", -1),
    "bad_type": lambda m: m.device("gpu"),
    "upper": lambda m: m.device("CUDA"),
    "bad_index": lambda m: m.device("cuda:x"),
    "leading_zero": lambda m: m.device("cuda:01"),
    "two_indices": lambda m: m.device("cuda:0", 1),
    "negative": lambda m: m.device("cuda", -2),
    "int": lambda m: m.device(0),
    "str_index": lambda m: m.device("cuda", "0"),
    "pickle": lambda m: pickle.loads(pickle.dumps(m.device("cuda:1"))),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(DEVICE_CALLS))
def test_device_objects_match_torch(name):
    same_outcome(DEVICE_CALLS[name])


def test_device_none_and_float_raise_type_error():
    for bad in (None, 1.5):
        with pytest.raises(TypeError, match="invalid combination of arguments"):
            ag.device(bad)


MOVE_CALLS = {
    "tensor_cuda": lambda m: m.ones(2).cuda(),
    "tensor_to_cuda": lambda m: m.ones(2).to("cuda"),
    "tensor_to_cuda0": lambda m: m.ones(2).to("cuda:0"),
    "tensor_to_device": lambda m: m.ones(2).to(m.device("cuda")),
    "tensor_to_kw": lambda m: m.ones(2).to(device="cuda"),
    "tensor_to_index": lambda m: m.ones(2).to(0),
    "tensor_to_mps": lambda m: m.ones(2).to("mps"),
    "tensor_to_xpu": lambda m: m.ones(2).to("xpu"),
    "tensor_to_cpu": lambda m: m.ones(2).to("cpu"),
    "tensor_to_cpu_dtype": lambda m: m.ones(2).to("cpu", m.float64),
    "tensor_to_cpu_nonblocking": lambda m: m.ones(2).to(m.device("cpu"), non_blocking=True),
    "tensor_cpu_is_self": lambda m: (lambda t: t.cpu() is t)(m.ones(2)),
    "tensor_flags": lambda m: (
        m.ones(2).is_cuda,
        m.ones(2).is_cpu,
        m.ones(2).is_mps,
        m.ones(2).is_meta,
        m.ones(2).is_sparse,
        m.ones(2).is_quantized,
    ),
    "tensor_device": lambda m: m.ones(2).device,
    "get_device": lambda m: m.ones(2).get_device(),
    "pin_memory": lambda m: m.ones(2).pin_memory(),
    "is_pinned": lambda m: m.ones(2).is_pinned(),
    "module_cuda": lambda m: m.nn.Linear(2, 2).cuda(),
    "module_to_cuda": lambda m: m.nn.Linear(2, 2).to("cuda"),
    "module_to_device_kw": lambda m: m.nn.Linear(2, 2).to(device=m.device("cuda:0")),
    "module_to_cpu": lambda m: m.nn.Linear(2, 2).to("cpu"),
    "module_cpu": lambda m: m.nn.Linear(2, 2).cpu(),
    "module_to_cpu_double": lambda m: m.nn.Linear(2, 2).to("cpu", m.float64).weight.dtype,
    "factory_cpu": lambda m: m.ones(2, device="cpu"),
    "factory_cpu_device": lambda m: m.zeros(2, device=m.device("cpu")),
    "new_zeros_cuda": lambda m: m.ones(2).new_zeros(2, device="cuda"),
    "default_device": lambda m: m.get_default_device(),
    "set_default_cpu": lambda m: (m.set_default_device("cpu"), m.get_default_device()),
    "set_default_none": lambda m: (m.set_default_device(None), m.get_default_device()),
    "with_cpu": lambda m: (lambda d: (d.__enter__(), d.__exit__(None, None, None)))(
        m.device("cpu")
    ),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(MOVE_CALLS))
def test_moving_tensors_and_modules_matches_cpu_torch(name):
    same_outcome(MOVE_CALLS[name])


def test_set_default_device_to_cuda_raises_at_once():
    # PyTorch records it and raises at the next factory; here it raises at
    # once, with the same error.
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        ag.set_default_device("cuda")
    assert ag.get_default_device() == ag.device("cpu")


def test_typical_device_selection_preamble_runs():
    # The lines that open most training scripts.
    torch_ = ag
    device = torch_.device("cuda" if torch_.cuda.is_available() else "cpu")
    if torch_.backends.mps.is_available():
        device = torch_.device("mps")
    torch_.manual_seed(0)
    torch_.cuda.manual_seed_all(0)
    torch_.backends.cudnn.deterministic = True
    torch_.backends.cudnn.benchmark = False
    model = torch_.nn.Linear(3, 1).to(device)
    x = torch_.randn(4, 3).to(device, non_blocking=True)
    assert model(x).device == device == torch_.device("cpu")
    acc = torch_.accelerator
    name = acc.current_accelerator().type if acc.is_available() else "cpu"
    assert name == "cpu"


@requires_torch
def test_autocast_disables_itself_with_torchs_warning():
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            ctx = lib.autocast(device_type="cuda", dtype=lib.float32)
        with ctx:
            y = lib.ones(2, 2) @ lib.ones(2, 2)
        assert y.dtype == lib.float32
        with pytest.warns(UserWarning, match="CUDA is not available"):
            lib.amp.autocast("cuda")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ag.autocast("cpu", enabled=False):
            pass

    @ag.autocast("cuda", enabled=False)
    def f(x):
        return x * 2

    assert f(ag.ones(1)).item() == 2


@requires_torch
def test_gradscaler_cuda_is_disabled_and_passes_through():
    for lib in (ag, torch):
        with pytest.warns(UserWarning, match="CUDA is not available"):
            scaler = lib.amp.GradScaler()
        assert not scaler.is_enabled() and scaler.get_scale() == 1.0
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SGD([p], lr=0.5)
        loss = (p * 3).sum()
        assert scaler.scale(loss) is loss
        loss.backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        assert p.tolist() == [-0.5, -0.5]
        assert scaler.state_dict() == {}
    with pytest.warns(FutureWarning, match="deprecated"):
        ag.cuda.amp.GradScaler(enabled=False)


def scaled_training(lib, grads, init_scale=8.0, growth_interval=2):
    """Steps an SGD over prescribed gradients with a CPU GradScaler; returns
    the parameter, the scales and the step results."""
    p = lib.nn.Parameter(lib.zeros(2, dtype=lib.float64))
    opt = lib.optim.SGD([p], lr=0.1)
    scaler = lib.amp.GradScaler(
        "cpu", init_scale=init_scale, growth_factor=2.0, backoff_factor=0.25,
        growth_interval=growth_interval,
    )  # fmt: skip
    scales = []
    for g in grads:
        opt.zero_grad()
        w = lib.tensor(g, dtype=lib.float64)
        scaler.scale((p * w).sum()).backward()
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return p.tolist(), scales, scaler.state_dict()


@requires_torch
def test_gradscaler_on_cpu_matches_torch():
    inf = float("inf")
    grads = [[1.0, 2.0], [0.5, -1.0], [inf, 1.0], [1.0, 1.0], [2.0, 3.0], [float("nan"), 0.0]]
    grads += [[1.0, -1.0]] * 4
    assert scaled_training(ag, grads) == scaled_training(torch, grads)


@requires_torch
def test_gradscaler_errors_match_torch():
    for lib in (ag, torch):
        p = lib.nn.Parameter(lib.ones(1))
        opt = lib.optim.SGD([p], lr=0.1)
        scaler = lib.amp.GradScaler("cpu")
        scaler.scale(p.sum()).backward()
        scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
            scaler.unscale_(opt)
        with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
            scaler.step(opt, closure=lambda: None)


def test_compile_returns_eager_results_and_pytorchs_wrapper():
    ag.manual_seed(0)
    model = ag.nn.Sequential(ag.nn.Linear(3, 4), ag.nn.ReLU(), ag.nn.Linear(4, 2))
    compiled = ag.compile(model, mode="max-autotune", fullgraph=False, dynamic=None)
    x = ag.randn(5, 3)
    assert compiled(x).tolist() == model(x).tolist()
    assert type(compiled).__name__ == "OptimizedModule" and compiled._orig_mod is model
    assert isinstance(compiled, ag.nn.Module)
    assert list(compiled.state_dict()) == ["_orig_mod." + k for k in model.state_dict()]
    assert [id(p) for p in compiled.parameters()] == [id(p) for p in model.parameters()]
    model.note = "kept"
    assert compiled.note == "kept"  # attributes the wrapper lacks come from _orig_mod
    compiled.eval()
    assert not model.training

    def f(a, b):
        return (a * b).sum()

    cf = ag.compile(f, backend="eager")
    assert cf.__name__ == "f" and cf(x, x).item() == f(x, x).item()
    deco = ag.compile(mode="reduce-overhead")(f)
    assert deco(x, x).item() == f(x, x).item()
    assert ag.compile(model, disable=True) is model
    with pytest.raises(RuntimeError, match="Either mode or options"):
        ag.compile(model, mode="default", options={"a": 1})
    with pytest.raises(RuntimeError, match="Unrecognized mode"):
        ag.compile(model, mode="fastest")
    assert ag.compiler.is_compiling() is False


@requires_torch
def test_compile_wrapper_matches_torch_names():
    for lib in (ag, torch):
        m = lib.nn.Linear(2, 2)
        c = lib.compile(m)
        assert type(c).__name__ == "OptimizedModule"
        assert list(c.state_dict()) == ["_orig_mod.weight", "_orig_mod.bias"]
        assert repr(c).startswith("OptimizedModule(\n  (_orig_mod): Linear(")


SETTINGS_CALLS = {
    "matmul_precision": lambda m: (
        m.set_float32_matmul_precision("high"),
        m.get_float32_matmul_precision(),
        m.set_float32_matmul_precision("highest"),
    ),
    "deterministic": lambda m: (
        m.use_deterministic_algorithms(True, warn_only=True),
        m.are_deterministic_algorithms_enabled(),
        m.is_deterministic_algorithms_warn_only_enabled(),
        m.get_deterministic_debug_mode(),
        m.set_deterministic_debug_mode("error"),
        m.get_deterministic_debug_mode(),
        m.use_deterministic_algorithms(False),
        m.get_deterministic_debug_mode(),
    ),
    "bad_debug_mode": lambda m: m.set_deterministic_debug_mode("x"),
    "interop": lambda m: (m.set_num_interop_threads, m.get_num_interop_threads() >= 1)[1],
    "warn_always": lambda m: (m.set_warn_always(False), m.is_warn_always_enabled()),
    "constants": lambda m: (m.pi, m.e, m.inf, repr(m.nan), m.newaxis),
    "finfo32": lambda m: m.finfo(m.float32),
    "finfo64": lambda m: (lambda f: (f.bits, f.eps, f.max, f.min, f.tiny, f.resolution, f.dtype))(
        m.finfo(m.float64)
    ),
    "finfo_default": lambda m: m.finfo(),
    "finfo_int": lambda m: m.finfo(m.int64),
    "iinfo64": lambda m: m.iinfo(m.int64),
    "iinfo32": lambda m: (lambda i: (i.bits, i.min, i.max, i.dtype))(m.iinfo(m.int32)),
    "iinfo_float": lambda m: m.iinfo(m.float32),
    "iinfo_bool": lambda m: m.iinfo(m.bool),
    "typename": lambda m: (
        m.typename(m.ones(1)),
        m.typename(m.ones(1, dtype=m.int64)),
        m.typename(3),
    ),
    "is_floating_point": lambda m: (
        m.is_floating_point(m.ones(1)),
        m.is_floating_point(m.ones(1, dtype=m.int32)),
        m.is_complex(m.ones(1)),
    ),
    "is_floating_point_float": lambda m: m.is_floating_point(1.0),
    "default_tensor_type": lambda m: (
        m.set_default_tensor_type("torch.DoubleTensor"),
        m.get_default_dtype(),
        m.tensor([1.0]).dtype,
        m.set_default_tensor_type(m.FloatTensor),
        m.get_default_dtype(),
    ),
    "default_tensor_type_long": lambda m: m.set_default_tensor_type("torch.LongTensor"),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(SETTINGS_CALLS))
def test_top_level_settings_match_torch(name):
    same_outcome(SETTINGS_CALLS[name])


def test_seeding_returns_the_global_generator_and_repeats_draws():
    g = ag.manual_seed(123)
    assert g is ag.default_generator and ag.random.default_generator is g
    assert ag.initial_seed() == 123 == g.initial_seed() == ag.random.initial_seed()
    a = ag.rand(4)
    ag.random.manual_seed(123)
    assert ag.rand(4).tolist() == a.tolist()
    # Seeds beyond int64 and negative seeds wrap modulo 2**64, as in PyTorch.
    ag.manual_seed(2**64 - 1)
    assert ag.initial_seed() == 2**64 - 1
    b = ag.rand(3)
    ag.manual_seed(-1)
    assert ag.initial_seed() == 2**64 - 1 and ag.rand(3).tolist() == b.tolist()
    s = ag.seed()
    assert ag.initial_seed() == s and 0 <= s < 2**64


def test_each_process_starts_from_a_fresh_seed():
    code = "import autograd_cpp as t; print(t.initial_seed(), t.rand(3).tolist())"
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout != runs[1].stdout
    seeded = "import autograd_cpp as t; t.manual_seed(7); print(t.rand(3).tolist())"
    again = [
        subprocess.run([sys.executable, "-c", seeded], capture_output=True, text=True).stdout
        for _ in range(2)
    ]
    assert again[0] == again[1] != ""


@requires_torch
def test_generator_api_matches_torch():
    for lib in (ag, torch):
        g = lib.Generator()
        # A new generator starts from PyTorch's fixed default seed.
        assert g.initial_seed() == 67280421310721
        assert g.manual_seed(5) is g and g.initial_seed() == 5
        assert g.device == lib.device("cpu")
        s = g.seed()
        assert g.initial_seed() == s
    with pytest.raises(RuntimeError):
        ag.Generator("cuda")


def test_generator_state_round_trips():
    g = ag.Generator().manual_seed(11)
    g._permutation(5)
    state = g.get_state()
    first = g._permutation(20)
    g._permutation(7)
    g.set_state(state)
    assert g._permutation(20) == first and g.initial_seed() == 11
    h = pickle.loads(pickle.dumps(g))
    assert h._permutation(9) == g._permutation(9)
    with pytest.raises(TypeError, match="RNG state"):
        g.set_state(ag.zeros(3))
    with pytest.raises(RuntimeError, match="cannot be read"):
        ag.default_generator.get_state()


def test_a_nanogpt_style_training_preamble_and_loop_runs():
    # The start-up and loop lines of a widely copied GPT training script,
    # with `torch` bound to this library, on a CPU-only machine.
    from contextlib import nullcontext

    torch_ = ag
    device = "cuda" if torch_.cuda.is_available() else "cpu"
    dtype = "bfloat16" if torch_.cuda.is_available() else "float32"
    torch_.manual_seed(1337)
    torch_.backends.cuda.matmul.allow_tf32 = True
    torch_.backends.cudnn.allow_tf32 = True
    device_type = "cuda" if "cuda" in device else "cpu"
    ctx = nullcontext() if device_type == "cpu" else torch_.amp.autocast(device_type=device_type)
    with pytest.warns(FutureWarning):
        scaler = torch_.cuda.amp.GradScaler(enabled=(dtype == "float16"))
    model = torch_.nn.Sequential(torch_.nn.Embedding(16, 8), torch_.nn.Linear(8, 16)).to(device)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch_.optim.AdamW(
        [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1e-2,
        betas=(0.9, 0.95),
    )
    model = torch_.compile(model)
    x = torch_.randint(0, 16, (4, 6), device=device)
    y = torch_.randint(0, 16, (4, 6)).to(device, non_blocking=True)
    losses = []
    for _ in range(5):
        with ctx:
            logits = model(x)
            loss = torch_.nn.functional.cross_entropy(logits.view(-1, 16), y.view(-1))
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)
        torch_.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad(set_to_none=True)
        losses.append(f"{loss.item():.4f}")
    assert float(losses[-1]) < float(losses[0])
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
    prefix = "_orig_mod."
    restored = {k[len(prefix) :]: v for k, v in checkpoint["model"].items()}
    fresh = torch_.nn.Sequential(torch_.nn.Embedding(16, 8), torch_.nn.Linear(8, 16))
    fresh.load_state_dict(restored)
