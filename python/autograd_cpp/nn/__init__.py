"""Neural-network building blocks: Module, Parameter, layers, losses, init."""

from . import attention, common_types, functional, init, modules, parallel, utils
from .modules import *  # noqa: F403

# Each family again by name: type checkers do not follow modules.__all__'s
# concatenation, but do follow these.
from .modules.activation import *  # noqa: F403
from .modules.batchnorm import *  # noqa: F403
from .modules.channelshuffle import *  # noqa: F403
from .modules.container import *  # noqa: F403
from .modules.conv import *  # noqa: F403
from .modules.distance import *  # noqa: F403
from .modules.dropout import *  # noqa: F403
from .modules.flatten import *  # noqa: F403
from .modules.fold import *  # noqa: F403
from .modules.instancenorm import *  # noqa: F403
from .modules.lazy import *  # noqa: F403
from .modules.linear import *  # noqa: F403
from .modules.loss import *  # noqa: F403
from .modules.normalization import *  # noqa: F403
from .modules.padding import *  # noqa: F403
from .modules.pixelshuffle import *  # noqa: F403
from .modules.pooling import *  # noqa: F403
from .modules.rnn import *  # noqa: F403
from .modules.sparse import *  # noqa: F403
from .modules.transformer import *  # noqa: F403
from .modules.upsampling import *  # noqa: F403
from .parallel import DataParallel
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter

__all__ = ["Buffer", "DataParallel", "Parameter", "common_types", "functional", "init"]
__all__ += ["UninitializedBuffer", "UninitializedParameter"]
__all__ += ["attention", "factory_kwargs", "parallel", "utils"]
__all__ += modules.__all__


def factory_kwargs(kwargs: dict[str, object] | None) -> dict[str, object]:
    """The device/dtype/memory_format keyword arguments of kwargs, checked,
    for passing on to tensor factories (a "factory_kwargs" entry may give
    them explicitly)."""
    if kwargs is None:
        return {}
    simple = {"device", "dtype", "memory_format"}
    unexpected = kwargs.keys() - simple - {"factory_kwargs"}
    if unexpected:
        raise TypeError(f"unexpected kwargs {unexpected}")
    result = {k: v for k, v in kwargs.items() if k in simple}
    explicit = kwargs.get("factory_kwargs")
    if isinstance(explicit, dict):
        for key, value in explicit.items():
            if key in result:
                raise TypeError(f"{key} specified twice, in **kwargs and in factory_kwargs")
            result[key] = value
    return result
