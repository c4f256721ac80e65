#include "autograd/forward_ad.h"

#include <atomic>
#include <cctype>
#include <mutex>
#include <vector>

#include "autograd/node.h"
#include "core/error.h"

namespace ag::forward_ad {

namespace {

// The open level: its generation tells a live tangent from one left over by
// an earlier level, and `dual` lists the tensors to clear when it exits.
struct LevelState {
  std::mutex mutex;
  bool open = false;
  uint64_t generation = 0;
  std::vector<std::weak_ptr<TensorImpl>> dual;
};

LevelState& state() {
  static LevelState s;
  return s;
}

std::atomic<bool> g_open{false};
std::atomic<uint64_t> g_generation{0};
thread_local int t_paused = 0;

}  // namespace

namespace detail {
thread_local uint64_t t_untracked_epoch = 0;

bool tangent_graph_needed_slow(const Tensor& out) {
  // An output without its node yet (a view op records it after the
  // tangent) is not known to be internal: its tangent keeps its graph.
  const uint64_t epoch = autograd::min_epoch(out);
  return epoch < t_untracked_epoch || epoch == Node::kNoEpoch;
}

bool level_open() {
  return g_open.load(std::memory_order_relaxed);
}
bool paused() {
  return t_paused > 0;
}
}  // namespace detail

void set_untracked_epoch(uint64_t epoch) {
  detail::t_untracked_epoch = epoch;
}
uint64_t untracked_epoch() {
  return detail::t_untracked_epoch;
}

int64_t enter_level() {
  LevelState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  AG_CHECK(!s.open, "Nested forward mode AD is not supported at the moment");
  s.open = true;
  g_generation.store(++s.generation);
  g_open.store(true);
  return 0;
}

void exit_level(int64_t level) {
  std::vector<std::weak_ptr<TensorImpl>> dual;
  {
    LevelState& s = state();
    std::lock_guard<std::mutex> lock(s.mutex);
    AG_CHECK(s.open && level == 0,
             "Trying to exit a forward AD level that was not the last one "
             "that was created. This is not supported.");
    s.open = false;
    g_open.store(false);
    dual.swap(s.dual);
  }
  // Outside the lock: dropping a tangent may free tensors (and their
  // tangents' graphs) that are themselves on the list.
  for (const auto& weak : dual) {
    if (auto impl = weak.lock()) {
      auto* m = static_cast<AutogradMeta*>(impl->autograd_meta());
      if (m) {
        Tensor dropped = std::move(m->fw_grad);
        m->fw_grad = Tensor();
        m->fw_aliases.clear();
      }
    }
  }
}

int64_t current_level() {
  return detail::level_open() ? 0 : -1;
}

Tensor tangent(const Tensor& t) {
  if (!t.defined() || !detail::level_open()) return {};
  const AutogradMeta* m = autograd::meta(t);
  if (!m || !m->fw_grad.defined() ||
      m->fw_generation != g_generation.load(std::memory_order_relaxed)) {
    return {};
  }
  return m->fw_grad;
}

namespace {
void set_one(LevelState& s, const std::shared_ptr<TensorImpl>& impl,
             AutogradMeta& m, const Tensor& tangent) {
  if (!tangent.defined()) {
    m.fw_grad = Tensor();
    return;
  }
  const bool had = m.fw_grad.defined() && m.fw_generation == s.generation;
  m.fw_grad = tangent;
  m.fw_generation = s.generation;
  if (!had) s.dual.push_back(impl);
}
}  // namespace

void set_tangent(const Tensor& t, const Tensor& tangent) {
  LevelState& s = state();
  AutogradMeta& m = autograd::materialize_meta(t);
  std::vector<Tensor> aliases;
  for (const auto& weak : m.fw_aliases) {
    if (auto impl = weak.lock()) aliases.emplace_back(std::move(impl));
  }
  for (const Tensor& a : aliases) autograd::materialize_meta(a);
  std::lock_guard<std::mutex> lock(s.mutex);
  AG_CHECK(s.open,
           "Trying to create a dual Tensor for forward AD but no level "
           "exists, make sure to enter_dual_level() first.");
  set_one(s, t.impl_ptr(), m, tangent);
  for (const Tensor& a : aliases) {
    set_one(s, a.impl_ptr(), *autograd::meta(a), tangent);
  }
}

void add_alias(const Tensor& t, const Tensor& alias) {
  autograd::materialize_meta(t).fw_aliases.push_back(alias.impl_ptr());
}

bool any_dual_list(const TensorList& ts) {
  if (!active()) return false;
  for (const Tensor& t : ts) {
    if (is_dual(t)) return true;
  }
  return false;
}

DisableGuard::DisableGuard() {
  ++t_paused;
}
DisableGuard::~DisableGuard() {
  --t_paused;
}

namespace {
// "MaxPool2DWithIndicesBackward0" -> "max_pool2d_with_indices".
std::string op_of_node(const std::string& node) {
  std::string base = node;
  const auto pos = base.rfind("Backward");
  if (pos != std::string::npos && pos > 0) base.resize(pos);
  std::string out;
  for (size_t i = 0; i < base.size(); ++i) {
    const char c = base[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) {
      const bool after_lower =
          std::islower(static_cast<unsigned char>(base[i - 1]));
      const bool before_lower =
          i + 1 < base.size() &&
          std::islower(static_cast<unsigned char>(base[i + 1])) &&
          !std::isdigit(static_cast<unsigned char>(base[i - 1]));
      if (after_lower || (before_lower && out.back() != '_')) out += '_';
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}
}  // namespace

void raise_no_rule(const std::string& node_name) {
  if (node_name.rfind("aten::", 0) == 0) {
    // An op whose derivative is not implemented at all: PyTorch's shorter
    // wording.
    throw NotImplementedError(
        ag::detail::str_cat("Trying to use forward AD with ", node_name,
                            " that does not support it."));
  }
  throw NotImplementedError(ag::detail::str_cat(
      "Trying to use forward AD with ", op_of_node(node_name),
      " that does not support it because it has not been implemented yet."));
}

}  // namespace ag::forward_ad
