#include "autograd/recorder.h"

#include <algorithm>

namespace ag {

namespace {
thread_local std::vector<NodeRecorder*> active_recorders;
}  // namespace

void NodeRecorder::start() {
  if (active_) return;
  active_recorders.push_back(this);
  active_ = true;
}

void NodeRecorder::stop() {
  if (!active_) return;
  auto& list = active_recorders;
  list.erase(std::remove(list.begin(), list.end(), this), list.end());
  active_ = false;
}

std::vector<std::shared_ptr<Node>> NodeRecorder::nodes() const {
  std::vector<std::shared_ptr<Node>> out;
  for (const auto& weak : nodes_) {
    if (auto n = weak.lock()) out.push_back(std::move(n));
  }
  return out;
}

std::unordered_set<const Node*> NodeRecorder::alive_set() const {
  std::unordered_set<const Node*> out;
  for (const auto& n : nodes()) out.insert(n.get());
  return out;
}

namespace detail {
void notify_node_created(const std::shared_ptr<Node>& node) {
  for (NodeRecorder* r : active_recorders) r->record(node);
}
bool any_recorder_active() {
  return !active_recorders.empty();
}
}  // namespace detail

}  // namespace ag
