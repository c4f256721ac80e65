import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))


@pytest.fixture(autouse=True)
def _restore_global_state():
    """Tests that change the default dtype, grad mode or print options must
    not leak the change into later tests."""
    import autograd_cpp as ag

    dtype = ag.get_default_dtype()
    grad_enabled = ag.is_grad_enabled()
    yield
    ag.set_default_dtype(dtype)
    ag._C._set_grad_enabled(grad_enabled)
    ag.set_printoptions(profile="default")
