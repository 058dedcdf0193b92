// The one place that knows which BLAS is linked: cblas_sgemm for every matrix product, and the
// thread count of the library (OpenBLAS) where it can be set.
#pragma once

#if defined(STEERLAB_ACCELERATE)
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif
#include <string>

namespace steerlab {

// C[m x n] = alpha * op(A) op(B) + beta * C, all row-major.
inline void gemm(bool transA, bool transB, int m, int n, int k, const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
}

void set_blas_threads(int threads);
int blas_threads();
std::string blas_name();

}  // namespace steerlab
