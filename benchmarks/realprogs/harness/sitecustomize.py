"""Maps `torch` and `torch.*` imports to `autograd_cpp` and `autograd_cpp.*`
(measurement harness for real programs; not part of the library)."""

import importlib
import importlib.abc
import importlib.util
import sys


class _Redirect(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name, path, target=None):
        if name != "torch" and not name.startswith("torch."):
            return None
        real = "autograd_cpp" + name[len("torch") :]
        try:
            if importlib.util.find_spec(real) is None:
                return None
        except ModuleNotFoundError:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec):
        return importlib.import_module("autograd_cpp" + spec.name[len("torch") :])

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, _Redirect())
import autograd_cpp  # noqa: E402

autograd_cpp.set_num_threads(1)
