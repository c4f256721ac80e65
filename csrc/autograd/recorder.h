#pragma once

#include <memory>
#include <unordered_set>
#include <vector>

#include "autograd/node.h"

namespace ag {

// Collects the nodes created on this thread while it is active: the
// recording window of a GradientTape. Windows nest (each active recorder
// sees every node), and a recorder can be paused (stop_recording()).
class NodeRecorder {
 public:
  NodeRecorder() = default;
  NodeRecorder(const NodeRecorder&) = delete;
  NodeRecorder& operator=(const NodeRecorder&) = delete;
  ~NodeRecorder() { stop(); }

  void start();  // becomes active on the calling thread
  void stop();   // inactive (nodes recorded so far are kept)
  void pause() { paused_ = true; }
  void resume() { paused_ = false; }
  void clear() { nodes_.clear(); }
  bool active() const { return active_; }

  // The recorded nodes still alive.
  std::vector<std::shared_ptr<Node>> nodes() const;
  std::unordered_set<const Node*> alive_set() const;

  void record(const std::shared_ptr<Node>& node) {
    if (!paused_) nodes_.push_back(node);
  }

 private:
  std::vector<std::weak_ptr<Node>> nodes_;
  bool active_ = false;
  bool paused_ = false;
};

namespace detail {
// Called by make_node; cheap when no recorder is active.
void notify_node_created(const std::shared_ptr<Node>& node);
}  // namespace detail

}  // namespace ag
