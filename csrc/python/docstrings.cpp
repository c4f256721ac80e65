// Docstrings of the extension's functions, classes and properties, one short
// line each, installed after everything is bound so that the bindings stay one
// line per op. A name prefixed "Tensor." applies to the Tensor member only.

#include <pybind11/pybind11.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "python/bindings.h"

namespace ag::python {

namespace {

const std::unordered_map<std::string, const char*>& docstrings() {
  static const std::unordered_map<std::string, const char*> table = {
      {"Node",
       "A node of the backward graph (what `grad_fn` returns): computes the "
       "gradients of an operation's inputs from the gradient of its output."},
      {"RemovableHandle",
       "Returned by hook registration; `remove()` unregisters the hook."},
      {"T", "The tensor with its dimensions reversed (a view)."},
      {"Tensor",
       "A multi-dimensional array of one dtype that can record the operations "
       "applied to it for automatic differentiation."},
      {"Tensor.detach",
       "A new tensor that shares this tensor's data but has no autograd "
       "history:\n"
       "its requires_grad is False and it has no grad_fn, so gradients do not "
       "flow\n"
       "through it. Use it to use a value without differentiating through it "
       "(a\n"
       "target, a logged metric, a stopped gradient). The data is shared, not "
       "copied:\n"
       "an in-place change to one shows in the other (add .clone() for a "
       "copy).\n"
       "\n"
       "Examples:\n"
       "    >>> import autograd_cpp as torch\n"
       "    >>> x = torch.tensor([1.0, 2.0], requires_grad=True)\n"
       "    >>> y = x * 2\n"
       "    >>> d = y.detach()\n"
       "    >>> d.requires_grad, d.grad_fn is None\n"
       "    (False, True)\n"
       "    >>> (x * d).sum().backward()  # d is a constant here\n"
       "    >>> x.grad\n"
       "    tensor([2., 4.])"},
      {"Tensor.dtype", "The element type."},
      {"Tensor.requires_grad_",
       "Sets whether autograd records operations on this tensor, in place, "
       "and\n"
       "returns the tensor. Only leaves (tensors not computed from others that "
       "require\n"
       "grad) can be changed; a tensor built by some computation can be made "
       "a\n"
       "trainable leaf this way, after the fact.\n"
       "\n"
       "Args:\n"
       "    requires_grad: True (the default) to record operations and "
       "accumulate a\n"
       "        gradient into .grad; False to stop.\n"
       "\n"
       "Raises:\n"
       "    RuntimeError: for a non-leaf tensor, or requires_grad=True on a "
       "tensor that is\n"
       "        not floating point.\n"
       "\n"
       "Examples:\n"
       "    >>> import autograd_cpp as torch\n"
       "    >>> w = torch.randn(3, 2) * 0.1  # a computed tensor ...\n"
       "    >>> w.requires_grad_()           # ... made a trainable leaf\n"
       "    tensor(..., requires_grad=True)\n"
       "    >>> (w ** 2).sum().backward()\n"
       "    >>> w.grad.shape\n"
       "    torch.Size([3, 2])"},
      {"argsort",
       "Indices that sort the tensor along dim (ascending unless "
       "descending=True)."},
      {"bernoulli",
       "Draws 0 or 1 for each element with the element's value as the "
       "probability of 1."},
      {"Tensor.bernoulli_",
       "Fills self in place with 0/1 draws of probability p (a float or a "
       "tensor)."},
      {"bincount",
       "Counts of each non-negative integer value (summing weights when "
       "given)."},
      {"bucketize",
       "Index of the bucket of boundaries that each input value falls into."},
      {"cauchy_",
       "Fills self in place with Cauchy samples of the given median and "
       "sigma."},
      {"cummax",
       "Running maximum along dim, with the index where each maximum "
       "occurred."},
      {"cummin",
       "Running minimum along dim, with the index where each minimum "
       "occurred."},
      {"cumprod", "Cumulative product along dim."},
      {"exponential_",
       "Fills self in place with exponential samples of rate lambd."},
      {"geometric_",
       "Fills self in place with geometric samples (trials until the first "
       "success with probability p)."},
      {"histc",
       "Histogram of the values in equal-width bins between min and max."},
      {"kthvalue", "The k-th smallest value along dim, and its index."},
      {"log_normal_",
       "Fills self in place with samples whose logarithm is normal of the "
       "given mean and std."},
      {"logcumsumexp",
       "Logarithm of the cumulative sum of exponentials along dim, computed "
       "stably."},
      {"median",
       "The lower median of all elements, or along dim with its index."},
      {"mode",
       "The most frequent value along dim, and an index where it occurs."},
      {"msort", "Sorts along the first dimension (ascending)."},
      {"multinomial",
       "Draws category indices from each row of non-negative weights, with or "
       "without replacement."},
      {"nanmedian",
       "The median ignoring NaNs, of all elements or along dim with its "
       "index."},
      {"normal",
       "Samples from normal distributions whose means and stds are given as "
       "tensors or numbers."},
      {"poisson",
       "Draws a Poisson sample for each element, with the element as the "
       "rate."},
      {"random_",
       "Fills self in place with integers drawn uniformly from [from, to)."},
      {"randperm", "A random permutation of 0 .. n-1."},
      {"searchsorted",
       "Indices at which values would be inserted into sorted_sequence to keep "
       "it sorted."},
      {"sort", "Sorted values along dim and the indices they came from."},
      {"topk",
       "The k largest (or smallest) values along dim, and their indices."},
      {"argwhere",
       "Coordinates of the non-zero elements, one row per element (int64 "
       "[count, ndim])."},
      {"cross",
       "Cross product of 3-vectors along dim (the first dim of size 3 when dim "
       "is not given)."},
      {"diff",
       "The n-th forward difference along dim, with prepend and append joined "
       "first."},
      {"index_add",
       "self with alpha * source added into the slices that index picks along "
       "dim."},
      {"index_add_",
       "Adds alpha * source in place into the slices that index picks along "
       "dim."},
      {"index_copy",
       "self with source copied into the slices that index picks along dim."},
      {"index_copy_",
       "Copies source in place into the slices that index picks along dim."},
      {"index_fill",
       "self with the slices that index picks along dim filled with value."},
      {"index_fill_",
       "Fills in place the slices that index picks along dim with value."},
      {"kron",
       "Kronecker product: every element of self scales a block that is a copy "
       "of other."},
      {"masked_scatter",
       "self with the positions where mask is true filled, in order, from "
       "source."},
      {"masked_scatter_",
       "Fills in place the positions where mask is true, in order, from "
       "source."},
      {"masked_select",
       "The elements where mask (broadcast with self) is true, as a 1-d "
       "tensor."},
      {"nan_to_num",
       "NaN, +inf and -inf replaced by the given numbers (by default 0 and the "
       "dtype's largest and lowest finite values)."},
      {"nan_to_num_", "Replaces NaN, +inf and -inf in place (see nan_to_num)."},
      {"nonzero",
       "Coordinates of the non-zero elements: int64 [count, ndim], or one "
       "tensor per dim with as_tuple=True."},
      {"unique",
       "The sorted distinct elements (or slices along dim), optionally with "
       "the inverse indices and counts."},
      {"unique_consecutive",
       "Collapses runs of equal consecutive elements (or slices along dim) to "
       "one, optionally with inverse indices and counts."},
      {"abs", "Absolute value, elementwise."},
      {"abs_", "In-place abs."},
      {"add", "input + alpha * other, with broadcasting and type promotion."},
      {"add_", "In-place add: self += alpha * other."},
      {"addmm", "beta * input + alpha * (mat1 @ mat2)."},
      {"all", "True if every element (or every element along dim) is nonzero."},
      {"amax",
       "Maximum along the given dims; the gradient is shared between ties."},
      {"amin",
       "Minimum along the given dims; the gradient is shared between ties."},
      {"any", "True if some element (or some element along dim) is nonzero."},
      {"arange",
       "Values from start to end (exclusive) spaced by step, as a 1-d tensor."},
      {"argmax", "Index of the largest value (flattened, or along dim)."},
      {"argmin", "Index of the smallest value (flattened, or along dim)."},
      {"as_tensor",
       "Converts data to a tensor, sharing memory with a tensor or numpy array "
       "when dtype allows."},
      {"avg_pool2d", "2-d average pooling over an (N, C, H, W) input."},
      {"batch_norm",
       "Batch normalisation over the channel dimension, updating running "
       "statistics when training."},
      {"binary_cross_entropy_with_logits",
       "Binary cross-entropy computed from logits, numerically stable."},
      {"bitwise_and", "Bitwise AND of integer or bool tensors."},
      {"bitwise_and_", "In-place bitwise_and."},
      {"bitwise_not", "Bitwise NOT of an integer or bool tensor."},
      {"bitwise_not_", "In-place bitwise_not."},
      {"bitwise_or", "Bitwise OR of integer or bool tensors."},
      {"bitwise_or_", "In-place bitwise_or."},
      {"bitwise_xor", "Bitwise XOR of integer or bool tensors."},
      {"bitwise_xor_", "In-place bitwise_xor."},
      {"bmm", "Batched matrix product of (b, n, m) and (b, m, p) tensors."},
      {"bool", "A copy converted to bool (self if already bool)."},
      {"cat", "Concatenates tensors along an existing dimension."},
      {"ceil",
       "Rounds up to the nearest integer, elementwise (zero gradient)."},
      {"ceil_", "In-place ceil."},
      {"chunk",
       "Splits into the given number of nearly equal views along dim."},
      {"clamp",
       "Limits values to [min, max]; the gradient passes where the input is "
       "inside the bounds."},
      {"clamp_", "In-place clamp."},
      {"clamp_max", "Limits values from above: minimum(input, max)."},
      {"clamp_max_", "In-place clamp_max."},
      {"clamp_min", "Limits values from below: maximum(input, min)."},
      {"clamp_min_", "In-place clamp_min."},
      {"clip", "Alias of clamp."},
      {"clip_", "Alias of clamp_."},
      {"clone", "A copy with its own storage, differentiable."},
      {"concat", "Alias of cat."},
      {"concatenate", "Alias of cat."},
      {"constant_pad_nd", "Pads the last dimensions with a constant value."},
      {"contiguous",
       "The tensor itself if contiguous, otherwise a contiguous copy."},
      {"conv1d",
       "1-d convolution (cross-correlation) over an (N, C, L) input."},
      {"conv2d",
       "2-d convolution (cross-correlation) over an (N, C, H, W) input."},
      {"copy_", "Copies src into self (broadcast and converted), in place."},
      {"cos", "Cosine, elementwise."},
      {"cos_", "In-place cos."},
      {"cumsum", "Cumulative sum along dim."},
      {"data",
       "The tensor's data without its autograd history (setting it replaces "
       "the data)."},
      {"data_ptr", "The address of the first element."},
      {"detach",
       "A tensor sharing this data, cut off from the graph (requires_grad "
       "False)."},
      {"detach_", "Detaches this tensor from the graph in place."},
      {"device", "The device holding the data (always cpu)."},
      {"dim", "The number of dimensions."},
      {"div",
       "input / other (true division), or rounded with rounding_mode 'trunc' "
       "or 'floor'."},
      {"div_", "In-place div."},
      {"divide", "Alias of div."},
      {"dot", "Dot product of two 1-d tensors."},
      {"double", "A copy converted to float64 (self if already float64)."},
      {"dropout",
       "Zeroes elements with probability p while training and scales the rest "
       "by 1 / (1 - p)."},
      {"dropout_", "In-place dropout."},
      {"dtype",
       "A tensor element type: float32, float64, int64, int32 or bool."},
      {"einsum",
       "Einstein summation over the operands following the subscript "
       "equation."},
      {"element_size", "Bytes per element."},
      {"elu", "Exponential linear unit: x if x > 0 else alpha * (exp(x) - 1)."},
      {"elu_", "In-place elu."},
      {"embedding", "Rows of weight selected by integer indices."},
      {"empty", "A new tensor of the given size with uninitialised values."},
      {"empty_like",
       "An uninitialised tensor with the size and dtype of input."},
      {"eq", "Elementwise ==, as a bool tensor."},
      {"erf", "Error function, elementwise."},
      {"erf_", "In-place erf."},
      {"exp", "Exponential, elementwise."},
      {"exp_", "In-place exp."},
      {"expand",
       "A broadcast view with size-1 dimensions repeated to the given size (-1 "
       "keeps a dim)."},
      {"expand_as", "expand to other's size."},
      {"expm1", "exp(x) - 1, accurate near zero."},
      {"expm1_", "In-place expm1."},
      {"eye", "A 2-d tensor with ones on the diagonal and zeros elsewhere."},
      {"fill_", "Fills self with a value, in place."},
      {"fix", "Alias of trunc."},
      {"fix_", "Alias of trunc_."},
      {"flatten",
       "Flattens dims start_dim..end_dim into one (a view when possible)."},
      {"flip", "Reverses the order of elements along the given dims."},
      {"float", "A copy converted to float32 (self if already float32)."},
      {"floor",
       "Rounds down to the nearest integer, elementwise (zero gradient)."},
      {"floor_", "In-place floor."},
      {"floor_divide", "input // other, rounding toward negative infinity."},
      {"floor_divide_", "In-place floor_divide."},
      {"from_numpy", "A tensor sharing memory with a numpy array."},
      {"full", "A tensor of the given size filled with fill_value."},
      {"full_like", "A tensor with input's size filled with fill_value."},
      {"gather",
       "Values of input at the index positions along dim: `out[i][j] = "
       "input[index[i][j]][j]` for dim 0."},
      {"ge", "Elementwise >=, as a bool tensor."},
      {"gelu",
       "Gaussian error linear unit x * Phi(x) (approximate='tanh' for the tanh "
       "form)."},
      {"ger", "Alias of outer."},
      {"get_default_dtype",
       "The dtype floating-point factories use by default (float32 unless "
       "changed)."},
      {"get_num_threads", "The number of threads kernels may use."},
      {"grad", "The accumulated gradient of this tensor, or None."},
      {"grad_fn",
       "The backward node that produced this tensor, or None for leaves."},
      {"gt", "Elementwise >, as a bool tensor."},
      {"hardtanh", "Clamps to [min_val, max_val]."},
      {"hardtanh_", "In-place hardtanh."},
      {"index_put",
       "A copy of input with values written at the positions given by a tuple "
       "of index tensors (accumulate adds)."},
      {"index_put_", "In-place index_put."},
      {"index_select",
       "Entries of input along dim at the positions in a 1-d index tensor."},
      {"initial_seed", "The seed of the default random generator."},
      {"int", "A copy converted to int32 (self if already int32)."},
      {"is_anomaly_enabled", "Whether anomaly detection is on."},
      {"is_contiguous",
       "Whether the elements are laid out contiguously in row-major order."},
      {"is_cuda", "Always False: tensors live on the CPU."},
      {"is_floating_point", "Whether the dtype is a floating-point type."},
      {"is_grad_enabled", "Whether grad mode is on in this thread."},
      {"is_leaf",
       "True for tensors not produced by a recorded operation (their .grad is "
       "populated by backward)."},
      {"isfinite", "Elementwise test for finite values."},
      {"isinf", "Elementwise test for infinities."},
      {"isnan", "Elementwise test for NaN."},
      {"item", "The value of a one-element tensor as a Python number."},
      {"layer_norm",
       "Normalises over the last dims given by normalized_shape, then applies "
       "weight and bias."},
      {"le", "Elementwise <=, as a bool tensor."},
      {"leaky_relu", "x if x > 0 else negative_slope * x."},
      {"leaky_relu_", "In-place leaky_relu."},
      {"lerp", "Linear interpolation: input + weight * (end - input)."},
      {"lerp_", "In-place lerp."},
      {"linear", "input @ weight.T + bias."},
      {"linspace", "steps values evenly spaced from start to end inclusive."},
      {"log", "Natural logarithm, elementwise."},
      {"log1p", "log(1 + x), accurate near zero."},
      {"log1p_", "In-place log1p."},
      {"log2", "Base-2 logarithm, elementwise."},
      {"log2_", "In-place log2."},
      {"log10", "Base-10 logarithm, elementwise."},
      {"log10_", "In-place log10."},
      {"log_", "In-place log."},
      {"log_softmax", "log(softmax(x)) along dim, computed stably."},
      {"logical_and", "Elementwise logical AND, as a bool tensor."},
      {"logical_and_", "In-place logical_and."},
      {"logical_not", "Elementwise logical NOT, as a bool tensor."},
      {"logical_not_", "In-place logical_not."},
      {"logical_or", "Elementwise logical OR, as a bool tensor."},
      {"logical_or_", "In-place logical_or."},
      {"logical_xor", "Elementwise logical XOR, as a bool tensor."},
      {"logical_xor_", "In-place logical_xor."},
      {"logsumexp", "log(sum(exp(x))) along dims, computed stably."},
      {"long", "A copy converted to int64 (self if already int64)."},
      {"lt", "Elementwise <, as a bool tensor."},
      {"manual_seed",
       "Seeds the default random generator, making random factories "
       "reproducible."},
      {"masked_fill", "A copy with value written where mask is True."},
      {"masked_fill_", "In-place masked_fill."},
      {"matmul",
       "Matrix product with NumPy's rules for 1-d and batched operands."},
      {"max",
       "The largest value, or with dim the (values, indices) of the largest "
       "along dim, or elementwise maximum with another tensor."},
      {"max_pool2d", "2-d max pooling over an (N, C, H, W) input."},
      {"maximum", "Elementwise maximum (NaN propagates)."},
      {"mean", "Mean of all elements, or along dims."},
      {"min",
       "The smallest value, or with dim the (values, indices) of the smallest "
       "along dim, or elementwise minimum with another tensor."},
      {"minimum", "Elementwise minimum (NaN propagates)."},
      {"mm", "Matrix product of two 2-d tensors."},
      {"moveaxis", "Alias of movedim."},
      {"movedim",
       "A view with dimensions moved from source to destination positions."},
      {"mul", "input * other, with broadcasting."},
      {"mul_", "In-place mul."},
      {"mv", "Matrix-vector product."},
      {"narrow", "A view of length elements along dim starting at start."},
      {"ndim", "The number of dimensions."},
      {"ndimension", "Alias of dim()."},
      {"ne", "Elementwise !=, as a bool tensor."},
      {"neg", "Negation, elementwise."},
      {"neg_", "In-place neg."},
      {"negative", "Alias of neg."},
      {"negative_", "Alias of neg_."},
      {"nelement", "Alias of numel()."},
      {"norm", "The p-norm of all elements or along dim (p=2 by default)."},
      {"normal_",
       "Fills self in place with normal samples of the given mean and std."},
      {"numel", "The number of elements."},
      {"numpy",
       "A numpy array sharing this tensor's memory (the tensor must not "
       "require grad)."},
      {"one_hot", "One-hot encoding of integer class indices as int64."},
      {"ones", "A tensor of the given size filled with ones."},
      {"ones_like", "A tensor of ones with input's size and dtype."},
      {"outer", "Outer product of two 1-d tensors."},
      {"output_nr", "Which output of its grad_fn this tensor is."},
      {"permute", "A view with dimensions reordered."},
      {"pow", "input ** exponent, elementwise."},
      {"pow_", "In-place pow."},
      {"prod", "Product of all elements, or along dim."},
      {"promote_types", "The dtype two dtypes promote to."},
      {"rand", "Uniform samples in [0, 1)."},
      {"rand_like", "Uniform samples in [0, 1) with input's size and dtype."},
      {"randint", "Integer samples uniform in [low, high)."},
      {"randn", "Standard normal samples."},
      {"randn_like", "Standard normal samples with input's size and dtype."},
      {"reciprocal", "1 / x, elementwise."},
      {"reciprocal_", "In-place reciprocal."},
      {"register_hook",
       "Registers a function called with this tensor's gradient during "
       "backward; it may return a replacement. Returns a handle with "
       "remove()."},
      {"register_post_accumulate_grad_hook",
       "Registers a function called with this leaf after its .grad has been "
       "accumulated."},
      {"relu", "max(x, 0), elementwise."},
      {"relu6", "min(max(x, 0), 6), elementwise."},
      {"relu_", "In-place relu."},
      {"remainder",
       "Python's modulo: the remainder has the sign of the divisor."},
      {"remainder_", "In-place remainder."},
      {"repeat",
       "Tiles the tensor: repeats it the given number of times along each "
       "dim."},
      {"requires_grad", "Whether autograd records operations on this tensor."},
      {"requires_grad_",
       "Sets requires_grad in place (leaves only) and returns self."},
      {"reshape",
       "A tensor of the given shape with the same elements (a view when "
       "possible)."},
      {"reshape_as", "reshape to other's shape."},
      {"result_type",
       "The dtype an operation on the given tensors or numbers would produce."},
      {"retain_grad",
       "Makes this non-leaf tensor keep its .grad after backward."},
      {"roll", "Rotates elements along dims by shifts."},
      {"round",
       "Rounds to the nearest integer (ties to even), or to decimals places."},
      {"round_", "In-place round."},
      {"rsqrt", "1 / sqrt(x), elementwise."},
      {"rsqrt_", "In-place rsqrt."},
      {"scatter",
       "A copy with src written at index positions along dim (reduce='add' or "
       "'multiply' combines)."},
      {"scatter_", "In-place scatter."},
      {"scatter_add", "A copy with src added at index positions along dim."},
      {"scatter_add_", "In-place scatter_add."},
      {"select", "A view of the slice at index along dim (that dim removed)."},
      {"set_default_dtype",
       "Sets the dtype floating-point factories use by default."},
      {"set_num_threads", "Sets the number of threads kernels may use."},
      {"shape", "The size of each dimension, as a torch.Size."},
      {"sigmoid", "1 / (1 + exp(-x)), elementwise."},
      {"sigmoid_", "In-place sigmoid."},
      {"sign", "-1, 0 or 1 by the sign of each element."},
      {"sign_", "In-place sign."},
      {"silu", "x * sigmoid(x), elementwise."},
      {"silu_", "In-place silu."},
      {"sin", "Sine, elementwise."},
      {"sin_", "In-place sin."},
      {"size", "The shape as a torch.Size, or the size of one dim."},
      {"softmax", "exp(x) / sum(exp(x)) along dim."},
      {"softplus", "log(1 + exp(beta * x)) / beta, linear above threshold."},
      {"split",
       "Splits into views of split_size (or the given sizes) along dim."},
      {"split_with_sizes", "Splits into views of the given sizes along dim."},
      {"sqrt", "Square root, elementwise."},
      {"sqrt_", "In-place sqrt."},
      {"square", "x * x, elementwise."},
      {"square_", "In-place square."},
      {"squeeze", "A view with size-1 dims removed (all, or the given ones)."},
      {"stack", "Joins tensors of one shape along a new dimension."},
      {"std",
       "Standard deviation along dims with the given correction (1: "
       "Bessel's)."},
      {"storage_offset",
       "The offset of the first element in the storage, in elements."},
      {"stride", "The strides in elements, or the stride of one dim."},
      {"sub", "input - alpha * other, with broadcasting."},
      {"sub_", "In-place sub: self -= alpha * other."},
      {"sum", "Sum of all elements, or along dims."},
      {"swapaxes", "Alias of transpose."},
      {"swapdims", "Alias of transpose."},
      {"t", "Transpose of a tensor of at most 2 dims."},
      {"tan", "Tangent, elementwise."},
      {"tan_", "In-place tan."},
      {"tanh", "Hyperbolic tangent, elementwise."},
      {"tanh_", "In-place tanh."},
      {"tensor",
       "A new tensor holding a copy of data (nested lists, numbers, numpy "
       "arrays or tensors)."},
      {"tile",
       "Repeats the tensor along each dim (fewer reps than dims are padded "
       "with ones)."},
      {"to",
       "A copy converted to the given dtype (self when nothing changes)."},
      {"tolist", "The values as (nested) Python lists."},
      {"transpose", "A view with two dimensions swapped."},
      {"tril",
       "The lower triangle (below diagonal + offset); the rest is zero."},
      {"triu",
       "The upper triangle (above diagonal + offset); the rest is zero."},
      {"true_divide", "Alias of div without rounding."},
      {"trunc", "Rounds toward zero, elementwise (zero gradient)."},
      {"trunc_", "In-place trunc."},
      {"type_as", "A copy converted to other's dtype."},
      {"unbind", "Removes dim, returning the slices along it as views."},
      {"uniform_", "Fills self in place with uniform samples in [from, to)."},
      {"unsqueeze", "A view with a size-1 dim inserted at dim."},
      {"var", "Variance along dims with the given correction (1: Bessel's)."},
      {"view",
       "A view with a new shape over the same storage (-1 infers one dim)."},
      {"view_as", "view with other's shape."},
      {"where",
       "Elements of input where condition is True and of other elsewhere, with "
       "broadcasting."},
      {"zero_", "Fills self with zeros, in place."},
      {"zeros", "A tensor of the given size filled with zeros."},
      {"zeros_like", "A tensor of zeros with input's size and dtype."},
  };
  return table;
}

// Puts `doc` after the signatures pybind11 generated, in the buffer pybind11
// owns (it frees it with std::free, as it allocates it with strdup).
void document_function(PyObject* fn, const char* doc) {
  if (PyInstanceMethod_Check(fn)) fn = PyInstanceMethod_GET_FUNCTION(fn);
  if (!PyCFunction_Check(fn)) return;
  auto* func = reinterpret_cast<PyCFunctionObject*>(fn);
  const char* old = PYBIND11_PYCFUNCTION_GET_DOC(func);
  std::string text = old ? old : "";
  while (!text.empty() && text.back() == '\n') text.pop_back();
  text += text.empty() ? doc : std::string("\n\n") + doc;
  std::free(const_cast<char*>(old));
  PYBIND11_PYCFUNCTION_SET_DOC(func, strdup(text.c_str()));
}

void document(py::handle owner, const char* prefix,
              std::unordered_set<PyObject*>& done) {
  const auto& table = docstrings();
  for (py::handle key : py::reinterpret_borrow<py::dict>(owner.attr("__dict__"))
                            .attr("keys")()) {
    const std::string name = py::str(key);
    auto it = table.find(prefix + name);
    if (it == table.end()) it = table.find(name);
    if (it == table.end()) continue;
    py::object member =
        py::reinterpret_borrow<py::dict>(owner.attr("__dict__"))[key];
    if (!done.insert(member.ptr()).second) continue;  // an alias seen before
    if (py::isinstance<py::type>(member) ||
        PyObject_TypeCheck(member.ptr(), &PyProperty_Type)) {
      member.attr("__doc__") = it->second;
    } else {
      document_function(member.ptr(), it->second);
    }
  }
}

}  // namespace

void install_docstrings(py::module_& m) {
  std::unordered_set<PyObject*> done;
  document(m.attr("Tensor"), "Tensor.", done);
  document(m, "", done);
  for (const char* sub : {"_nn"}) {
    if (py::hasattr(m, sub)) document(m.attr(sub), "", done);
  }
}

}  // namespace ag::python
