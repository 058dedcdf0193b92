// The loss and its gradients for any module list, residual blocks included: the forward pass of
// forward.cc one module at a time (so training sees the very activations evaluation computes),
// each module's output kept, then the backward pass module by module. The same computation as
// tfjs autodiff through NetworkTrainer.step (native/train/network-step.ts); tests compare the two.
#include <algorithm>
#include <cmath>

#include "blas.h"
#include "elementwise.h"
#include "training.h"

namespace steerlab {

namespace {

constexpr float kInvSqrt2 = 0.70710678118654752f;
constexpr float kInvSqrt2Pi = 0.39894228040143268f;  // 1 / sqrt(2 pi)

// gin = g * f'(z) for one elementwise activation, z its input and y = f(z) its output:
//   relu: [z > 0]   leaky_relu: z > 0 ? 1 : 0.01   identity: 1   (torch's and tfjs's choices at 0)
//   tanh: 1 - y^2   sigmoid: y (1 - y)
//   gelu: Phi(z) + z phi(z), Phi(z) = (1 + erf(z / sqrt 2)) / 2, phi(z) = exp(-z^2 / 2) / sqrt(2 pi)
STEERLAB_CLONES
void activation_backward(Op op, const float* g, const float* z, const float* y, size_t count, float* gin) {
  switch (op) {
    case Op::Relu:
      for (size_t i = 0; i < count; i++) gin[i] = z[i] > 0.0f ? g[i] : 0.0f;
      break;
    case Op::LeakyRelu:
      for (size_t i = 0; i < count; i++) gin[i] = z[i] > 0.0f ? g[i] : g[i] * kLeakySlope;
      break;
    case Op::Tanh:
      for (size_t i = 0; i < count; i++) gin[i] = g[i] * (1.0f - y[i] * y[i]);
      break;
    case Op::Sigmoid:
      for (size_t i = 0; i < count; i++) gin[i] = g[i] * (y[i] * (1.0f - y[i]));
      break;
    case Op::Gelu:
      for (size_t i = 0; i < count; i++) {
        const float phi_cdf = 0.5f * (1.0f + erf_float(z[i] * kInvSqrt2));
        gin[i] = g[i] * (phi_cdf + z[i] * (exp_float(-0.5f * z[i] * z[i]) * kInvSqrt2Pi));
      }
      break;
    default:
      std::copy(g, g + count, gin);
      break;
  }
}

// Backward through y = xhat gamma + beta, xhat = (x - mean) / sqrt(var + eps) over each row of
// width w (layernorm_row_stats, as the forward pass):
//   dgamma += sum_rows g xhat;  dbeta += sum_rows g
//   dx = (dxhat - mean(dxhat) - xhat mean(dxhat xhat)) / sqrt(var + eps),  dxhat = g gamma
void layernorm_backward(const float* g, const float* x, int n, int w, const float* gamma, float* dgamma, float* dbeta, float* gin) {
  std::fill(dgamma, dgamma + w, 0.0f);
  std::fill(dbeta, dbeta + w, 0.0f);
  std::vector<double> xhat(w), dxhat(w);
  for (int r = 0; r < n; r++) {
    const float* xr = x + static_cast<size_t>(r) * w;
    const float* gr = g + static_cast<size_t>(r) * w;
    double mean, inv;
    layernorm_row_stats(xr, w, mean, inv);
    double sum_d = 0, sum_dx = 0;
    for (int j = 0; j < w; j++) {
      xhat[j] = (xr[j] - mean) * inv;
      dxhat[j] = static_cast<double>(gr[j]) * gamma[j];
      sum_d += dxhat[j];
      sum_dx += dxhat[j] * xhat[j];
      dgamma[j] += static_cast<float>(gr[j] * xhat[j]);
      dbeta[j] += gr[j];
    }
    float* out = gin + static_cast<size_t>(r) * w;
    for (int j = 0; j < w; j++) out[j] = static_cast<float>((dxhat[j] - sum_d / w - xhat[j] * (sum_dx / w)) * inv);
  }
}

// Backward through a residual block's output y = x + f(x) (x at hook `input`): dL/df(x) = g,
// passed on to f's last Linear, and dL/dx gets g by the skip path as well, kept until the backward
// pass reaches the block's input (add_skip_gradient), where it joins the gradient through f.
void residual_backward(const float* g, size_t size, int input, NetworkWork& work) {
  if (static_cast<int>(work.skip_grads.size()) <= input) work.skip_grads.resize(input + 1);
  work.skip_grads[input].assign(g, g + size);
  work.gin.assign(g, g + size);
}

// dL/dx at a block's input = (through f) + (through the skip path).
STEERLAB_CLONES
void add_skip_gradient(NetworkWork& work, int input) {
  const std::vector<float>& skip = work.skip_grads[input];
  float* gin = work.gin.data();
  for (size_t i = 0; i < skip.size(); i++) gin[i] += skip[i];
}

}  // namespace

double network_loss_and_gradients(const Weights& m, const float* x, const uint8_t* labels, int n, double dropout, Mulberry32* rng, Grads& grads,
                                  NetworkWork& work) {
  const int hooks = m.hooks(), last = hooks - 1;
  work.acts.resize(hooks);
  work.kept.resize(hooks);
  work.masks.resize(hooks);
  // Where each module's parameters start in the gradient list (module order, as parameter_list).
  std::vector<int> slot(hooks, -1);
  size_t count = 0;
  for (int k = 0; k < hooks; k++)
    if (m.layers[k].op == Op::Linear || m.layers[k].op == Op::LayerNorm) slot[k] = static_cast<int>(count), count += 2;
  grads.resize(count);

  // Forward, module by module; forward_steps writes into work.buf.x, which is then swapped into place.
  const Additions none;
  const float keep = static_cast<float>(1 / (1 - dropout));  // 1 / (1 - p), as the tfjs mask holds it (float32)
  for (int k = 0; k < hooks; k++) {
    const float* in = k == 0 ? x : work.acts[k - 1].data();
    forward_steps(m, in, n, k, k, none, work.buf);
    std::swap(work.acts[k], work.buf.x);
    work.masks[k].clear();
    const Op op = m.layers[k].op;
    if (dropout > 0 && k < last && is_activation(op)) {
      // Inverted dropout: h <- h * mask, mask_i = 1 / (1 - p) with probability 1 - p, else 0.
      std::vector<float>& act = work.acts[k];
      std::vector<float>& mask = work.masks[k];
      mask.resize(act.size());
      for (float& v : mask) v = rng->next() >= dropout ? keep : 0.0f;
      work.kept[k] = act;
      for (size_t i = 0; i < act.size(); i++) act[i] = act[i] * mask[i];
    }
  }

  // dL/dlogits, then back through each module.
  work.g = work.acts[last];
  const double loss = softmax_cross_entropy(work.g.data(), labels, n, m.width(last));
  for (int k = last; k >= 0; k--) {
    const Layer& layer = m.layers[k];
    const int w = layer.width;
    const int w_in = k == 0 ? kInput : m.width(k - 1);
    const float* in = k == 0 ? x : work.acts[k - 1].data();
    const size_t size = static_cast<size_t>(n) * w;
    float* g = work.g.data();
    if (!work.masks[k].empty())
      for (size_t i = 0; i < size; i++) g[i] = g[i] * work.masks[k][i];
    if (layer.op == Op::Linear) {
      // out = in W^T + b:  dW = g^T in [w x w_in], db = column sums of g, din = g W [n x w_in].
      std::vector<float>& dw = grads[slot[k]];
      std::vector<float>& db = grads[slot[k] + 1];
      dw.resize(static_cast<size_t>(w) * w_in);
      db.resize(w);
      gemm(true, false, w, w_in, n, g, w, in, w_in, 0.0f, dw.data(), w_in);
      column_sums(g, n, w, db.data());
      if (k == 0) break;
      work.gin.resize(static_cast<size_t>(n) * w_in);
      gemm(false, false, n, w_in, w, g, w, m.w[layer.param].data(), w_in, 0.0f, work.gin.data(), w_in);
    } else if (layer.op == Op::LayerNorm) {
      std::vector<float>& dgamma = grads[slot[k]];
      std::vector<float>& dbeta = grads[slot[k] + 1];
      dgamma.resize(w);
      dbeta.resize(w);
      work.gin.resize(size);
      layernorm_backward(g, in, n, w, m.gamma[layer.param].data(), dgamma.data(), dbeta.data(), work.gin.data());
    } else if (layer.op == Op::Residual) {
      residual_backward(g, size, layer.param, work);
    } else {
      const float* y = work.masks[k].empty() ? work.acts[k].data() : work.kept[k].data();
      work.gin.resize(size);
      activation_backward(layer.op, g, in, y, size, work.gin.data());
    }
    // work.gin is dL/d(hook k-1) through module k; at a block's input, add the skip path's share.
    if (m.opens_block(k - 1)) add_skip_gradient(work, k - 1);
    std::swap(work.g, work.gin);
  }
  return loss;
}

}  // namespace steerlab
