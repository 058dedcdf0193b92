// Interventions beyond addition: directional ablation at a hook (native/model/interventions.ts)
// and the log-probabilities of the unpatched pass that the KL divergence of the side effects
// (native/analysis/intervention-run.ts) is measured from (evaluate.cc accumulate sums it).
#include <algorithm>
#include <cmath>

#include "blas.h"
#include "mlp.h"

namespace steerlab {

std::vector<float> unit_direction(const float* v, int width) {
  // u_i = v_i / sqrt(sum_j v_j^2), the sum and the quotient in float64, u_i rounded to float.
  double sq = 0;
  for (int i = 0; i < width; i++) sq += static_cast<double>(v[i]) * v[i];
  std::vector<float> u(width, 0.0f);
  if (sq == 0) return u;
  const double len = std::sqrt(sq);
  for (int i = 0; i < width; i++) u[i] = static_cast<float>(v[i] / len);
  return u;
}

void project_rows(const float* rows, int n, int width, const float* u, float* p) {
  // p [n x 1] = rows [n x width] u^T (u as a 1 x width matrix).
  gemm(false, true, n, 1, width, rows, width, u, width, 0.0f, p, 1);
}

STEERLAB_CLONES
void ablate_rows(float* rows, int n, int width, const float* u) {
  std::vector<float> p(n);
  project_rows(rows, n, width, u, p.data());
  for (int r = 0; r < n; r++) {
    float* x = rows + static_cast<size_t>(r) * width;
    // x_j - p u_j (the product rounded, then the difference: -ffp-contract=off keeps it so).
    for (int j = 0; j < width; j++) x[j] = x[j] - p[r] * u[j];
  }
}

const float* forward_ablated(const Weights& m, const float* in, int n, int last, const Additions& add, const std::vector<Ablation>& ablations, Buffers& buf) {
  // The hooks that ablate, in order; the pass runs to each, ablates there (a hook may hold
  // several, applied in the order given), and goes on from the next module.
  std::vector<int> at;
  for (const Ablation& a : ablations)
    if (a.hook <= last) at.push_back(a.hook);
  std::sort(at.begin(), at.end());
  at.erase(std::unique(at.begin(), at.end()), at.end());
  const float* cur = in;
  int first = 0;
  for (int hook : at) {
    // forward_steps never writes into `in` and returns one of `buf`'s own buffers, which we own.
    float* act = const_cast<float*>(forward_steps(m, cur, n, first, hook, add, buf));
    for (const Ablation& a : ablations)
      if (a.hook == hook) ablate_rows(act, n, m.width(hook), a.unit.data());
    cur = act;
    first = hook + 1;
  }
  return first <= last ? forward_steps(m, cur, n, first, last, add, buf) : cur;
}

void log_probs(const float* logits, int n, double* logp, double* p) {
  for (int i = 0; i < n; i++) {
    const float* z = logits + static_cast<size_t>(i) * kClasses;
    double* l = logp + static_cast<size_t>(i) * kClasses;
    // l_k = z_k - max - log(sum_j exp(z_j - max)); p_k = exp(l_k).
    double mx = z[0];
    for (int k = 1; k < kClasses; k++) mx = std::max(mx, static_cast<double>(z[k]));
    double s = 0;
    for (int k = 0; k < kClasses; k++) s += std::exp(z[k] - mx);
    const double log_s = std::log(s);
    for (int k = 0; k < kClasses; k++) {
      l[k] = z[k] - mx - log_s;
      p[static_cast<size_t>(i) * kClasses + k] = std::exp(l[k]);
    }
  }
}

}  // namespace steerlab
