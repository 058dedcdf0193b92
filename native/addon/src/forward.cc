// The forward pass over the module list: one cblas_sgemm per Linear layer, then one fused loop for
// bias, ReLU and the activation additions; plain loops for the other activations and LayerNorm; and the BLAS thread settings.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <chrono>
#include <thread>

#include "blas.h"
#include "elementwise.h"
#include "float_mode.h"
#include "mlp.h"

#if defined(STEERLAB_OPENBLAS)
extern "C" {
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
char* openblas_get_config(void);
}
#endif

namespace steerlab {

namespace {
int g_threads = 1;
}

void set_blas_threads(int threads) {
  g_threads = std::max(1, threads);
  // More threads than the pool has are created by this call, from this thread: they inherit its mode.
  FlushSubnormals flush;
#if defined(STEERLAB_OPENBLAS)
  openblas_set_num_threads(g_threads);
#endif
}

int blas_threads() {
#if defined(STEERLAB_OPENBLAS)
  return openblas_get_num_threads();
#else
  return g_threads;
#endif
}

std::string blas_name() {
#if defined(STEERLAB_OPENBLAS)
  return std::string(openblas_get_config());
#elif defined(STEERLAB_ACCELERATE)
  return "Apple Accelerate";
#else
  return "unknown BLAS";
#endif
}

void parallel_for(int parts, const std::function<void(int)>& work) {
  if (parts <= 1) return work(0);
  std::vector<std::thread> helpers;
  helpers.reserve(parts - 1);
  for (int i = 1; i < parts; i++)
    helpers.emplace_back([&work, i] {
      FlushSubnormals flush;
      work(i);
    });
  work(0);
  for (std::thread& h : helpers) h.join();
}

void pixels_to_floats(const uint8_t* pixels, const uint32_t* rows, int first_row, int n, float* out) {
  // x = byte / 255, exactly as pixelsToTensor divides.
  for (int r = 0; r < n; r++) {
    const size_t src = static_cast<size_t>(rows ? rows[r] : static_cast<uint32_t>(first_row + r)) * kInput;
    float* dst = out + static_cast<size_t>(r) * kInput;
    for (int c = 0; c < kInput; c++) dst[c] = static_cast<float>(pixels[src + c]) / 255.0f;
  }
}

namespace {
// After a Linear: v = (row + b) + pre; when the ReLU follows, v = max(v, 0) + post.
STEERLAB_CLONES
void bias_relu(float* out, int n, int w, const float* bias, const float* pre, bool relu, const float* post) {
  for (int r = 0; r < n; r++) {
    float* row = out + static_cast<size_t>(r) * w;
    if (relu && !pre && !post) {
      for (int j = 0; j < w; j++) row[j] = std::max(row[j] + bias[j], 0.0f);
      continue;
    }
    for (int j = 0; j < w; j++) {
      float v = row[j] + bias[j];
      if (pre) v += pre[j];
      if (relu) v = std::max(v, 0.0f) + (post ? post[j] : 0.0f);
      row[j] = v;
    }
  }
}
}  // namespace

namespace {

// GELU rows: 0.5 x (1 + erf(x / sqrt 2)) (the exact form, torch's default), then the addition.
STEERLAB_CLONES
void gelu_rows(const float* in, int n, int w, const float* extra, float* out) {
  for (int r = 0; r < n; r++) {
    const float* x = in + static_cast<size_t>(r) * w;
    float* y = out + static_cast<size_t>(r) * w;
    for (int j = 0; j < w; j++) y[j] = 0.5f * x[j] * (1.0f + erf_float(x[j] * 0.70710678118654752f));
    if (extra)
      for (int j = 0; j < w; j++) y[j] += extra[j];
  }
}

// One elementwise activation, as torch.nn computes it, then the addition at its hook:
//   relu: max(x, 0)   tanh: tanh(x)     sigmoid: 1 / (1 + exp(-x))   leaky_relu: x >= 0 ? x : 0.01 x   identity: x
// (tanh and sigmoid in the vectorisable forms of elementwise.h).
STEERLAB_CLONES
void activation_rows(Op op, const float* in, size_t count, int w, const float* extra, float* out) {
  // One loop per activation (not a switch inside one loop), so that each vectorises.
  switch (op) {
    case Op::Relu:
      for (size_t i = 0; i < count; i++) out[i] = std::max(in[i], 0.0f);
      break;
    case Op::Tanh:
      for (size_t i = 0; i < count; i++) out[i] = tanh_float(in[i]);
      break;
    case Op::Sigmoid:
      for (size_t i = 0; i < count; i++) out[i] = sigmoid_float(in[i]);
      break;
    case Op::LeakyRelu:
      for (size_t i = 0; i < count; i++) out[i] = in[i] >= 0.0f ? in[i] : kLeakySlope * in[i];
      break;
    default:
      std::copy(in, in + count, out);
      break;
  }
  if (extra)
    for (size_t row = 0; row < count; row += w)
      for (int j = 0; j < w; j++) out[row + j] += extra[j];
}

// torch.nn.LayerNorm over each row of width w, then the addition at its hook:
//   y = (x - mean) / sqrt(var + eps) * gamma + beta, var the biased variance (mean and var in float64).
void layernorm_rows(const float* in, int n, int w, const float* gamma, const float* beta, const float* extra, float* out) {
  for (int r = 0; r < n; r++) {
    const float* x = in + static_cast<size_t>(r) * w;
    float* y = out + static_cast<size_t>(r) * w;
    double mean, inv;
    layernorm_row_stats(x, w, mean, inv);
    for (int j = 0; j < w; j++) {
      const float v = static_cast<float>((x[j] - mean) * inv) * gamma[j] + beta[j];
      y[j] = extra ? v + extra[j] : v;
    }
  }
}

// Room for a block input at `hook` in buf's skip lists.
void make_skip_slot(Buffers& buf, int hook) {
  if (static_cast<int>(buf.skip.size()) > hook) return;
  buf.skip.resize(hook + 1, nullptr);
  buf.skip_rows.resize(hook + 1, 0);
  buf.skip_store.resize(hook + 1);
}

// Keeps a copy of a block's input (n rows of width w at `hook`) as its skip path.
void keep_block_input(Buffers& buf, int hook, const float* rows, int n, int w) {
  make_skip_slot(buf, hook);
  buf.skip_store[hook].assign(rows, rows + static_cast<size_t>(n) * w);
  buf.skip[hook] = buf.skip_store[hook].data();
  buf.skip_rows[hook] = n;
}

// out = x + f(x) (+ the addition at the block's hook), x the block's input kept in `buf`.
void residual_rows(const Buffers& buf, int input_hook, const float* fx, int n, int w, const float* extra, float* out) {
  const bool kept = input_hook < static_cast<int>(buf.skip.size()) && buf.skip[input_hook] && buf.skip_rows[input_hook] == n;
  if (!kept) throw std::runtime_error("a residual block's input (hook " + std::to_string(input_hook) + ") was not kept for this pass; run it from before the block.");
  const float* x = buf.skip[input_hook];
  for (int r = 0; r < n; r++) {
    const size_t at = static_cast<size_t>(r) * w;
    for (int j = 0; j < w; j++) out[at + j] = x[at + j] + fx[at + j];
    if (extra)
      for (int j = 0; j < w; j++) out[at + j] += extra[j];
  }
}

}  // namespace

void use_block_input(Buffers& buf, int hook, const float* rows, int n) {
  make_skip_slot(buf, hook);
  buf.skip[hook] = rows;
  buf.skip_rows[hook] = n;
}

const float* forward_steps(const Weights& m, const float* in, int n, int first, int last, const Additions& add, Buffers& buf) {
  const float* cur = in;
  // A pass from the pixels starts afresh; one that starts right after a block's input keeps `in`,
  // the activation there as the caller made it (with its additions or ablations).
  if (first == 0) std::fill(buf.skip.begin(), buf.skip.end(), nullptr);
  if (first <= last && m.opens_block(first - 1)) keep_block_input(buf, first - 1, in, n, m.width(first - 1));
  for (int k = first; k <= last; k++) {
    std::vector<float>& out = (cur == buf.x.data()) ? buf.y : buf.x;
    const Layer& layer = m.layers[k];
    const int w = layer.width;
    out.resize(static_cast<size_t>(n) * w);
    const float* extra = addition_at(add, k);
    // A block's input seen inside this pass is kept for the block's Residual (a later call that
    // starts right after it takes its own `in` instead).
    auto keep_if_block_input = [&](int hook) {
      if (hook < last && m.opens_block(hook)) keep_block_input(buf, hook, out.data(), n, m.width(hook));
    };
    if (layer.op == Op::Residual) {
      residual_rows(buf, layer.param, cur, n, w, extra, out.data());
      cur = out.data();
      keep_if_block_input(k);
      continue;
    }
    if (layer.op == Op::LayerNorm) {
      layernorm_rows(cur, n, w, m.gamma[layer.param].data(), m.beta[layer.param].data(), extra, out.data());
      cur = out.data();
      keep_if_block_input(k);
      continue;
    }
    if (layer.op != Op::Linear) {
      if (layer.op == Op::Relu) {
        // A ReLU alone (the pass starts just after a Linear): out = max(in, 0) + add[k].
        for (int r = 0; r < n; r++) {
          const float* src = cur + static_cast<size_t>(r) * w;
          float* dst = out.data() + static_cast<size_t>(r) * w;
          for (int j = 0; j < w; j++) dst[j] = std::max(src[j], 0.0f) + (extra ? extra[j] : 0.0f);
        }
      } else if (layer.op == Op::Gelu) {
        gelu_rows(cur, n, w, extra, out.data());
      } else {
        activation_rows(layer.op, cur, static_cast<size_t>(n) * w, w, extra, out.data());
      }
      cur = out.data();
      keep_if_block_input(k);
      continue;
    }
    const int l = layer.param;
    const int fan_in = m.sizes[l], fan_out = m.sizes[l + 1];
    // out = in W^T (W is [out x in]).
    gemm(false, true, n, fan_out, fan_in, cur, fan_in, m.w[l].data(), fan_in, 0.0f, out.data(), fan_out);
    // A ReLU right after the Linear runs in the same loop as the bias (the seed's path).
    const bool relu = k + 1 <= last && m.layers[k + 1].op == Op::Relu;
    bias_relu(out.data(), n, fan_out, m.b[l].data(), extra, relu, relu ? addition_at(add, k + 1) : nullptr);
    if (relu) k++;
    cur = out.data();
    keep_if_block_input(k);
  }
  return cur;
}

void steer_logits(const Weights& m, const float* x, const Additions& add, float* out, Buffers& buf) {
  const int hooks = m.hooks();
  int first = 0;
  while (first < hooks && !addition_at(add, first)) first++;
  const Additions none;
  if (first == hooks) {
    const float* logits = forward_steps(m, x, 1, 0, hooks - 1, none, buf);
    std::copy(logits, logits + kClasses, out);
    std::copy(logits, logits + kClasses, out + kClasses);
    return;
  }
  // The shared pass to hook `first`, then two rows: [plain, plain + add[first]].
  const float* at = forward_steps(m, x, 1, 0, first, none, buf);
  const int w = m.width(first);
  // Inside a residual block, its input (one row, unpatched) is the skip path of both rows.
  std::vector<float> skip_rows;
  if (const int input = m.block_input_of(first); input >= 0) {
    const int wi = m.width(input);
    skip_rows.resize(2 * static_cast<size_t>(wi));
    std::copy(buf.skip[input], buf.skip[input] + wi, skip_rows.begin());
    std::copy(buf.skip[input], buf.skip[input] + wi, skip_rows.begin() + wi);
    use_block_input(buf, input, skip_rows.data(), 2);
  }
  const float* extra = addition_at(add, first);
  std::vector<float> rows(2 * static_cast<size_t>(w));
  for (int j = 0; j < w; j++) {
    rows[j] = at[j];
    rows[w + j] = at[j] + extra[j];
  }
  const float* cur = rows.data();
  for (int k = first + 1; k < hooks; k++) {
    // One step at a time so that later additions go to the steered row only.
    float* next = const_cast<float*>(forward_steps(m, cur, 2, k, k, none, buf));
    if (const float* later = addition_at(add, k)) {
      const int wk = m.width(k);
      for (int j = 0; j < wk; j++) next[wk + j] += later[j];
    }
    cur = next;
  }
  std::copy(cur, cur + 2 * kClasses, out);
}

double sgemm_gflops(int m, int n, int k, double seconds) {
  // The machine's sgemm rate for one shape: repeated C = A B^T (the forward pass's layout) for
  // about `seconds`, after one untimed call that warms caches and the BLAS thread pool.
  std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(n) * k), c(static_cast<size_t>(m) * n);
  for (size_t i = 0; i < a.size(); i++) a[i] = static_cast<float>(i % 7) * 0.1f;
  for (size_t i = 0; i < b.size(); i++) b[i] = static_cast<float>(i % 5) * 0.1f;
  gemm(false, true, m, n, k, a.data(), k, b.data(), k, 0.0f, c.data(), n);
  const auto start = std::chrono::steady_clock::now();
  long reps = 0;
  double elapsed = 0;
  do {
    gemm(false, true, m, n, k, a.data(), k, b.data(), k, 0.0f, c.data(), n);
    reps++;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } while (elapsed < seconds && reps < 100000);
  return 2.0 * m * n * k * reps / elapsed / 1e9;
}

}  // namespace steerlab
