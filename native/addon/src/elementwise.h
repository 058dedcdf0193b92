// Element-wise and row-wise functions shared by the forward pass (forward.cc) and training (train_network.cc).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

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

// exp in float, vectorisable (Cephes' expf): exp(x) = 2^n exp(r), n = round(x / ln 2), r = x - n ln 2
// (ln 2 split in two parts so r is exact), exp(r) by a degree-7 polynomial; x clamped to the
// range where exp is a normal float. Within 1e-7 relative of double exp over [-87, 88].
// n and 2^n come from the bits of x / ln 2 + 1.5 * 2^23 (whose low mantissa bits are round(x / ln 2)),
// not from a float-to-int conversion, so the loop around it vectorises.
inline float exp_float(float a) {
  const float x0 = std::min(88.3762626647949f, std::max(-87.3365447504019f, a));
  const float shifted = x0 * 1.44269504088896341f + 12582912.0f;
  const float n = shifted - 12582912.0f;
  int32_t shifted_bits;
  std::memcpy(&shifted_bits, &shifted, sizeof shifted_bits);
  float r = x0 - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * (r * r) + r + 1.0f;
  const int32_t scale_bits = (shifted_bits - 0x4B400000 + 127) << 23;  // 2^n: 0x4B400000 is 1.5 * 2^23
  float scale;
  std::memcpy(&scale, &scale_bits, sizeof scale);
  return y * scale;
}

// tanh in float, vectorisable (Eigen's fast tanh): x P(x^2) / Q(x^2) on x clamped to [-7.9, 7.9]
// (beyond, tanh is +-1 in float), x itself below 4e-4. Within 4e-7 of double tanh over [-20, 20].
inline float tanh_float(float a) {
  const float x = std::min(7.90531110763549805f, std::max(-7.90531110763549805f, a));
  const float x2 = x * x;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = x2 * p + -8.60467152213735e-11f;
  p = x2 * p + 5.12229709037114e-08f;
  p = x2 * p + 1.48572235717979e-05f;
  p = x2 * p + 6.37261928875436e-04f;
  p = x2 * p + 4.89352455891786e-03f;
  p = x * p;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = x2 * q + 2.26843463243900e-03f;
  q = x2 * q + 4.89352518554385e-03f;
  return std::fabs(a) < 0.0004f ? a : p / q;
}

// sigmoid(x) = 1 / (1 + exp(-x)), within 1.5e-7 relative of the double value everywhere.
inline float sigmoid_float(float x) { return 1.0f / (1.0f + exp_float(-x)); }

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
