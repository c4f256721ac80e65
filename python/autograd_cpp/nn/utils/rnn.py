"""Variable-length sequences for the recurrent layers: PackedSequence (the
steps of a batch of sequences sorted by length, stored time-major without
padding) and the conversions to and from padded tensors."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ... import _C

__all__ = [
    "PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
    "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence",
]  # fmt: skip


class _PackedSequenceBase(NamedTuple):
    data: _C.Tensor
    batch_sizes: _C.Tensor
    sorted_indices: _C.Tensor | None
    unsorted_indices: _C.Tensor | None


class PackedSequence(_PackedSequenceBase):
    """A batch of sequences of different lengths, packed: ``data`` holds
    step 0 of every sequence, then step 1 of those still running, and so on
    (sequences sorted longest first); ``batch_sizes[t]`` is how many run at
    step t. ``sorted_indices`` maps the sorted order back to the caller's
    batch order (None when it was already sorted)."""

    def __new__(
        cls,
        data: _C.Tensor | tuple[_C.Tensor, _C.Tensor],
        batch_sizes: _C.Tensor | None = None,
        sorted_indices: _C.Tensor | None = None,
        unsorted_indices: _C.Tensor | None = None,
    ) -> PackedSequence:
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not isinstance(data, (tuple, list)):
                raise TypeError("PackedSequence: expected (data, batch_sizes) or both arguments")
            data, batch_sizes = data[0], data[1]
        assert isinstance(data, _C.Tensor)
        if batch_sizes.dim() != 1:
            raise ValueError(
                f"batch_sizes should always be a 1D CPU int64 tensor, but got {batch_sizes.dim()}D"
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data: _C.Tensor) -> PackedSequence:
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._with_data(data)

    def cpu(self) -> PackedSequence:
        return self

    def double(self) -> PackedSequence:
        return self.to(_C.float64)

    def float(self) -> PackedSequence:
        return self.to(_C.float32)

    def detach(self) -> PackedSequence:
        return self._with_data(self.data.detach())

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: _C.Tensor | None) -> _C.Tensor | None:
    """The permutation that undoes ``permutation``."""
    if permutation is None:
        return None
    order = [int(i) for i in permutation.tolist()]
    inverse = [0] * len(order)
    for position, index in enumerate(order):
        inverse[index] = position
    return _C.tensor(inverse, dtype=_C.int64)


def _lengths_list(lengths: _C.Tensor | Sequence[int]) -> list[int]:
    if isinstance(lengths, _C.Tensor):
        return [int(v) for v in lengths.reshape(-1).tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(
    input: _C.Tensor,
    lengths: _C.Tensor | Sequence[int],
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    """Packs a padded (T, B, *) batch (or (B, T, *) when batch_first) whose
    sequence b has lengths[b] valid steps. With enforce_sorted=False the
    sequences may come in any order; they are sorted longest first and the
    order is recorded to be restored later."""
    lengths_ = _lengths_list(lengths)
    batch_dim = 0 if batch_first else 1
    sorted_indices = None
    if not enforce_sorted:
        order = sorted(range(len(lengths_)), key=lambda i: -lengths_[i])
        sorted_indices = _C.tensor(order, dtype=_C.int64)
        lengths_ = [lengths_[i] for i in order]
        input = input.index_select(batch_dim, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.size(0), input.size(1)
    if len(lengths_) != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths_)} "
            f"(batch_size={batch})"
        )
    if any(n <= 0 for n in lengths_):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            "'lengths' that is <= 0"
        )
    if any(a < b for a, b in zip(lengths_, lengths_[1:])):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
            "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
            "to sidestep this requirement if you do not need ONNX exportability."
        )
    if lengths_[0] > steps:
        raise RuntimeError(
            f"pack_padded_sequence: a length of {lengths_[0]} exceeds the {steps} steps of the "
            "input"
        )
    batch_sizes = [sum(1 for n in lengths_ if n > t) for t in range(lengths_[0])]
    # Rows of the (T * B, *) view, step by step: one gather for the whole batch.
    rows = [t * batch + b for t, size in enumerate(batch_sizes) for b in range(size)]
    flat = input.reshape((steps * batch,) + tuple(input.shape[2:]))
    data = flat.index_select(0, _C.tensor(rows, dtype=_C.int64))
    return PackedSequence(data, _C.tensor(batch_sizes, dtype=_C.int64), sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[_C.Tensor, _C.Tensor]:
    """The padded (T, B, *) tensor (or (B, T, *)) of a PackedSequence, and
    the length of each sequence, in the caller's original batch order."""
    data = sequence.data
    batch_sizes = [int(v) for v in sequence.batch_sizes.tolist()]
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {steps}"
            )
        steps = total_length
    batch = batch_sizes[0] if batch_sizes else 0
    lengths = [sum(1 for size in batch_sizes if size > b) for b in range(batch)]
    # Every (t, b) cell reads a row of data, or the padding row appended after it.
    pad_row = data.size(0)
    index = [pad_row] * (steps * batch)
    row = 0
    for t, size in enumerate(batch_sizes):
        for b in range(size):
            index[t * batch + b] = row
            row += 1
    feature = tuple(data.shape[1:])
    padding = _C.full((1,) + feature, padding_value, dtype=data.dtype)
    padded = _C.cat([data, padding]).index_select(0, _C.tensor(index, dtype=_C.int64))
    padded = padded.reshape((steps, batch) + feature)
    if batch_first:
        padded = padded.transpose(0, 1)
    lengths_t = _C.tensor(lengths, dtype=_C.int64)
    if sequence.unsorted_indices is not None:
        batch_dim = 0 if batch_first else 1
        padded = padded.index_select(batch_dim, sequence.unsorted_indices)
        lengths_t = lengths_t.index_select(0, sequence.unsorted_indices)
    return padded, lengths_t


def pad_sequence(
    sequences: _C.Tensor | Iterable[_C.Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> _C.Tensor:
    """Stacks sequences of shape (L_i, *) into one (T, B, *) tensor (or
    (B, T, *)), padding each to the longest on the right (or left)."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    items = list(sequences.unbind(0)) if isinstance(sequences, _C.Tensor) else list(sequences)
    if not items:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.size(0) for s in items)
    padded = []
    for s in items:
        missing = longest - s.size(0)
        if missing:
            pads = [0, 0] * (s.dim() - 1)
            pads += [missing, 0] if padding_side == "left" else [0, missing]
            s = _C.constant_pad_nd(s, pads, padding_value)
        padded.append(s)
    return _C.stack(padded, 0 if batch_first else 1)


def unpad_sequence(
    padded_sequences: _C.Tensor, lengths: _C.Tensor | Sequence[int], batch_first: bool = False
) -> list[_C.Tensor]:
    """The sequences of a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [
        seq.narrow(0, 0, n) for seq, n in zip(padded_sequences.unbind(0), _lengths_list(lengths))
    ]


def pack_sequence(sequences: Sequence[_C.Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Packs a list of (L_i, *) sequences (longest first unless enforce_sorted=False)."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list[_C.Tensor]:
    """The list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
