"""Inspecting and customising the backward graph."""

from .. import _C

__all__ = ["Node", "saved_tensors_hooks", "disable_saved_tensors_hooks"]

Node = _C.Node


class saved_tensors_hooks:
    """Inside this context, each tensor an op saves for backward goes through
    ``pack_hook(tensor) -> object``, and comes back through
    ``unpack_hook(object) -> tensor`` when backward needs it::

        with saved_tensors_hooks(lambda t: t.numpy().copy(), torch.from_numpy):
            y = x.exp()   # saves exp(x) as a numpy array
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _C._push_saved_tensors_hooks(self.pack_hook, self.unpack_hook)
        return self

    def __exit__(self, *exc):
        _C._pop_saved_tensors_hooks()
        return False


class disable_saved_tensors_hooks:
    """Errors if saved-tensor hooks are used inside (the hooks are meant to be
    off there)."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        message = self.error_message

        def refuse(_):
            raise RuntimeError(message)

        _C._push_saved_tensors_hooks(refuse, refuse)
        return self

    def __exit__(self, *exc):
        _C._pop_saved_tensors_hooks()
        return False
