// Note [Tensors and the cycle collector]: Python objects held from C++ (a
// hook, a custom Function's ctx) often refer back to the tensor that owns
// them: `h.register_hook(lambda g: ... h ...)`, `ctx.out = y`, a parameter's
// post-accumulate hook closing over an optimizer that lists it. The
// collector only breaks cycles it can see, so the Tensor type reports what
// its C++ side owns. An edge is reported only while it is owned through this
// wrapper alone (every shared_ptr on the way has a single owner); otherwise
// the collector would discount a reference someone else still holds.

#include "autograd/autograd_meta.h"
#include "python/bindings.h"
#include "python/py_object_holder.h"

namespace ag::python {

namespace {

int visit_referrer(const void* owner, const PyReferrer* referrer,
                   visitproc visit, void* arg) {
  return owner && referrer ? referrer->traverse(visit, arg) : 0;
}

template <typename T>
int visit_sole(const std::shared_ptr<T>& p, visitproc visit, void* arg) {
  if (p.use_count() != 1) return 0;
  return visit_referrer(p.get(), dynamic_cast<const PyReferrer*>(p.get()),
                        visit, arg);
}

int visit_node(const std::shared_ptr<Node>& fn, visitproc visit, void* arg) {
  if (!fn || fn.use_count() != 1) return 0;
  if (const int r = visit_referrer(
          fn.get(), dynamic_cast<const PyReferrer*>(fn.get()), visit, arg))
    return r;
  for (const auto& pre : fn->pre_hooks()) {
    // A tensor hook's wrapper is the only owner of the hook it wraps.
    const auto* wrapped = dynamic_cast<const TensorPreHook*>(pre.get());
    const int r =
        wrapped && pre.use_count() == 1
            ? visit_referrer(wrapped,
                             dynamic_cast<const PyReferrer*>(wrapped->hook()),
                             visit, arg)
            : visit_sole(pre, visit, arg);
    if (r) return r;
  }
  for (const auto& post : fn->post_hooks()) {
    if (const int r = visit_sole(post, visit, arg)) return r;
  }
  return 0;
}

int tensor_traverse(PyObject* self, visitproc visit, void* arg) {
  // A heap type's instances own a reference to their type.
  Py_VISIT(Py_TYPE(self));
  // Read the holder from the instance's own fields: get_value_and_holder()
  // looks up the type's pybind11 type info, which for a Python subclass seen
  // for the first time is built while the new instance is half made -- and
  // building it allocates, which can run this very traversal (a crash found
  // when a collection hit the first nn.Parameter of a fresh subclass). An
  // instance without the simple layout (several pybind11 bases) or whose
  // holder is not built yet reports no edges.
  const auto* inst = reinterpret_cast<const py::detail::instance*>(self);
  if (!inst->simple_layout || !inst->simple_holder_constructed) return 0;
  const auto& impl = *reinterpret_cast<const std::shared_ptr<TensorImpl>*>(
      &inst->simple_value_holder[1]);
  if (!impl || impl.use_count() != 1) return 0;
  const auto* m = static_cast<const AutogradMeta*>(impl->autograd_meta());
  if (!m) return 0;
  for (const auto& hook : m->hooks) {
    if (const int r = visit_sole(hook, visit, arg)) return r;
  }
  for (const auto& hook : m->post_accumulate_hooks) {
    if (const int r = visit_sole(hook, visit, arg)) return r;
  }
  return visit_node(m->grad_fn, visit, arg);
}

}  // namespace

void setup_tensor_type(PyHeapTypeObject* heap_type) {
  PyTypeObject* type = &heap_type->ht_type;
  type->tp_flags |= Py_TPFLAGS_HAVE_GC;
  type->tp_traverse = &tensor_traverse;
}

}  // namespace ag::python
