// Trains a two-layer MLP on y = sin(x) in pure C++ with autograd_cpp, the way
// the PyTorch tutorials do it in Python: forward, loss.backward(), an SGD
// step under no_grad, zero the gradients. Exits non-zero unless it converges.

#include <autograd_cpp/autograd_cpp.h>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
  ag::manual_seed(0);
  std::printf("autograd_cpp %s\n", AUTOGRAD_CPP_VERSION);

  // 64 points of sin on [-3, 3], as a (64, 1) batch.
  const int64_t n = 64;
  std::vector<float> xs, ys;
  for (int64_t i = 0; i < n; ++i) {
    float x = -3.0f + 6.0f * static_cast<float>(i) / static_cast<float>(n - 1);
    xs.push_back(x);
    ys.push_back(std::sin(x));
  }
  ag::Tensor x = ag::tensor(xs, {n, 1});
  ag::Tensor y = ag::tensor(ys, {n, 1});

  // nn.Linear(1, 32) -> tanh -> nn.Linear(32, 1), weights as (out, in).
  const int64_t hidden = 32;
  std::vector<ag::Tensor> params = {
      ag::randn({hidden, 1}).requires_grad_(),
      ag::randn({hidden}).requires_grad_(),
      (ag::randn({1, hidden}) / std::sqrt(hidden)).requires_grad_(),
      ag::zeros({1}, ag::requires_grad()),
  };
  auto model = [&](const ag::Tensor& input) {
    ag::Tensor h = ag::linear(input, params[0], params[1]).tanh();
    return ag::linear(h, params[2], params[3]);
  };

  const double lr = 0.1;
  double first = 0.0, last = 0.0;
  for (int step = 0; step <= 2000; ++step) {
    ag::Tensor loss = ag::mse_loss(model(x), y, ag::Reduction::Mean);
    last = loss.item<double>();
    if (step == 0) first = last;
    if (step % 250 == 0) std::printf("step %4d  loss %.6f\n", step, last);

    loss.backward();
    ag::NoGradGuard no_grad;  // the update is not part of the graph
    for (ag::Tensor& p : params) {
      p -= lr * p.grad();        // p.sub_(lr * p.grad)
      p.set_grad(ag::Tensor());  // p.grad = None
    }
  }

  std::printf("loss went from %.4f to %.6f\n", first, last);
  if (!(last < 0.005 && last < first / 50)) {
    std::printf("FAILED: the model did not converge\n");
    return 1;
  }
  return 0;
}
