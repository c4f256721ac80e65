// Saved slots (Note [Saved slots]): a node's saved values, declared once,
// give its release_variables() and visit_saved() with nothing listed again.

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "autograd/autograd_meta.h"
#include "autograd/saved.h"
#include "core/error.h"
#include "ops/ops.h"
#include "test_util.h"

namespace ag {
namespace {

using ::ag::testing::leaf;
using ::ag::testing::message_of;

// Records what a node's visit_saved() reports.
class Collect : public SavedVisitor {
 public:
  void visit(const char* name, const SavedVariable&) override {
    seen.push_back(std::string(name) + ":tensor");
  }
  void visit(const char* name, const SavedField& f) override {
    std::string kind = "none";
    switch (f.kind) {
      case SavedField::Kind::Scalar:
        kind = "scalar";
        break;
      case SavedField::Kind::Int:
        kind = "int";
        break;
      case SavedField::Kind::Bool:
        kind = "bool";
        break;
      case SavedField::Kind::Ints:
        kind = "ints";
        break;
      default:
        break;
    }
    seen.push_back(std::string(name) + ":" + kind);
  }
  void visit(const char* name, const std::vector<SavedVariable>& v) override {
    seen.push_back(std::string(name) + ":list" + std::to_string(v.size()));
  }
  std::vector<std::string> seen;
};

class SlotsBackward final : public Node {
 public:
  AG_NODE(SlotsBackward);
  variable_list apply(variable_list&& grads) override { return grads; }
  SavedTensor self{this, "self"};
  Saved<Scalar> alpha{this, "alpha"};
  Saved<std::vector<int64_t>> dims{this, "dim"};
  Saved<bool> keepdim{this, "keepdim", true};
  Saved<std::optional<Scalar>> bound{this, "min"};
  SavedTensorList indices{this, "indices"};
  Saved<int64_t> internal{this, nullptr, 7};  // kept, not shown
};

TEST(SavedSlots, VisitListsEverySlotInDeclarationOrder) {
  auto node = make_node<SlotsBackward>();
  node->self = SavedVariable(leaf({1.0, 2.0}, {2}), false);
  node->alpha = Scalar(2.5);
  node->dims = {0, 1};
  node->indices = {SavedVariable(ops::zeros({2}, DType::Int64), false)};
  Collect c;
  node->visit_saved(c);
  EXPECT_EQ(c.seen, (std::vector<std::string>{"self:tensor", "alpha:scalar",
                                              "dim:ints", "keepdim:bool",
                                              "min:none", "indices:list1"}));
  EXPECT_EQ(node->internal, 7);
  EXPECT_TRUE(node->keepdim);
  EXPECT_EQ(node->dims.size(), 2u);
  EXPECT_EQ(node->name(), "SlotsBackward");
}

TEST(SavedSlots, ReleaseVariablesReleasesEverySavedTensor) {
  auto node = make_node<SlotsBackward>();
  node->self = SavedVariable(leaf({1.0}, {1}), false);
  node->indices = {SavedVariable(ops::zeros({1}, DType::Int64), false)};
  node->release_variables();
  EXPECT_NE(message_of<Error>([&] {
              node->self.unpack();
            }).find("backward through the graph a second time"),
            std::string::npos);
  EXPECT_NE(message_of<Error>([&] {
              node->indices.unpack();
            }).find("backward through the graph a second time"),
            std::string::npos);
}

TEST(SavedSlots, OpNodesReportTheirSavedTensors) {
  const Tensor a = leaf({1.0, 2.0}, {2});
  const Tensor b = leaf({3.0, 4.0}, {2});
  const Tensor y = ops::mul(a, b);
  Collect c;
  autograd::grad_fn(y)->visit_saved(c);
  EXPECT_EQ(c.seen, (std::vector<std::string>{"self:tensor", "other:tensor"}));
}

}  // namespace
}  // namespace ag
