"""Functional forms of layers, activations and losses."""

from .. import _C

relu = _C.relu
sigmoid = _C.sigmoid
tanh = _C.tanh
binary_cross_entropy_with_logits = _C.binary_cross_entropy_with_logits
