"""nn.Parameter: a tensor a Module registers as one of its weights."""

from .. import _C
from .._tensor_str import format_tensor


class Parameter(_C.Tensor):
    """A leaf tensor that shares ``data``'s memory, requires grad by default,
    and is registered as a parameter when assigned to a Module attribute."""

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = _C.empty(0)
        super().__init__(data)
        self.requires_grad_(requires_grad)

    def __repr__(self):
        return format_tensor(
            self._numpy_view(),
            str(self.dtype).removeprefix("torch."),
            requires_grad=self.requires_grad,
            prefix="Parameter containing:\ntensor(",
        )

    __str__ = __repr__

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.detach().clone(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = result
        return result
