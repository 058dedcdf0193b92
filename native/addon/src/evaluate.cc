// Evaluation and sweeps: the shared prefix once per chunk of images, then each vector's suffix,
// reduced straight into the per-label aggregates (native/metrics/label-aggregates.ts).
#include <algorithm>
#include <atomic>
#include <cmath>

#include "blas.h"
#include "mlp.h"

namespace steerlab {

void accumulate(const float* logits, const uint8_t* labels, int n, double* agg, const double* ref_logp, const double* ref_p, double* kl) {
  double* count = agg;
  double* ce_sum = agg + kClasses;
  double* correct = agg + 2 * kClasses;
  double* prob_sum = agg + 3 * kClasses;
  double* logit_sum = prob_sum + kClasses * kClasses;
  double e[kClasses];
  for (int i = 0; i < n; i++) {
    const float* z = logits + static_cast<size_t>(i) * kClasses;
    const int d = labels[i];
    // argmax (the first of equal maxima, like the TS loop) and the softmax in float64:
    // e_k = exp(z_k - max), s = sum_k e_k; CE = max + log(s) - z_d; p_k = e_k / s.
    int best = 0;
    for (int k = 1; k < kClasses; k++)
      if (z[k] > z[best]) best = k;
    const double mx = z[best];
    double s = 0;
    for (int k = 0; k < kClasses; k++) s += (e[k] = std::exp(static_cast<double>(z[k]) - mx));
    const double log_s = std::log(s);
    count[d] += 1;
    ce_sum[d] += mx + log_s - z[d];
    correct[d] += best == d ? 1 : 0;
    const double inv = 1.0 / s;
    for (int k = 0; k < kClasses; k++) {
      prob_sum[d * kClasses + k] += e[k] * inv;
      logit_sum[d * kClasses + k] += z[k];
    }
    if (kl) {
      // KL(p || q) = sum_k p_k (log p_k - log q_k), p the reference's softmax, log q_k = z_k - max - log(s).
      const double* lp = ref_logp + static_cast<size_t>(i) * kClasses;
      const double* pk = ref_p + static_cast<size_t>(i) * kClasses;
      double sum = 0;
      for (int k = 0; k < kClasses; k++) sum += pk[k] * (lp[k] - (z[k] - mx - log_s));
      kl[d] += sum;
    }
  }
}

namespace {
bool cancelled(int32_t* control) { return control && __atomic_load_n(control, __ATOMIC_RELAXED) != 0; }
void count_done(int32_t* control) {
  if (control) __atomic_fetch_add(control + 1, 1, __ATOMIC_RELAXED);
}
}  // namespace

namespace {

// patched = prefix + c_r vec, c_r = coef[r] for row r (1 without coef: an addition; -(x_r.u) for
// an ablation, x_r the row's activation at the hook); when the hook is a Linear's output and a ReLU
// follows, the ReLU (and the fixed addition after it) is applied in the same loop:
// patched = max(prefix + c_r vec, 0) + post. (1 * vec_j is exact: an addition's bits are unchanged.)
STEERLAB_CLONES
void add_vector(const float* prefix, const float* vec, const float* coef, const float* post, bool relu, int n, int width, float* patched) {
  for (int r = 0; r < n; r++) {
    const float* src = prefix + static_cast<size_t>(r) * width;
    float* dst = patched + static_cast<size_t>(r) * width;
    const float c = coef ? coef[r] : 1.0f;
    if (!relu) {
      for (int j = 0; j < width; j++) dst[j] = src[j] + c * vec[j];
    } else if (post) {
      for (int j = 0; j < width; j++) dst[j] = std::max(src[j] + c * vec[j], 0.0f) + post[j];
    } else {
      for (int j = 0; j < width; j++) dst[j] = std::max(src[j] + c * vec[j], 0.0f);
    }
  }
}

// c_r = -(x_r.u) for each row x_r of `act` (the dot products as one BLAS product, as
// ablate_rows takes them): x_r + c_r u is then x_r - (x_r.u) u, bit for bit ablate_rows.
void ablation_coefficients(const float* act, int n, int width, const float* u, float* coef) {
  project_rows(act, n, width, u, coef);
  for (int r = 0; r < n; r++) coef[r] = -coef[r];
}

}  // namespace

std::vector<double> run_evaluation(const EvalJob& job) {
  const Weights& m = *job.model;
  // Each vector's hook, and where its values start in job.vectors.
  std::vector<int> hooks(job.nvec, job.hook);
  if (!job.vector_hooks.empty()) hooks = job.vector_hooks;
  std::vector<size_t> offsets(job.nvec + 1, 0);
  for (int v = 0; v < job.nvec; v++) offsets[v + 1] = offsets[v] + m.width(hooks[v]);
  if (offsets[job.nvec] != job.vectors.size()) throw std::runtime_error("the vectors do not match their hooks' widths.");
  const int H = m.hooks();
  std::vector<bool> used(H, false);
  for (int h : hooks) {
    if (h < 0 || h >= H) throw std::runtime_error("a vector's hook is not a hook of the model.");
    used[h] = true;
  }
  // A vector inside a residual block needs the block's input too (the skip path of its suffix):
  // it is computed with the shared prefix, as an activation of its own.
  for (int h : hooks)
    if (const int input = m.block_input_of(h); input >= 0) used[input] = true;
  if (!job.actions.empty() && job.actions.size() != static_cast<size_t>(job.nvec)) throw std::runtime_error("actions must give one action per vector.");
  // Each ablating vector's unit direction, made once.
  std::vector<std::vector<float>> units(job.nvec);
  for (int v = 0; v < job.nvec; v++)
    if (!job.actions.empty() && job.actions[v] == Action::Ablate) units[v] = unit_direction(job.vectors.data() + offsets[v], m.width(hooks[v]));
  // The unpatched pass (a reference): its logits per chunk, its aggregates, each vector's KL sums.
  int deepest = 0;
  for (int h = 0; h < H; h++)
    if (used[h]) deepest = h;
  std::vector<float> reference_logits;
  std::vector<double> reference_logp, reference_p;
  std::vector<double> reference_agg(job.reference ? kAggregateSize : 0, 0.0), kl(job.reference ? static_cast<size_t>(job.nvec) * kClasses : 0, 0.0);
  // P = the BLAS threads configured. The shared prefix is always computed as P row blocks, one per
  // thread, each with single-threaded BLAS; vectors are then dealt out between the threads (BLAS
  // single-threaded) or, when there is only one, run with P BLAS threads. Keeping the prefix
  // split fixed makes a vector's numbers identical whether it runs alone or among many, and
  // whether its hook's activation came from a pass that stopped there or went on to later hooks.
  // (Running BLAS single-threaded in our own threads also keeps OpenBLAS's workers, which spin
  // after each call, from competing with ours.)
  const int P = std::max(1, blas_threads());
  const int vector_threads = std::max(1, std::min(P, job.nvec));
  std::vector<double> out(static_cast<size_t>(job.nvec) * kAggregateSize, 0.0);
  std::vector<std::vector<float>> prefix(H);
  // A hook followed by a Linear: W (a + v) + b = (W a + b) + W v, so the Linear after the hook is
  // applied to the shared activation once per chunk (`lifted`) and each vector enters as W v, one
  // product fewer per vector. Rounding differs from W (a + v) + b by float ulps, so the seed's family
  // keeps its direct path and its numbers bit for bit; other module lists take this one.
  std::vector<bool> lift(H, false);
  // At a block's input the vector also enters the skip path as itself: x + c v is formed for that
  // path (one addition per value, against the product per value that lifting saves).
  for (int h = 0; h + 1 < H; h++) lift[h] = used[h] && !m.is_seed() && m.layers[h + 1].op == Op::Linear;
  std::vector<std::vector<float>> lifted(H);  // the activation at each used hook, for this chunk
  std::vector<Buffers> bufs(P);
  std::vector<std::vector<float>> scratch(P), lifted_vec(P), coefs(P), skip_rows(P);
  std::vector<std::string> errors(P);
  auto run_parts = [&](int parts, int blas, const std::function<void(int)>& work) {
    set_blas_threads(blas);
    parallel_for(parts, [&](int t) {
      try {
        work(t);
      } catch (const Cancelled&) {
        errors[t] = "cancelled";
      } catch (const std::exception& e) {
        errors[t] = e.what();
      }
    });
    set_blas_threads(P);
    for (const std::string& e : errors) {
      if (e.empty()) continue;
      if (e == "cancelled") throw Cancelled();
      throw std::runtime_error(e);
    }
  };
  for (int start = 0; start < job.count; start += job.chunk) {
    const int n = std::min(job.chunk, job.count - start);
    for (int h = 0; h < H; h++)
      if (used[h]) prefix[h].resize(static_cast<size_t>(n) * m.width(h));
    for (int h = 0; h < H; h++)
      if (lift[h]) lifted[h].resize(static_cast<size_t>(n) * m.width(h + 1));
    if (job.reference) reference_logits.resize(static_cast<size_t>(n) * kClasses);
    // The shared prefix (pixels -> activation at each used hook), in P row blocks.
    run_parts(P, 1, [&](int t) {
      const int lo = n * t / P, hi = n * (t + 1) / P;
      if (hi <= lo) return;
      scratch[t].resize(static_cast<size_t>(hi - lo) * kInput);
      pixels_to_floats(job.pixels, nullptr, start + lo, hi - lo, scratch[t].data());
      const float* cur = scratch[t].data();
      int done_to = -1;
      for (int h = 0; h < H; h++) {
        if (!used[h]) continue;
        cur = forward_steps(m, cur, hi - lo, done_to + 1, h, job.fixed, bufs[t]);
        const size_t w = m.width(h);
        std::copy(cur, cur + (hi - lo) * w, prefix[h].data() + lo * w);
        if (lift[h]) {
          // Written to the other ping-pong buffer: `cur` stays the activation at h.
          const float* next = forward_steps(m, cur, hi - lo, h + 1, h + 1, job.fixed, bufs[t]);
          const size_t wn = m.width(h + 1);
          std::copy(next, next + (hi - lo) * wn, lifted[h].data() + lo * wn);
        }
        done_to = h;
      }
      if (job.reference) {
        // The rest of the unpatched pass from the deepest hook used (the fixed additions only).
        const float* ref = deepest < H - 1 ? forward_steps(m, cur, hi - lo, deepest + 1, H - 1, job.fixed, bufs[t]) : cur;
        std::copy(ref, ref + (hi - lo) * kClasses, reference_logits.data() + lo * kClasses);
      }
    });
    if (job.reference) {
      accumulate(reference_logits.data(), job.labels + start, n, reference_agg.data());
      reference_logp.resize(static_cast<size_t>(n) * kClasses);
      reference_p.resize(static_cast<size_t>(n) * kClasses);
      log_probs(reference_logits.data(), n, reference_logp.data(), reference_p.data());
    }
    // Each vector's suffix.
    run_parts(vector_threads, vector_threads > 1 ? 1 : P, [&](int t) {
      for (int v = t; v < job.nvec; v += vector_threads) {
        if (cancelled(job.control)) throw Cancelled();
        int hook = hooks[v];
        // Inside a block, the suffix adds back the block's unpatched input from the shared prefix.
        if (const int input = m.block_input_of(hook); input >= 0) use_block_input(bufs[t], input, prefix[input].data(), n);
        const bool ablate = !units[v].empty();
        const float* vec = ablate ? units[v].data() : job.vectors.data() + offsets[v];
        const float* from = prefix[hook].data();
        const float* coef = nullptr;
        if (ablate) {
          coefs[t].resize(n);
          ablation_coefficients(from, n, m.width(hook), vec, coefs[t].data());
          coef = coefs[t].data();
        }
        if (lift[hook]) {
          if (m.opens_block(hook)) {
            // The block's skip path gets the patched activation itself: x + c_r v.
            skip_rows[t].resize(static_cast<size_t>(n) * m.width(hook));
            add_vector(from, vec, coef, nullptr, false, n, m.width(hook), skip_rows[t].data());
            use_block_input(bufs[t], hook, skip_rows[t].data(), n);
          }
          // The vector as it arrives after the next Linear: W v (W is [out x in]); an ablation's
          // W (x - p u) + b is likewise (W x + b) - p (W u).
          const Layer& next = m.layers[hook + 1];
          lifted_vec[t].resize(next.width);
          gemm(false, true, 1, next.width, m.width(hook), vec, m.width(hook), m.w[next.param].data(), m.width(hook), 0.0f, lifted_vec[t].data(), next.width);
          vec = lifted_vec[t].data();
          from = lifted[hook].data();
          hook += 1;
        }
        const int width = m.width(hook);
        // A ReLU right after a Linear hook runs in the loop that adds the vector (the seed's path).
        const bool relu_next = hook + 1 < H && m.layers[hook].op == Op::Linear && m.layers[hook + 1].op == Op::Relu;
        const int resume = relu_next ? hook + 2 : hook + 1;
        const float* post = relu_next ? addition_at(job.fixed, hook + 1) : nullptr;
        scratch[t].resize(static_cast<size_t>(n) * width);
        add_vector(from, vec, coef, post, relu_next, n, width, scratch[t].data());
        const float* logits = resume <= H - 1 ? forward_steps(m, scratch[t].data(), n, resume, H - 1, job.fixed, bufs[t]) : scratch[t].data();
        double* agg = out.data() + static_cast<size_t>(v) * kAggregateSize;
        if (job.reference) accumulate(logits, job.labels + start, n, agg, reference_logp.data(), reference_p.data(), kl.data() + static_cast<size_t>(v) * kClasses);
        else accumulate(logits, job.labels + start, n, agg);
        count_done(job.control);
      }
    });
  }
  if (!job.reference) return out;
  // [unpatched aggregates, then per vector: its aggregates, its KL sums per label].
  std::vector<double> with_reference(reference_agg);
  for (int v = 0; v < job.nvec; v++) {
    with_reference.insert(with_reference.end(), out.begin() + static_cast<size_t>(v) * kAggregateSize, out.begin() + static_cast<size_t>(v + 1) * kAggregateSize);
    with_reference.insert(with_reference.end(), kl.begin() + static_cast<size_t>(v) * kClasses, kl.begin() + static_cast<size_t>(v + 1) * kClasses);
  }
  return with_reference;
}

}  // namespace steerlab
