// Subnormal floats (0 < |x| < 2^-126, about 1.18e-38) flushed to zero in the native kernels.
//
// Why: Adam's first moment m decays by beta1 = 0.9 at every step where a weight's gradient is 0
// (a pixel that is blank in the whole batch, a unit whose ReLU is off for every image). After
// about 700 such steps m is subnormal, and there it sticks: 0.9 times 1..4 units of the last
// place rounds back to itself, so m never reaches 0. Default training holds 14k subnormal
// moments after epoch 1 and 34k after epoch 4, and an Adam step over them costs about twice as
// much (x86 handles subnormal operands and results in slow microcode). Flushing makes those
// moments exactly 0 instead; since m is then below 1.2e-38 either way, the weights change by
// less than a unit of their last place (see bench/README.md for the measured consequence).
//
// What: on x86-64, MXCSR's FTZ (results) and DAZ (inputs) bits; on arm64, FPCR's FZ bit (both).
// The kernels' calling threads get them for the length of a call only (FlushSubnormals below),
// so JavaScript on the same thread keeps IEEE arithmetic; OpenBLAS's own worker threads get them
// for good, by re-creating its thread pool once from a flushing thread (the new threads inherit
// the mode). STEERLAB_KEEP_SUBNORMALS=1 in the environment turns all of it off (gradual underflow
// everywhere, for comparison; the bench uses it to show the cost).
#pragma once

namespace steerlab {

// Sets flush-to-zero and denormals-are-zero on this thread for the life of the object, then
// restores the thread's previous mode. A no-op when STEERLAB_KEEP_SUBNORMALS=1.
class FlushSubnormals {
 public:
  FlushSubnormals();
  ~FlushSubnormals();
  FlushSubnormals(const FlushSubnormals&) = delete;
  FlushSubnormals& operator=(const FlushSubnormals&) = delete;

 private:
  unsigned long saved_;
};

// Whether the kernels flush subnormals (false only under STEERLAB_KEEP_SUBNORMALS=1).
bool flush_subnormals_enabled();

// Whether this thread flushes subnormal results and inputs right now.
bool thread_flushes_subnormals();

// Once per process, before any kernel runs: re-creates OpenBLAS's worker threads from a
// flushing thread so that they flush too. Elsewhere (another BLAS) it does nothing, and
// blas_flushes_subnormals() says so.
void flush_subnormals_in_blas_threads();

// Checked, not assumed: a product big enough to be split over every BLAS thread, whose exact
// results are subnormal (and one with subnormal inputs). True when every element came out 0,
// i.e. every thread that computed part of it flushed. Runs inside a FlushSubnormals.
bool blas_flushes_subnormals();

}  // namespace steerlab
