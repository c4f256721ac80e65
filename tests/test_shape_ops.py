"""Shape and indexing ops beyond the op table: integer and bool dtypes,
advanced indexing rules, setitem semantics, options and error messages,
each checked against PyTorch."""

import warnings

import numpy as np
import pytest

import autograd_cpp as ag
from oracle import requires_torch, torch

pytestmark = requires_torch


def _run(fn, lib):
    try:
        return fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is the result
        return e


def _np(t):
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_same(ours, theirs):
    """Same exception (type and message) or same tensors (shape, dtype,
    values), element by element for tuples."""
    if isinstance(theirs, Exception):
        assert isinstance(ours, Exception), f"expected {theirs!r}, got {ours!r}"
        assert type(ours).__name__ == type(theirs).__name__, (ours, theirs)
        # Ours may go on to explain the fix after PyTorch's wording.
        assert str(ours).startswith(str(theirs)), (str(ours), str(theirs))
        return
    assert not isinstance(ours, Exception), f"raised {ours!r}, torch gave {theirs!r}"
    if isinstance(theirs, (tuple, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype)
    np.testing.assert_array_equal(_np(ours), _np(theirs))


def check(fn, *, torch_raises=None):
    """Runs fn on both libraries and compares. torch_raises says whether the
    case is meant to be an error in PyTorch, so a case that fails before it
    reaches what it names (or an error case that stops failing) is caught
    rather than passing as "both raised"."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _run(fn, torch)
        ours = _run(fn, ag)
    if torch_raises is not None:
        assert isinstance(theirs, Exception) == torch_raises, (
            f"the case itself is wrong: PyTorch gave {theirs!r}"
        )
    assert_same(ours, theirs)


def ints(m, shape=(3, 4), dtype=None):
    n = int(np.prod(shape))
    return m.arange(n, dtype=dtype or m.int64).reshape(shape)


def bools(m, shape=(3, 4)):
    """A bool tensor with a mixed pattern of values."""
    n = int(np.prod(shape))
    return m.tensor(np.arange(n).reshape(shape) % 3 == 0)


def pattern(m, shape, modulo):
    """Non-negative ints below `modulo`, in a fixed order."""
    n = int(np.prod(shape))
    return m.tensor((np.arange(n) * 7 % modulo).reshape(shape))


# ---- values on integer and bool dtypes ---------------------------------------

VALUE_CASES = {
    "cat_int_bool": lambda m: m.cat([ints(m), bools(m)]),
    "cat_int32_int64": lambda m: m.cat([ints(m, dtype=m.int32), ints(m)], 1),
    "cat_float_int": lambda m: m.cat([ints(m).float(), ints(m)]),
    "cat_legacy_empty_promotes": lambda m: m.cat([ints(m), m.zeros(0, dtype=m.float64)]),
    "cat_all_empty": lambda m: m.cat([m.zeros(0), m.zeros(0)], 3),
    "cat_tuple_bool": lambda m: m.cat((bools(m), bools(m)), dim=-1),
    "cat_zero_rows": lambda m: m.cat([ints(m), m.zeros(0, 4, dtype=m.int64)]),
    "concatenate_axis": lambda m: m.concatenate([ints(m), ints(m)], axis=1),
    "stack_int": lambda m: m.stack([ints(m), ints(m, dtype=m.int32)], 2),
    "stack_bool": lambda m: m.stack([bools(m)] * 3, -1),
    "stack_0d": lambda m: m.stack([m.tensor(1), m.tensor(2)]),
    "split_int": lambda m: ints(m, (5, 2)).split(2),
    "split_sizes_bool": lambda m: bools(m).split([1, 0, 3], 1),
    "split_empty_dim": lambda m: m.zeros(0, 3).split(2),
    "split_zero_size_empty": lambda m: m.zeros(0, 3).split(0),
    "split_bigger": lambda m: ints(m).split(7),
    # A one-element tensor of any dtype is a split size through int().
    "split_float_tensor_size": lambda m: ints(m, (5, 2)).split(m.tensor(2.5)),
    "split_one_element_tensor_size": lambda m: ints(m, (5, 2)).split(m.tensor([2])),
    "split_function_float_tensor_size": lambda m: m.split(ints(m), m.tensor(1.5), 1),
    "chunk_uneven": lambda m: ints(m, (5, 2)).chunk(4),
    "chunk_more_than_size": lambda m: ints(m, (3,)).chunk(5),
    "chunk_empty": lambda m: m.zeros(0, 3).chunk(2),
    "unbind_int": lambda m: m.unbind(ints(m), 1),
    "unbind_empty": lambda m: m.zeros(0, 3).unbind(),
    "narrow_tensor_start": lambda m: ints(m).narrow(0, m.tensor(1), 2),
    "narrow_at_end": lambda m: ints(m).narrow(0, 3, 0),
    "movedim": lambda m: ints(m, (2, 3, 4)).movedim((0, 1), (2, 0)),
    "movedim_neg": lambda m: m.movedim(ints(m, (2, 3, 4)), -1, 0),
    "swapdims": lambda m: ints(m, (2, 3, 4)).swapdims(0, 2),
    "flip_int": lambda m: ints(m).flip(0, 1),
    "flip_bool": lambda m: bools(m).flip([-1]),
    "flip_empty_dims": lambda m: ints(m).flip([]),
    "flip_0d": lambda m: m.tensor(5).flip(0),
    "flip_noncontiguous": lambda m: ints(m, (4, 6))[:, ::2].t().flip(1),
    "repeat_int": lambda m: ints(m, (2, 3)).repeat(2, 1, 2),
    "repeat_bool": lambda m: bools(m, (2,)).repeat([3, 2]),
    "repeat_0d": lambda m: m.tensor(7).repeat(()),
    "repeat_noncontiguous": lambda m: ints(m).t().repeat(1, 2),
    "roll_flat": lambda m: ints(m).roll(5),
    "roll_neg": lambda m: m.roll(ints(m), -1, 1),
    "roll_multi": lambda m: ints(m).roll((1, 2), (0, 1)),
    "roll_big_shift": lambda m: ints(m).roll(7, 1),
    "roll_0d": lambda m: m.tensor(3).roll(1),
    "roll_noncontiguous_flat": lambda m: ints(m).t().roll(2),
    "tril_int": lambda m: ints(m).tril(),
    "tril_bool": lambda m: bools(m).tril(1),
    "triu_batched": lambda m: ints(m, (2, 3, 4)).triu(-1),
    "triu_far": lambda m: m.triu(ints(m), 10),
    "tril_far": lambda m: m.tril(ints(m), -10),
    "tril_empty": lambda m: m.ones(0, 2).tril(),
    "tril_noncontiguous": lambda m: ints(m, (4, 6))[:, 1::2].tril(),
    "gather_int": lambda m: ints(m).gather(1, m.tensor([[0, 3], [1, 1], [2, 0]])),
    "gather_bool_int32_index": lambda m: bools(m).gather(
        0, m.tensor([[2, 1, 0, 0]], dtype=m.int32)
    ),
    "gather_bigger_along_dim": lambda m: ints(m).gather(1, m.zeros(3, 6, dtype=m.int64)),
    "gather_0d": lambda m: m.tensor(5.0).gather(0, m.tensor(0)),
    "gather_0d_index_1d": lambda m: m.tensor(5.0).gather(0, m.tensor([0])),
    "gather_empty_index": lambda m: ints(m).gather(1, m.zeros(3, 0, dtype=m.int64)),
    "gather_noncontiguous": lambda m: ints(m).t().gather(0, m.tensor([[2, 1, 0]]).t()[:, :1]),
    "scatter_add_int": lambda m: m.zeros(3, 5, dtype=m.int64).scatter_add(
        1, m.tensor([[0, 1], [2, 2], [4, 4]]), ints(m, (3, 2))
    ),
    "scatter_add_bool": lambda m: m.zeros(2, 3, dtype=m.bool).scatter_add(
        1, m.tensor([[0, 0], [2, 1]]), m.ones(2, 2, dtype=m.bool)
    ),
    "scatter_add_src_larger": lambda m: m.zeros(3, 5).scatter_add(
        1, m.tensor([[0], [1], [2]]), m.ones(3, 4)
    ),
    "scatter_add_inplace": lambda m: m.zeros(4, dtype=m.int64).scatter_add_(
        0, m.tensor([1, 1, 3]), m.tensor([5, 6, 7])
    ),
    "scatter_src_int": lambda m: m.scatter(
        m.zeros(2, 4, dtype=m.int64), 1, m.tensor([[3, 0], [1, 2]]), ints(m, (2, 2))
    ),
    "scatter_value_int": lambda m: m.zeros(3, 5, dtype=m.int64).scatter(
        1, m.tensor([[0], [1], [4]]), 2.7
    ),
    "scatter_value_kw": lambda m: m.zeros(3, 5).scatter(0, m.tensor([[2, 0]]), value=3),
    "scatter_src_kw": lambda m: m.zeros(3).scatter(
        dim=0, index=m.tensor([2]), src=m.tensor([4.0, 5.0])
    ),
    "scatter_inplace_value": lambda m: m.zeros(2, 3).scatter_(1, m.tensor([[2], [0]]), 1.5),
    "index_select_int": lambda m: ints(m).index_select(1, m.tensor([3, 0, 0])),
    "index_select_bool_int32": lambda m: bools(m).index_select(0, m.tensor([2, 0], dtype=m.int32)),
    "index_select_0d_index": lambda m: ints(m).index_select(1, m.tensor(2)),
    "index_select_0d_self": lambda m: m.tensor(3.0).index_select(0, m.tensor([0])),
    # Both self (transposed) and the index (every other element) are strided.
    "index_select_noncontiguous": lambda m: (
        ints(m).t().index_select(1, m.tensor([0, 1, 2, 0])[::2])
    ),
    "index_put_accumulate_int": lambda m: m.zeros(4, dtype=m.int64).index_put_(
        (m.tensor([0, 0, 3, 0]),), m.tensor(2), accumulate=True
    ),
    "index_put_accumulate_bool": lambda m: m.zeros(3, dtype=m.bool).index_put_(
        (m.tensor([0, 0]),), m.tensor(True), accumulate=True
    ),
    "index_put_mask": lambda m: m.zeros(3, 2).index_put(
        (m.tensor([True, False, True]),), m.tensor(1.0)
    ),
    "index_put_fn": lambda m: m.index_put(m.zeros(3), [m.tensor([2, 0])], m.tensor([1.0, 2.0])),
    "one_hot": lambda m: m.nn.functional.one_hot(m.tensor([0, 2, 1])),
    "one_hot_classes": lambda m: m.nn.functional.one_hot(m.tensor([[0], [2]]), num_classes=4),
    "one_hot_0d": lambda m: m.nn.functional.one_hot(m.tensor(2)),
    "one_hot_empty": lambda m: m.nn.functional.one_hot(m.zeros(0, dtype=m.int64), 3),
    "one_hot_noncontiguous": lambda m: m.nn.functional.one_hot(pattern(m, (3, 4), 3).t()),
    "embedding_int32": lambda m: m.nn.functional.embedding(
        m.tensor([[1, 0], [3, 3]], dtype=m.int32), ints(m, (4, 2)).float()
    ),
    "embedding_0d": lambda m: m.nn.functional.embedding(m.tensor(1), ints(m, (4, 2)).float()),
    "embedding_fn": lambda m: m.embedding(ints(m, (4, 2)).float(), m.tensor([1, 1])),
    "pad_int_value": lambda m: m.nn.functional.pad(m.tensor([1, 2]), (1, 1), value=3.5),
    "pad_bool": lambda m: m.nn.functional.pad(bools(m), (0, 1, 1, 0), value=True),
    "pad_no_dims": lambda m: m.nn.functional.pad(m.tensor(1.0), ()),
    "pad_list_with_tensor": lambda m: m.nn.functional.pad(ints(m), [1, m.tensor(1)]),
    "pad_empty_input": lambda m: m.nn.functional.pad(m.zeros(2, 0), (1, 2)),
    "pad_mode_constant": lambda m: m.nn.functional.pad(ints(m), (1, 1), "constant", 2),
    "pad_reflect_int": lambda m: m.nn.functional.pad(ints(m, (1, 3, 4)), (2, 3), mode="reflect"),
    "pad_reflect_neg": lambda m: m.nn.functional.pad(ints(m, (2, 3, 4)), (-1, 1), mode="reflect"),
    "pad_reflect_value_0": lambda m: m.nn.functional.pad(
        ints(m, (1, 3, 4)), (1, 1), mode="reflect", value=0
    ),
    "pad_replicate_batch0": lambda m: m.nn.functional.pad(
        m.zeros(0, 2, 3), (1, 1), mode="replicate"
    ),
    "pad_replicate_int_2d": lambda m: m.nn.functional.pad(
        ints(m, (1, 3, 4)), (2, 0, 1, 3), mode="replicate"
    ),
    "constant_pad_nd": lambda m: m.constant_pad_nd(ints(m), (1, -1), 9),
}


@pytest.mark.parametrize("fn", VALUE_CASES.values(), ids=VALUE_CASES.keys())
def test_values_match_torch(fn):
    check(fn, torch_raises=False)


# ---- indexing ----------------------------------------------------------------

GET_INDICES = {
    "list": [0, 2],
    "list_neg": [-1, 0, -3],
    "list_dup": [1, 1, 1],
    "tuple_of_lists": ([0, 2], [1, 3]),
    "slice_list": (slice(1, None), [0, 0, 3]),
    "list_slice": ([2, 1], slice(None, None, 2)),
    "int_list": (1, [3, 0]),
    "list_int_sep": ([0, 1], 2),
    "ellipsis_list": (Ellipsis, [1, 0]),
    "none_list": (None, [1, 0]),
    "list_none": ([1, 0], None),
    "mask": "mask",
    "mask_rows": [True, False, True],
    "mask_and_list": ("rows", [0, 3]),
    "bool_true": True,
    "bool_false": False,
    "bool_true_mid": (slice(None), True),
    "tensor_2d": "idx2d",
    "tensor_0d_int": "idx0d",
    "tensor_int32": "idx32",
    "numpy_array": "np",
    "numpy_bool": "npmask",
    "numpy_int": "npint",
    "empty_list": [],
    "float_list": [0.7, 1.2],
    "mixed_list": [0, True],
    "legacy_nested_list": [[0, 1], [2, 3]],
    "legacy_list_with_slice": [slice(None), 0],
    "tensor_list": "tlist",
    "range": "range",
    "two_ellipses": (Ellipsis, Ellipsis),
    "ellipses_around_int": (Ellipsis, 1, Ellipsis),
}


def _resolve(m, key):
    special = {
        "mask": lambda: m.tensor(np.arange(12).reshape(3, 4) % 2 == 0),
        "rows": lambda: m.tensor([True, False, True]),
        "idx2d": lambda: m.tensor([[0, 1], [2, 0]]),
        "idx0d": lambda: m.tensor(1),
        "idx32": lambda: m.tensor([2, 0], dtype=m.int32),
        "np": lambda: np.array([2, 0]),
        "npmask": lambda: np.array([True, False, False]),
        "npint": lambda: np.int64(2),
        "tlist": lambda: [m.tensor([1]), m.tensor([2])],
        "range": lambda: range(1, 3),
    }
    if isinstance(key, str):
        return special[key]()
    if isinstance(key, tuple):
        return tuple(_resolve(m, k) for k in key)
    return key


@pytest.mark.parametrize("key", GET_INDICES.values(), ids=GET_INDICES.keys())
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_getitem_matches_torch(key, dtype):
    def get(m):
        x = ints(m) if dtype != "bool" else bools(m)
        if dtype == "float32":
            x = x.float()
        return x[_resolve(m, key)]

    check(get, torch_raises=False)


SET_CASES = {
    "list_number": ([0, 2], 7),
    "list_tensor_bcast": ([0, 2], "row"),
    "tuple_lists": (([0, 2], [1, 3]), "pair"),
    "mask_number": ("mask", -1),
    "mask_values": ("mask", "six"),
    "slice_list": ((slice(1, None), [0, 3]), 5),
    "int_list": ((1, [0, 3]), "pair"),
    "ellipsis_list": ((Ellipsis, [1, 2]), "col"),
    "bool_true": (True, 4),
    "none": (None, 2),
    "basic_tensor": ((1, slice(None, 2)), "pair"),
    "basic_number": ((slice(None), 0), 3),
    "all": ((Ellipsis,), 1),
    "dup_indices": ([1, 1], "twos"),
}


def _value(m, key, dtype):
    values = {
        "row": lambda: m.arange(4),
        "pair": lambda: m.tensor([10, 20]),
        "six": lambda: m.arange(6) * 10,
        "col": lambda: m.tensor([[1, 2, 3]]).t().expand(3, 2),  # stride 0 along dim 1
        "twos": lambda: m.tensor([[1, 1, 1, 1], [2, 2, 2, 2]]),
    }
    if isinstance(key, str):
        return values[key]().to(dtype)
    return key


@pytest.mark.parametrize("index,value", SET_CASES.values(), ids=SET_CASES.keys())
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_setitem_matches_torch(index, value, dtype):
    def put(m):
        dt = getattr(m, dtype)
        x = ints(m).to(dt)
        x[_resolve(m, index)] = _value(m, value, dt)
        return x

    check(put, torch_raises=False)


def test_setitem_casts_numbers_and_basic_tensors():
    def put(m):
        x = m.zeros(3, dtype=m.int64)
        x[[0]] = 2.7
        x[1] = m.tensor(5.9)
        b = m.zeros(3, dtype=m.bool)
        b[[2]] = 1
        return x, b

    check(put)


INDEX_ERRORS = {
    "out_of_range": lambda m: ints(m)[[0, 3]],
    "out_of_range_neg": lambda m: ints(m)[[-4]],
    "out_of_range_second": lambda m: ints(m, (2, 3, 4))[:, [0, 1], [1, 4]],
    "out_of_range_after_slice": lambda m: ints(m, (2, 3, 4))[1:, :, [5, 1]],
    "out_of_range_int": lambda m: ints(m)[:, 7],
    "out_of_range_0d_tensor": lambda m: ints(m)[m.tensor(7)],
    "float_tensor": lambda m: ints(m)[m.tensor([0.0, 1.0])],
    "mask_shape": lambda m: ints(m)[m.ones(4, dtype=m.bool)],
    "mask_shape_mid": lambda m: ints(m, (5, 2, 3, 4))[:, m.ones(2, 2, dtype=m.bool)],
    "too_many": lambda m: ints(m)[0, 0, 0],
    "too_many_lists": lambda m: ints(m)[[0], [0], [0]],
    "too_many_0d": lambda m: m.tensor(3.0)[[0]],
    "broadcast": lambda m: ints(m)[[0, 1], [0, 1, 0]],
    "str": lambda m: ints(m)["a"],
    "float": lambda m: ints(m)[1.5],
    "set_dtype": lambda m: m.zeros(3).__setitem__([0], m.tensor([7])),
    "set_shape": lambda m: m.zeros(3, 2).__setitem__([0, 1], m.ones(3)),
    "set_list_value": lambda m: m.zeros(3).__setitem__([0, 1], [5, 6]),
    "set_numpy_value": lambda m: m.zeros(3).__setitem__([0, 1], np.array([5.0, 6.0])),
    "set_out_of_range": lambda m: m.zeros(3).__setitem__([0, 3], 1.0),
    "set_leaf": lambda m: m.zeros(3, requires_grad=True).__setitem__([0], 1.0),
    "index_put_float_index": lambda m: m.zeros(3).index_put((m.tensor([0.0]),), m.tensor(1.0)),
    "index_put_dtype": lambda m: m.zeros(3).index_put((m.tensor([0]),), m.tensor(1), True),
}


@pytest.mark.parametrize("fn", INDEX_ERRORS.values(), ids=INDEX_ERRORS.keys())
def test_indexing_errors_match_torch(fn):
    check(fn, torch_raises=True)


def test_legacy_sequence_index_warns():
    x = ag.zeros(3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence for multidimensional"):
        y = x[[[0, 1], [2, 3]]]
    assert y.shape == (2,)


def test_ellipses_past_the_last_dim_raise():
    x = ag.zeros(2, 3, 4)
    with pytest.raises(IndexError, match="out of bounds"):
        x[0, ..., ..., 1]
    with pytest.raises(IndexError, match="too many indices"):
        x[..., ..., :, :, :, :]


def test_empty_result_skips_bounds_checks():
    check(lambda m: m.zeros(0, 3)[:, [5]])


# ---- errors --------------------------------------------------------------------

ERRORS = {
    "cat_empty_list": lambda m: m.cat([]),
    "cat_0d": lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]),
    "cat_sizes": lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 4)]),
    "cat_sizes_empty": lambda m: m.cat([m.zeros(2, 3), m.zeros(0, 4)]),
    "cat_rank": lambda m: m.cat([m.zeros(2, 3), m.zeros(3)]),
    "cat_dim": lambda m: m.cat([m.zeros(2, 3), m.zeros(2, 3)], 2),
    "cat_dim_with_empty": lambda m: m.cat([m.zeros(0), m.zeros(2, 3)], 5),
    "cat_not_tensor": lambda m: m.cat([m.zeros(2), 3]),
    "stack_empty": lambda m: m.stack([]),
    "stack_sizes": lambda m: m.stack([m.zeros(2, 3), m.zeros(4, 3)]),
    "stack_dim": lambda m: m.stack([m.zeros(2), m.zeros(2)], 2),
    "split_zero": lambda m: m.zeros(5).split(0),
    "split_negative": lambda m: m.zeros(5).split(-1),
    "split_0d": lambda m: m.tensor(1.0).split(1),
    "split_sizes_sum": lambda m: m.zeros(5, 3).split([2, 2]),
    "split_sizes_negative": lambda m: m.zeros(5, 3).split([6, -1]),
    "split_0d_by_float_tensor": lambda m: m.tensor(0.0).split(m.tensor(0.0)),
    "split_nan_tensor_size": lambda m: m.zeros(5).split(m.tensor(float("nan"))),
    "split_inf_tensor_size": lambda m: m.zeros(5).split(m.tensor(float("inf"))),
    "split_many_element_tensor_size": lambda m: m.zeros(5).split(m.tensor([2, 3])),
    "chunk_zero": lambda m: m.zeros(5).chunk(0),
    "chunk_0d": lambda m: m.tensor(1.0).chunk(2),
    "unbind_0d": lambda m: m.tensor(1.0).unbind(),
    "narrow_overflow": lambda m: m.zeros(5).narrow(0, 3, 3),
    "narrow_start": lambda m: m.zeros(5).narrow(0, 6, 0),
    "narrow_start_neg": lambda m: m.zeros(5).narrow(0, -6, 0),
    "narrow_length": lambda m: m.zeros(5).narrow(0, 1, -1),
    "narrow_0d": lambda m: m.tensor(1.0).narrow(0, 0, 1),
    "movedim_length": lambda m: m.zeros(2, 3, 4).movedim((0, 1), (2,)),
    "movedim_repeated_source": lambda m: m.zeros(2, 3, 4).movedim((0, 0), (2, 1)),
    "movedim_repeated_destination": lambda m: m.zeros(2, 3, 4).movedim((0, 1), (2, 2)),
    "movedim_range": lambda m: m.zeros(2, 3, 4).movedim(3, 0),
    "flip_repeated": lambda m: m.zeros(2, 3).flip([0, 0]),
    "flip_fn_int": lambda m: m.flip(m.zeros(2, 3), 1),
    "repeat_few": lambda m: m.zeros(2, 3).repeat(2),
    "repeat_negative": lambda m: m.zeros(2, 3).repeat(2, -1),
    "roll_align": lambda m: m.zeros(2, 3).roll((1, 2), (0,)),
    "roll_no_dims": lambda m: m.zeros(2, 3).roll((1, 2)),
    "roll_required": lambda m: m.zeros(2, 3).roll((), ()),
    "roll_0d_dim": lambda m: m.tensor(1.0).roll(1, 0),
    "tril_1d": lambda m: m.zeros(3).tril(),
    "triu_1d": lambda m: m.zeros(3).triu(),
    "gather_oob": lambda m: m.zeros(3, 4).gather(1, m.tensor([[0, 4]])),
    "gather_negative": lambda m: m.zeros(3, 4).gather(1, m.tensor([[0, -1]])),
    "gather_float_index": lambda m: m.zeros(3, 4).gather(1, m.tensor([[0.0]])),
    "gather_rank": lambda m: m.zeros(3, 4).gather(1, m.tensor([0, 1])),
    "gather_size": lambda m: m.zeros(3, 4).gather(1, m.zeros(4, 2, dtype=m.int64)),
    "scatter_add_dtype": lambda m: m.zeros(3, 5).scatter_add(
        1, m.tensor([[0]]), m.ones(1, 1, dtype=m.float64)
    ),
    "scatter_add_oob": lambda m: m.zeros(3, 5).scatter_add(1, m.tensor([[5]]), m.ones(3, 2)),
    "scatter_add_negative": lambda m: m.zeros(3, 5).scatter_add(1, m.tensor([[-1]]), m.ones(3, 2)),
    "scatter_add_src_small": lambda m: m.zeros(3, 5).scatter_add(
        1, m.zeros(3, 2, dtype=m.int64), m.ones(3, 1)
    ),
    "scatter_add_rank": lambda m: m.zeros(3, 2).scatter_add(0, m.tensor([0]), m.ones(3, 2)),
    "scatter_float_index": lambda m: m.zeros(3).scatter(0, m.tensor([0.0]), 1.0),
    "scatter_value_oob": lambda m: m.zeros(3).scatter(0, m.tensor([3]), 1.0),
    "index_select_2d": lambda m: m.zeros(3, 4).index_select(1, m.tensor([[2]])),
    "index_select_float": lambda m: m.zeros(3, 4).index_select(1, m.tensor([2.0])),
    "index_select_oob": lambda m: m.arange(4).index_select(0, m.tensor([4])),
    "index_select_negative": lambda m: m.zeros(2, 4).double().index_select(1, m.tensor([-1])),
    "index_select_scalar_oob": lambda m: m.tensor(3.0).index_select(0, m.tensor([1])),
    "index_select_scalar_two": lambda m: m.tensor(3.0).index_select(0, m.tensor([0, 0])),
    "one_hot_int32": lambda m: m.nn.functional.one_hot(m.tensor([0, 2], dtype=m.int32)),
    "one_hot_float": lambda m: m.nn.functional.one_hot(m.tensor([0.0])),
    "one_hot_negative": lambda m: m.nn.functional.one_hot(m.tensor([0, -1])),
    "one_hot_too_big": lambda m: m.nn.functional.one_hot(m.tensor([0, 3]), 3),
    "one_hot_empty": lambda m: m.nn.functional.one_hot(m.zeros(0, dtype=m.int64)),
    "one_hot_zero_classes": lambda m: m.nn.functional.one_hot(m.tensor([0]), 0),
    "embedding_padding_range": lambda m: m.nn.functional.embedding(
        m.tensor([1]), m.zeros(5, 3), padding_idx=5
    ),
    "embedding_padding_range_neg": lambda m: m.nn.functional.embedding(
        m.tensor([1]), m.zeros(5, 3), padding_idx=-6
    ),
    "embedding_oob": lambda m: m.nn.functional.embedding(m.tensor([5]), m.zeros(5, 3)),
    "embedding_negative": lambda m: m.nn.functional.embedding(m.tensor([-1]), m.zeros(5, 3)),
    "embedding_float": lambda m: m.nn.functional.embedding(m.tensor([1.0]), m.zeros(5, 3)),
    "embedding_1d_weight": lambda m: m.nn.functional.embedding(m.tensor([1]), m.zeros(5)),
    "pad_odd": lambda m: m.nn.functional.pad(m.zeros(2, 3), (1, 2, 3)),
    "pad_too_long": lambda m: m.nn.functional.pad(m.zeros(2, 3), (1, 1, 1, 1, 1, 1)),
    "pad_crop_too_much": lambda m: m.nn.functional.pad(m.zeros(2, 4), (-3, -2)),
    "pad_reflect_1d_input": lambda m: m.nn.functional.pad(m.zeros(3), (1, 1), mode="reflect"),
    "pad_reflect_4d_input": lambda m: m.nn.functional.pad(
        m.zeros(1, 2, 3, 4), (1, 1), mode="reflect"
    ),
    "pad_replicate_2d_input": lambda m: m.nn.functional.pad(
        m.zeros(3, 4), (1, 1, 1, 1), mode="replicate"
    ),
    "pad_reflect_too_big": lambda m: m.nn.functional.pad(m.zeros(2, 3), (3, 3), mode="reflect"),
    "pad_reflect_2d_too_big": lambda m: m.nn.functional.pad(
        m.zeros(1, 3, 4), (1, 1, 3, 3), mode="reflect"
    ),
    "pad_reflect_3d_too_big": lambda m: m.nn.functional.pad(
        m.zeros(1, 2, 3, 4), (1, 1, 1, 1, 2, 2), mode="reflect"
    ),
    "pad_reflect_empty": lambda m: m.nn.functional.pad(m.zeros(2, 0), (1, 1), mode="reflect"),
    "pad_replicate_empty_channels": lambda m: m.nn.functional.pad(
        m.zeros(0, 4), (1, 1), mode="replicate"
    ),
    "pad_replicate_2d_empty": lambda m: m.nn.functional.pad(
        m.zeros(2, 0, 3), (1, 1, 1, 1), mode="replicate"
    ),
    "pad_reflect_crop_too_much": lambda m: m.nn.functional.pad(
        m.zeros(2, 4), (-2, -2), mode="reflect"
    ),
    "pad_replicate_crop_too_much": lambda m: m.nn.functional.pad(
        m.zeros(2, 4), (-3, -3), mode="replicate"
    ),
    "pad_replicate_2d_crop_too_much": lambda m: m.nn.functional.pad(
        m.zeros(1, 3, 4), (0, 0, -2, -2), mode="replicate"
    ),
    "pad_reflect_bool": lambda m: m.nn.functional.pad(
        m.ones(2, 4, dtype=m.bool), (1, 1), mode="reflect"
    ),
    "pad_replicate_bool": lambda m: m.nn.functional.pad(
        m.ones(2, 4, dtype=m.bool), (1, 1), mode="replicate"
    ),
    "pad_value_with_reflect": lambda m: m.nn.functional.pad(
        m.zeros(1, 2, 3), (1, 1), mode="reflect", value=1.0
    ),
    "pad_unknown_mode": lambda m: m.nn.functional.pad(m.zeros(1, 2, 3), (1, 1), mode="foo"),
}


@pytest.mark.parametrize("fn", ERRORS.values(), ids=ERRORS.keys())
def test_errors_match_torch(fn):
    check(fn, torch_raises=True)


# ---- autograd details ----------------------------------------------------------


def _names(lib, fn):
    x = lib.randn(3, 4, requires_grad=True)
    y = fn(lib, x)
    g = y.grad_fn
    return g.name(), [None if f is None else f.name() for f, _ in g.next_functions]


GRAD_FN_CASES = {
    "set_all_number": lambda m, x: _assign(x * 1, Ellipsis, 1.0),
    "set_full_slice_number": lambda m, x: _assign(x * 1, slice(None), 1.0),
    "set_empty_tuple_number": lambda m, x: _assign(x * 1, (), 1.0),
    "set_row_number": lambda m, x: _assign(x * 1, 0, 1.0),
    "set_none_number": lambda m, x: _assign(x * 1, None, 1.0),
    "set_full_slice_tensor": lambda m, x: _assign(x * 1, slice(None), m.ones(3, 4)),
    "set_partial_slice_number": lambda m, x: _assign(x * 1, slice(0, 3), 1.0),
    "set_list_number": lambda m, x: _assign(x * 1, [0, 1], 2.0),
    "set_mask_number": lambda m, x: _assign(x * 1, x > 0, 0.0),
    "set_slice_list": lambda m, x: _assign(x * 1, (slice(1, None), [0, 1]), 0.0),
    "set_list_tensor": lambda m, x: _assign(x * 1, [0, 1], x[0] * 2),
    "get_slice": lambda m, x: x[:],
    "get_full_slices": lambda m, x: x[:, :],
    "get_full_then_partial": lambda m, x: x[:, 1:],
    "get_full_then_list": lambda m, x: x[:, [0]],
    "get_partial_then_list": lambda m, x: x[1:, [0]],
    "get_0d_tensor": lambda m, x: x[m.tensor(1)],
    "get_bool": lambda m, x: x[True],
    "index_put_out_of_place": lambda m, x: m.index_put(x, (m.tensor([0]),), x[1], True),
}


def _assign(y, index, value):
    y[index] = value
    return y


@pytest.mark.parametrize("fn", GRAD_FN_CASES.values(), ids=GRAD_FN_CASES.keys())
def test_grad_fn_structure_matches_torch(fn):
    assert _names(ag, fn) == _names(torch, fn)


SAVED = {
    "cat": (lambda m, x: m.cat([x, x], 1), ["dim"]),
    "stack": (lambda m, x: m.stack([x, x], 1), ["dim"]),
    "split": (lambda m, x: x.split(2)[0], ["dim", "self_sym_sizes", "split_size"]),
    "split_sizes": (lambda m, x: x.split([1, 2])[0], ["dim", "self_sym_sizes", "split_sizes"]),
    "unbind": (lambda m, x: x.unbind(1)[0], ["dim"]),
    "flip": (lambda m, x: x.flip(1), ["dims"]),
    "repeat": (lambda m, x: x.repeat(2, 1, 1), ["repeats", "self_sym_sizes"]),
    "roll": (lambda m, x: x.roll((1, 2), (0, 1)), ["dims", "shifts"]),
    "roll_flat": (lambda m, x: x.roll(1), ["dims", "shifts"]),
    "narrow": (lambda m, x: x.narrow(1, 1, 2), ["dim", "end", "start", "step"]),
    "tril": (lambda m, x: x.tril(1), ["diagonal"]),
    "gather": (lambda m, x: x.gather(1, m.tensor([[0], [1], [2]])), ["dim", "index"]),
    "scatter_add": (
        lambda m, x: x.scatter_add(1, m.tensor([[0], [1], [2]]), x[:, :1]),
        ["dim", "index"],
    ),
    "index_select": (
        lambda m, x: x.index_select(1, m.tensor([0, 3])),
        ["dim", "index", "self_sym_sizes"],
    ),
    "index": (lambda m, x: x[[0, 2]], ["self_sym_sizes"]),
    "index_put": (lambda m, x: m.index_put(x, (m.tensor([0]),), x[1], True), ["accumulate"]),
    "embedding": (
        lambda m, x: m.nn.functional.embedding(m.tensor([1, 2]), x, padding_idx=1),
        ["indices", "padding_idx", "scale_grad_by_freq", "sparse", "weight_sym_argsize_0"],
    ),
    "pad": (lambda m, x: m.nn.functional.pad(x, (1, 2)), ["pad"]),
    "reflect": (lambda m, x: m.nn.functional.pad(x, (1, 2), mode="reflect"), ["padding"]),
}


@pytest.mark.parametrize("fn,names", SAVED.values(), ids=SAVED.keys())
def test_saved_values_match_torch(fn, names):
    def saved(lib):
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        g = fn(lib, x).grad_fn
        out = []
        for n in names:
            v = getattr(g, "_saved_" + n)
            out.append(tuple(_np(v).tolist()) if hasattr(v, "shape") else v)
        return out

    assert saved(ag) == saved(torch)


def test_split_outputs_are_views_sharing_storage():
    x = ag.arange(6.0)
    a, b = x.split(3)
    assert b.data_ptr() == x.data_ptr() + 3 * 4
    x[4] = 40.0
    assert b[1].item() == 40.0
    assert [t.data_ptr() for t in x.unbind()] == [x.data_ptr() + 4 * i for i in range(6)]


def test_multi_output_grads_sum_into_input():
    def grads(lib):
        x = lib.arange(6.0).requires_grad_()
        a, b, c = x.chunk(3)
        (a * 2).sum().backward(retain_graph=True)
        (c * 3).sum().backward()
        return x.grad

    assert_same(grads(ag), grads(torch))


def test_getitem_gradient_accumulates_duplicates():
    x = ag.arange(4.0, requires_grad=True)
    x[[1, 1, 3, 1]].sum().backward()
    assert x.grad.tolist() == [0.0, 3.0, 0.0, 1.0]


def test_setitem_through_view_with_list_is_differentiable():
    def run(lib):
        x = lib.arange(12.0).reshape(3, 4).requires_grad_()
        v = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 1
        y[1:, [0, 3]] = v * 3
        (y * lib.arange(12.0).reshape(3, 4)).sum().backward()
        return y.grad_fn.name(), x.grad, v.grad

    ours, theirs = run(ag), run(torch)
    assert ours[0] == theirs[0]
    assert_same(ours[1], theirs[1])
    assert_same(ours[2], theirs[2])


def test_index_put_bumps_version_and_saved_index_is_checked():
    x = ag.zeros(3)
    v = x._version
    x[[0]] = 1.0
    assert x._version == v + 1
    w = ag.ones(4, requires_grad=True)
    idx = ag.tensor([0, 2])
    y = w.gather(0, idx)
    idx[0] = 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_scatter_add_src_larger_than_index_gets_padded_gradient():
    # PyTorch raises here ("invalid gradient"); we give the gradient of the
    # elements that were used, zeros elsewhere.
    src = ag.ones(2, 3, requires_grad=True)
    out = ag.zeros(2, 4).scatter_add(1, ag.tensor([[0, 1], [3, 3]]), src)
    (out * ag.arange(8.0).reshape(2, 4)).sum().backward()
    assert src.grad.tolist() == [[0.0, 1.0, 0.0], [7.0, 7.0, 0.0]]


def test_embedding_scale_grad_by_freq_and_padding_match_torch():
    def grads(lib):
        w = lib.arange(15.0).reshape(5, 3).requires_grad_()
        idx = lib.tensor([[0, 2], [2, 2], [4, 1]])
        out = lib.nn.functional.embedding(idx, w, padding_idx=1, scale_grad_by_freq=True)
        (out * lib.arange(18.0).reshape(3, 2, 3)).sum().backward()
        return w.grad

    assert_same(grads(ag), grads(torch))


def test_embedding_max_norm_renormalizes_rows_in_place():
    def run(lib):
        w = lib.arange(15.0).reshape(5, 3) - 7
        out = lib.nn.functional.embedding(lib.tensor([[1, 1], [4, 2]]), w, max_norm=2.0)
        return out, w

    ours, theirs = run(ag), run(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)


def test_large_inputs_match_torch():
    # Past the parallel grain size, chunks run on several threads.
    def run(lib):
        x = lib.tensor(np.arange(200_000, dtype=np.float32).reshape(400, 500))
        idx = lib.tensor(np.random.default_rng(0).integers(0, 400, size=(600, 500)))
        mask = lib.tensor(np.arange(200_000).reshape(400, 500) % 7 == 0)
        return (
            x.gather(0, idx),
            x[idx[:, 0]],
            x[mask],
            x.flip(1),
            x.roll(3, 0),
            x.tril(2),
            lib.cat([x, x], 1),
            lib.zeros(400, 500).scatter_add(0, idx[:400], x),
            lib.zeros(400, 500).index_put((idx[:, 0],), x[: 600 // 2].repeat(2, 1), True),
        )

    ours, theirs = run(ag), run(torch)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("diagonal", [-1, 0, 2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "batched"])
def test_tril_triu_in_place_match_torch(upper, diagonal, dtype, layout):
    shape = (2, 3, 4) if layout == "batched" else (3, 4)
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    g = (
        np.random.default_rng(6)
        .standard_normal((4, 3) if layout == "transposed" else shape)
        .astype(dtype)
    )

    def run(m):
        leaf = m.tensor(x, requires_grad=True)
        a = (leaf * 1).t() if layout == "transposed" else leaf * 1
        out = a.triu_(diagonal) if upper else a.tril_(diagonal)
        assert out is a
        out.backward(m.tensor(g))
        return out.detach().numpy(), leaf.grad.numpy(), out.grad_fn.name()

    ours, theirs = run(ag), run(torch)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-6)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-6)
    assert ours[2] == theirs[2]


@requires_torch
def test_tril_triu_in_place_gradcheck_and_errors():
    x = ag.tensor(np.random.default_rng(7).standard_normal((3, 3)), requires_grad=True)
    assert ag.autograd.gradcheck(lambda t: (t * 1).tril_(-1), (x,))
    assert ag.autograd.gradcheck(lambda t: (t * 1).triu_(1), (x,))
    ints = ag.arange(9).reshape(3, 3)
    assert ints.tril_().tolist() == torch.arange(9).reshape(3, 3).tril_().tolist()
    with pytest.raises(RuntimeError):
        ag.ones(3, requires_grad=True).tril_()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        ag.ones(2, 2, requires_grad=True).triu_()
