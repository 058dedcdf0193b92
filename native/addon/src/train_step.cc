// One training step: the seed's MLP's forward and hand-derived backward pass (the formulas of
// native/train/gradients.ts), any other network's gradients from train_network.cc, then the
// update of native/train/: Adam (adam.ts, PyTorch's Adam) or SGD with momentum (sgd.ts), after
// decoupled weight decay (network-step.ts).
#include <algorithm>
#include <cmath>

#include "blas.h"
#include "training.h"

namespace steerlab {

// dst[j] = sum_r src[r][j]: a bias gradient is the column sum of the layer's output gradient.
STEERLAB_CLONES
void column_sums(const float* src, int n, int w, float* dst) {
  std::fill(dst, dst + w, 0.0f);
  for (int r = 0; r < n; r++) {
    const float* row = src + static_cast<size_t>(r) * w;
    for (int j = 0; j < w; j++) dst[j] += row[j];
  }
}

namespace {

// g *= [h > 0]: relu'(z) is 1 exactly where relu(z) > 0, so the forward output is the mask.
STEERLAB_CLONES
void relu_mask(float* g, const float* h, size_t count) {
  for (size_t i = 0; i < count; i++) g[i] = h[i] > 0.0f ? g[i] : 0.0f;
}

// out = relu(in W^T + b), in place of a plain Linear + ReLU.
void linear_relu(const Weights& m, int l, const float* in, int n, float* out, bool relu) {
  const int fan_in = m.sizes[l], fan_out = m.sizes[l + 1];
  gemm(false, true, n, fan_out, fan_in, in, fan_in, m.w[l].data(), fan_in, 0.0f, out, fan_out);
  const float* b = m.b[l].data();
  for (int r = 0; r < n; r++) {
    float* row = out + static_cast<size_t>(r) * fan_out;
    for (int j = 0; j < fan_out; j++) row[j] = relu ? std::max(row[j] + b[j], 0.0f) : row[j] + b[j];
  }
}

// Adam for one parameter array (torch.optim.Adam, no weight decay), with gradient g:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
STEERLAB_CLONES
void adam_update(float* p, float* m, float* v, const float* g, size_t size, float b1, float b2, float c1, float c2, float step_size, float sqrt_c2, float eps) {
  // c1 = 1 - b1, c2 = 1 - b2.
  for (size_t i = 0; i < size; i++) {
    const float mi = m[i] * b1 + g[i] * c1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * c2;
    p[i] -= step_size * (mi / (std::sqrt(vi) / sqrt_c2 + eps));
    m[i] = mi;
    v[i] = vi;
  }
}

// SGD for one parameter array (torch.optim.SGD, dampening 0, not Nesterov), with gradient g:
//   first step: buf = g; later: buf = momentum buf + g;  p -= lr buf   (momentum 0: p -= lr g)
STEERLAB_CLONES
void sgd_update(float* p, float* buf, const float* g, size_t size, float lr, float momentum, bool first) {
  if (!buf) {
    for (size_t i = 0; i < size; i++) p[i] = p[i] - g[i] * lr;
    return;
  }
  for (size_t i = 0; i < size; i++) {
    const float d = first ? g[i] : buf[i] * momentum + g[i];
    buf[i] = d;
    p[i] = p[i] - d * lr;
  }
}

// Decoupled weight decay (torch.optim.AdamW's form): p *= 1 - lr W.
STEERLAB_CLONES
void decay(float* p, size_t size, float factor) {
  for (size_t i = 0; i < size; i++) p[i] = p[i] * factor;
}

}  // namespace

std::vector<std::vector<float>*> parameter_list(Weights& m) {
  std::vector<std::vector<float>*> out;
  for (const Layer& layer : m.layers) {
    if (layer.op == Op::Linear) out.insert(out.end(), {&m.w[layer.param], &m.b[layer.param]});
    if (layer.op == Op::LayerNorm) out.insert(out.end(), {&m.gamma[layer.param], &m.beta[layer.param]});
  }
  return out;
}

double softmax_cross_entropy(float* z, const uint8_t* labels, int n, int c) {
  double loss = 0;
  for (int i = 0; i < n; i++) {
    float* row = z + static_cast<size_t>(i) * c;
    const float mx = *std::max_element(row, row + c);
    double s = 0;
    for (int k = 0; k < c; k++) s += std::exp(static_cast<double>(row[k]) - mx);
    const double lse = mx + std::log(s);
    loss += lse - row[labels[i]];
    for (int k = 0; k < c; k++) row[k] = static_cast<float>((std::exp(static_cast<double>(row[k]) - lse) - (k == labels[i] ? 1.0 : 0.0)) / n);
  }
  return loss / n;
}

double loss_and_gradients(const Weights& m, const float* x, const uint8_t* labels, int n, Grads& grads, Buffers& work) {
  const int h1 = m.sizes[1], h2 = m.sizes[2], c = m.sizes[3];
  // work.x holds h1 | h2 | logits -> dz; work.y holds dh2 then dh1.
  work.x.resize(static_cast<size_t>(n) * (h1 + h2 + c));
  float* a1 = work.x.data();
  float* a2 = a1 + static_cast<size_t>(n) * h1;
  float* z = a2 + static_cast<size_t>(n) * h2;
  linear_relu(m, 0, x, n, a1, true);
  linear_relu(m, 1, a1, n, a2, true);
  linear_relu(m, 2, a2, n, z, false);

  // L = mean_i (lse_i - z_i[y_i]); dz = (softmax(z) - onehot(y)) / n, overwriting z.
  const double loss = softmax_cross_entropy(z, labels, n, c);
  grads.resize(6);
  for (int g = 0; g < 6; g++) grads[g].resize(g % 2 == 0 ? m.w[g / 2].size() : m.b[g / 2].size());

  // Layer 3: dW3 = dz^T h2 [c x h2], db3 = sum dz, dh2 = dz W3 [n x h2].
  gemm(true, false, c, h2, n, z, c, a2, h2, 0.0f, grads[4].data(), h2);
  column_sums(z, n, c, grads[5].data());
  work.y.resize(static_cast<size_t>(n) * std::max(h1, h2));
  float* dh = work.y.data();
  gemm(false, false, n, h2, c, z, c, m.w[2].data(), h2, 0.0f, dh, h2);
  relu_mask(dh, a2, static_cast<size_t>(n) * h2);  // dz2
  // Layer 2: dW2 = dz2^T h1 [h2 x h1], db2 = sum dz2, dh1 = dz2 W2 [n x h1] (written over a2,
  // which is no longer needed).
  gemm(true, false, h2, h1, n, dh, h2, a1, h1, 0.0f, grads[2].data(), h1);
  column_sums(dh, n, h2, grads[3].data());
  float* dh1 = a2;
  if (h1 > h2) {
    // a2 is too small to hold dh1: use the front of work.y after copying dz2 out of the way.
    std::vector<float> dz2(dh, dh + static_cast<size_t>(n) * h2);
    gemm(false, false, n, h1, h2, dz2.data(), h2, m.w[1].data(), h1, 0.0f, dh, h1);
    dh1 = dh;
  } else {
    gemm(false, false, n, h1, h2, dh, h2, m.w[1].data(), h1, 0.0f, dh1, h1);
  }
  relu_mask(dh1, a1, static_cast<size_t>(n) * h1);  // dz1
  // Layer 1: dW1 = dz1^T x [h1 x 784], db1 = sum dz1.
  gemm(true, false, h1, m.sizes[0], n, dh1, h1, x, m.sizes[0], 0.0f, grads[0].data(), m.sizes[0]);
  column_sums(dh1, n, h1, grads[1].data());
  return loss;
}

void TrainState::run(const uint8_t* pixels, const uint8_t* labels, const uint32_t* order, int order_len, int first_step, int steps, int batch,
                     int32_t* control, float* losses) {
  const auto params_now = parameter_list(params);
  const bool adam = recipe.optimizer == Optimizer::Adam;
  m.resize(params_now.size());
  v.resize(adam ? params_now.size() : 0);
  for (size_t g = 0; g < params_now.size(); g++) {
    const size_t size = params_now[g]->size();
    // SGD without momentum keeps no buffer (sgd_update is told so by a null buffer).
    if (m[g].size() != size && (adam || recipe.momentum > 0)) m[g].assign(size, 0.0f);
    if (adam && v[g].size() != size) v[g].assign(size, 0.0f);
  }
  const bool seed = seed_kernels();
  std::vector<uint8_t> y;
  for (int s = 0; s < steps; s++) {
    if (control && __atomic_load_n(control, __ATOMIC_RELAXED) != 0) throw Cancelled();
    const int start = (first_step + s) * batch;
    const int n = std::min(batch, order_len - start);
    x.resize(static_cast<size_t>(n) * kInput);
    pixels_to_floats(pixels, order + start, 0, n, x.data());
    y.resize(n);
    for (int i = 0; i < n; i++) y[i] = labels[order[start + i]];
    const double loss = seed ? loss_and_gradients(params, x.data(), y.data(), n, grads, work)
                             : network_loss_and_gradients(params, x.data(), y.data(), n, recipe.dropout, &dropout_rng, grads, net);
    losses[s] = static_cast<float>(loss);
    t += 1;
    update();
    if (control) __atomic_fetch_add(control + 1, 1, __ATOMIC_RELAXED);
  }
}

void TrainState::update() {
  const auto params_now = parameter_list(params);
  // On the calling thread: after each product OpenBLAS's own threads keep spinning for a while,
  // so a helper thread here would only compete with them for the other core.
  if (recipe.weight_decay > 0) {
    // The factor as tfjs forms it: 1 - lr W in float64, then one float32 scalar.
    const float factor = static_cast<float>(1 - recipe.lr * recipe.weight_decay);
    for (std::vector<float>* p : params_now) decay(p->data(), p->size(), factor);
  }
  if (recipe.optimizer == Optimizer::Sgd) {
    const float lr = static_cast<float>(recipe.lr), momentum = static_cast<float>(recipe.momentum);
    for (size_t g = 0; g < params_now.size(); g++)
      sgd_update(params_now[g]->data(), recipe.momentum > 0 ? m[g].data() : nullptr, grads[g].data(), grads[g].size(), lr, momentum, t == 1);
    return;
  }
  // Adam's bias corrections for step t (adam_update has the formula), with the constants as tfjs
  // forms them (1 - beta in float64, then float32), so both paths round alike.
  const TrainRecipe& r = recipe;
  const float b1 = static_cast<float>(r.beta1), b2 = static_cast<float>(r.beta2);
  const float c1 = static_cast<float>(1 - r.beta1), c2 = static_cast<float>(1 - r.beta2);
  const float step_size = static_cast<float>(r.lr / (1 - std::pow(r.beta1, static_cast<double>(t))));
  const float sqrt_c2 = static_cast<float>(std::sqrt(1 - std::pow(r.beta2, static_cast<double>(t))));
  const float eps = static_cast<float>(r.eps);
  for (size_t g = 0; g < params_now.size(); g++)
    adam_update(params_now[g]->data(), m[g].data(), v[g].data(), grads[g].data(), grads[g].size(), b1, b2, c1, c2, step_size, sqrt_c2, eps);
}

}  // namespace steerlab
