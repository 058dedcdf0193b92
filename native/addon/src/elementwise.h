// Element-wise and row-wise functions shared by the forward pass (forward.cc) and training (train_network.cc).
#pragma once
#include <algorithm>
#include <cmath>

#include "mlp.h"

namespace steerlab {

// erf in float, vectorisable (libm's erff is a call per value, and GELU's erf then costs more than
// the products of a sweep): the rational approximation of Eigen and XLA, erf(x) = x P(x^2) / Q(x^2)
// on x clamped to [-4, 4] (beyond, erf is +-1 in float). Its largest error against double
// erf over [-10, 10] is 4.2e-7 (measured in steps of 1e-5), tfjs's own erf (Abramowitz-Stegun
// 7.1.26) is within 1.5e-7; both are far inside the 1e-5 the engines must agree to.
inline float erf_float(float a) {
  const float x = std::min(4.0f, std::max(-4.0f, a));
  const float x2 = x * x;
  float p = x2 * -2.72614225801306e-10f + 2.77068142495902e-08f;
  p = x2 * p + -2.10102402082508e-06f;
  p = x2 * p + -5.69250639462346e-05f;
  p = x2 * p + -7.34990630326855e-04f;
  p = x2 * p + -2.95459980854025e-03f;
  p = x2 * p + -1.60960333262415e-02f;
  p = x * p;
  float q = x2 * -1.45660718464996e-05f + -2.13374055278905e-04f;
  q = x2 * q + -1.68282697438203e-03f;
  q = x2 * q + -7.37332916720468e-03f;
  q = x2 * q + -1.42647390514189e-02f;
  return p / q;
}

// One row of torch.nn.LayerNorm's statistics, in float64: its mean, and 1 / sqrt(var + eps) with
// var the biased variance (PyTorch's) and eps 1e-5.
inline void layernorm_row_stats(const float* x, int w, double& mean, double& inv) {
  mean = 0;
  for (int j = 0; j < w; j++) mean += x[j];
  mean /= w;
  double var = 0;
  for (int j = 0; j < w; j++) var += (x[j] - mean) * (x[j] - mean);
  var /= w;
  inv = 1.0 / std::sqrt(var + kLayerNormEps);
}

}  // namespace steerlab
