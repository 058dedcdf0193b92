// The forward pass: one cblas_sgemm per Linear layer, then one fused loop for bias, ReLU and the
// activation additions; and the BLAS thread settings.
#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <thread>

#include "blas.h"
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

const float* forward_steps(const Weights& m, const float* in, int n, int first, int last, const Additions& add, Buffers& buf) {
  const float* cur = in;
  for (int k = first; k <= last; k++) {
    std::vector<float>& out = (cur == buf.x.data()) ? buf.y : buf.x;
    if (k % 2 == 1) {
      // A ReLU alone (the pass starts just after a Linear): out = max(in, 0) + add[k].
      const int w = m.width(k);
      out.resize(static_cast<size_t>(n) * w);
      const float* extra = add[k].empty() ? nullptr : add[k].data();
      for (int r = 0; r < n; r++) {
        const float* src = cur + static_cast<size_t>(r) * w;
        float* dst = out.data() + static_cast<size_t>(r) * w;
        for (int j = 0; j < w; j++) dst[j] = std::max(src[j], 0.0f) + (extra ? extra[j] : 0.0f);
      }
      cur = out.data();
      continue;
    }
    const int l = k / 2;
    const int fan_in = m.sizes[l], fan_out = m.sizes[l + 1];
    out.resize(static_cast<size_t>(n) * fan_out);
    // out = in W^T (W is [out x in]).
    gemm(false, true, n, fan_out, fan_in, cur, fan_in, m.w[l].data(), fan_in, 0.0f, out.data(), fan_out);
    const bool relu = k < 4 && k + 1 <= last;
    bias_relu(out.data(), n, fan_out, m.b[l].data(), add[k].empty() ? nullptr : add[k].data(), relu,
              relu && !add[k + 1].empty() ? add[k + 1].data() : nullptr);
    if (relu) k++;
    cur = out.data();
  }
  return cur;
}

void steer_logits(const Weights& m, const float* x, const Additions& add, float* out, Buffers& buf) {
  int first = 0;
  while (first < 5 && add[first].empty()) first++;
  const Additions none;
  if (first == 5) {
    const float* logits = forward_steps(m, x, 1, 0, 4, none, buf);
    std::copy(logits, logits + kClasses, out);
    std::copy(logits, logits + kClasses, out + kClasses);
    return;
  }
  // The shared pass to hook `first`, then two rows: [plain, plain + add[first]].
  const float* at = forward_steps(m, x, 1, 0, first, none, buf);
  const int w = m.width(first);
  std::vector<float> rows(2 * static_cast<size_t>(w));
  for (int j = 0; j < w; j++) {
    rows[j] = at[j];
    rows[w + j] = at[j] + add[first][j];
  }
  const float* cur = rows.data();
  for (int k = first + 1; k <= 4; k++) {
    // One step at a time so that later additions go to the steered row only.
    float* next = const_cast<float*>(forward_steps(m, cur, 2, k, k, none, buf));
    if (!add[k].empty()) {
      const int wk = m.width(k);
      for (int j = 0; j < wk; j++) next[wk + j] += add[k][j];
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
