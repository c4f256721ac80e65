// A derivative and one Adam step, through the one public header; exits
// non-zero when a number is wrong.

#include <autograd_cpp/autograd_cpp.h>

#include <cmath>
#include <iostream>

#ifdef AG_CONSUMER_OWN_HEADERS
#include "core/scalar.h"
#include "ops/ops.h"
#endif

int main() {
  ag::Tensor x = ag::scalar(3.0).requires_grad_();
  ag::Tensor y = 2 * x * x + 1;  // dy/dx = 4x = 12
  y.backward();
  double slope = x.grad().item<double>();
#ifdef AG_CONSUMER_OWN_HEADERS
  const user::Scalar half{user::twice(0.25)};
  slope *= 2 * half.value;
#endif
  std::cout << y << "\n" << x.grad() << "\n";

  ag::nn::Linear model(2, 1);
  // Fixed weights: from a random start the loss can already be near zero,
  // and twenty Adam steps of 0.1 may then end above it.
  ag::nn::init::ones_(model.weight);
  ag::nn::init::ones_(model.bias);
  ag::optim::Adam optimizer(model.parameters(), ag::optim::AdamOptions(0.1));
  const ag::Tensor input = ag::ones({4, 2});
  const double before =
      ag::mse_loss(model(input), ag::zeros({4, 1})).item<double>();
  for (int step = 0; step < 20; ++step) {
    optimizer.zero_grad();
    ag::mse_loss(model(input), ag::zeros({4, 1})).backward();
    optimizer.step();
  }
  const double after =
      ag::mse_loss(model(input), ag::zeros({4, 1})).item<double>();
  std::cout << "autograd_cpp " << AUTOGRAD_CPP_VERSION << ": dy/dx = " << slope
            << ", loss " << before << " -> " << after << "\n";
  return std::abs(slope - 12.0) < 1e-12 && after < before ? 0 : 1;
}
