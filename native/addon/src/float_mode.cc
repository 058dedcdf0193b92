// Flush-to-zero for the native kernels; why and what in float_mode.h.
#include "float_mode.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "blas.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#endif

#if defined(STEERLAB_OPENBLAS)
// OpenBLAS's own pool management (exported by every pthreads build; weak, so that a BLAS without
// them still loads). Debian's OpenBLAS is not built with CONSISTENT_FPCSR, so its workers keep the
// floating-point mode they were created with: the pool is re-created from a flushing thread.
extern "C" int blas_thread_shutdown_(void) __attribute__((weak));
extern "C" int blas_thread_init(void) __attribute__((weak));
#endif

namespace steerlab {

namespace {

#if defined(__x86_64__) || defined(_M_X64)
constexpr unsigned long kFlushBits = 0x8040;  // MXCSR: FTZ (bit 15) | DAZ (bit 6)
unsigned long read_mode() { return _mm_getcsr(); }
void write_mode(unsigned long mode) { _mm_setcsr(static_cast<unsigned int>(mode)); }
#elif defined(__aarch64__)
constexpr unsigned long kFlushBits = 1ul << 24;  // FPCR: FZ, which flushes inputs and results
unsigned long read_mode() {
  unsigned long fpcr;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
  return fpcr;
}
void write_mode(unsigned long mode) { __asm__ __volatile__("msr fpcr, %0" : : "r"(mode)); }
#else
constexpr unsigned long kFlushBits = 0;  // no known control: the probe reports false
unsigned long read_mode() { return 0; }
void write_mode(unsigned long) {}
#endif

// 2^-130 from its bits: arithmetic under FTZ would already round it to 0.
float subnormal_2_pow_minus_130() {
  const uint32_t bits = 0x00080000u;  // exponent field 0, mantissa 2^19: 2^19 * 2^-149
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

bool all_zero(const std::vector<float>& values) {
  for (float v : values)
    if (v != 0.0f) return false;
  return true;
}

}  // namespace

bool flush_subnormals_enabled() {
  static const bool enabled = [] {
    const char* keep = std::getenv("STEERLAB_KEEP_SUBNORMALS");
    return !(keep && std::strcmp(keep, "1") == 0) && kFlushBits != 0;
  }();
  return enabled;
}

FlushSubnormals::FlushSubnormals() : saved_(read_mode()) {
  if (flush_subnormals_enabled()) write_mode(saved_ | kFlushBits);
}

FlushSubnormals::~FlushSubnormals() {
  if (flush_subnormals_enabled()) write_mode(saved_);
}

bool thread_flushes_subnormals() { return kFlushBits != 0 && (read_mode() & kFlushBits) == kFlushBits; }

void flush_subnormals_in_blas_threads() {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(STEERLAB_OPENBLAS)
    if (!flush_subnormals_enabled() || !blas_thread_shutdown_ || !blas_thread_init) return;
    FlushSubnormals flush;
    blas_thread_shutdown_();
    blas_thread_init();
#endif
  });
}

bool blas_flushes_subnormals() {
  FlushSubnormals flush;
  // 128 x 64 by 64 x 128: above OpenBLAS's size for splitting a product over its threads, so
  // every thread computes a block of C.
  const int m = 128, n = 128, k = 64;
  std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(k) * n), c(static_cast<size_t>(m) * n);
  // Results: each term 2^-70 * 2^-70 = 2^-140, a sum 64 * 2^-140 = 2^-134, all subnormal; FTZ makes them 0.
  std::fill(a.begin(), a.end(), std::ldexp(1.0f, -70));
  std::fill(b.begin(), b.end(), std::ldexp(1.0f, -70));
  std::fill(c.begin(), c.end(), 1.0f);
  gemm(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  const bool results_flushed = all_zero(c);
  // Inputs: 2^-130 (subnormal) * 2^20 = 2^-110, a sum 2^-104, normal; DAZ reads the input as 0.
  std::fill(a.begin(), a.end(), subnormal_2_pow_minus_130());
  std::fill(b.begin(), b.end(), std::ldexp(1.0f, 20));
  std::fill(c.begin(), c.end(), 1.0f);
  gemm(false, false, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
  return results_flushed && all_zero(c);
}

}  // namespace steerlab
