// An MLP as the native kernels see it: a module list (Linear, elementwise activations,
// LayerNorm, residual blocks), weights in PyTorch layout (W is [out x in], row-major), one hook point per module
// as in native/model/spec.ts, and the per-label aggregates
// that native/metrics/label-aggregates.ts accumulates.
#pragma once
#include <array>
#include <functional>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace steerlab {

constexpr int kClasses = 10;
constexpr int kInput = 784;
// Per vector: count[10], ceSum[10], correct[10], probSum[10][10], logitSum[10][10].
constexpr int kAggregateSize = 3 * kClasses + 2 * kClasses * kClasses;

// The modules of linear_relu_stack as the kernels run them, one per hook point in forward order
// (native/model/spec.ts hookPoints). The seed's list is Linear, ReLU, Linear, ReLU, Linear.
// A residual block x + f(x) is flattened as spec.ts numbers its hooks: f's three modules
// (Linear, activation, Linear), then Op::Residual, whose output is x + f(x) with x the activation
// at the hook just before f (the block's input, its skip path):
//   the post's residual net: Linear | Linear Relu Linear | Residual | Linear  (hooks 0 | 1 2 3 | 4 | 5)
enum class Op { Linear, Relu, Gelu, Tanh, Sigmoid, LeakyRelu, Identity, LayerNorm, Residual };

// A residual block's f has this many modules (Linear, activation, Linear), so a Residual at hook k
// adds the activation at hook k - kBlockInner - 1.
constexpr int kBlockInner = 3;

// torch.nn defaults, as native/model/spec.ts has them (LEAKY_RELU_SLOPE, LAYERNORM_EPS).
constexpr float kLeakySlope = 0.01f;
constexpr double kLayerNormEps = 1e-5;
// At most this many hook points (spec.ts MAX_HOOK_INDEX + 1).
constexpr int kMaxHooks = 64;

struct Layer {
  Op op;
  int width;  // of the output (the activation at this hook)
  int param;  // which Linear (w, b) or LayerNorm (gamma, beta) it reads; for a Residual, the hook of
              // the block's input; -1 for activations
};

// An elementwise activation (no parameters, one output per input).
inline bool is_activation(Op op) { return op != Op::Linear && op != Op::LayerNorm && op != Op::Residual; }

struct Weights {
  std::vector<Layer> layers;  // one per hook point
  // sizes[0] = input width, then each Linear's output width in forward order ([784, h1, h2, 10] for the seed).
  std::vector<int> sizes;
  std::vector<std::vector<float>> w;  // Linear l: [sizes[l+1] x sizes[l]]
  std::vector<std::vector<float>> b;  // Linear l: [sizes[l+1]]
  std::vector<std::vector<float>> gamma, beta;  // LayerNorm n: [width]
  int hooks() const { return static_cast<int>(layers.size()); }
  int width(int hook) const { return layers[hook].width; }
  // True when the activation at `hook` enters a residual block (the Residual 4 hooks later adds it back).
  bool opens_block(int hook) const {
    const int r = hook + kBlockInner + 1;
    return hook >= 0 && r < hooks() && layers[r].op == Op::Residual;
  }
  // For a hook inside a residual block's f, the hook of the block's input; else -1.
  int block_input_of(int hook) const {
    for (int r = hook + 1; r <= hook + kBlockInner && r < hooks(); r++)
      if (layers[r].op == Op::Residual) return layers[r].param < hook ? layers[r].param : -1;
    return -1;
  }
  // Linear, ReLU, Linear, ReLU, Linear: the family with its own hand-fused training kernels (train_step.cc).
  bool is_seed() const {
    return layers.size() == 5 && layers[0].op == Op::Linear && layers[1].op == Op::Relu && layers[2].op == Op::Linear && layers[3].op == Op::Relu &&
           layers[4].op == Op::Linear;
  }
};

// What is added at each hook point (an empty vector, or no entry past the end: nothing).
using Additions = std::vector<std::vector<float>>;
inline const float* addition_at(const Additions& add, int hook) {
  return hook >= 0 && hook < static_cast<int>(add.size()) && !add[hook].empty() ? add[hook].data() : nullptr;
}

// Two ping-pong buffers reused across calls so the hot loops allocate nothing, and the input of
// each residual block a pass has entered (its skip path), by the hook it is the output of.
struct Buffers {
  std::vector<float> x, y;
  std::vector<std::vector<float>> skip_store;  // copies kept by forward_steps
  std::vector<const float*> skip;              // the block input at each hook (into skip_store, or the caller's)
  std::vector<int> skip_rows;                  // how many rows it holds
};

// Makes `rows` (n rows of the width at `hook`, a block's input) the skip path of the next pass
// that starts inside that block. Not copied: `rows` must outlive that pass.
void use_block_input(Buffers& buf, int hook, const float* rows, int n);

// GFLOP/s of cblas_sgemm on an m x k by k x n product, timed over about `seconds`.
double sgemm_gflops(int m, int n, int k, double seconds);

// Runs work(i) for i in 0..parts-1 on `parts` threads (this one included) and waits for all.
void parallel_for(int parts, const std::function<void(int)>& work);

// Element-wise loops are compiled for several instruction sets; the loader picks the best.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define STEERLAB_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define STEERLAB_CLONES
#endif

// Thrown inside a kernel when the caller's cancel flag is set.
struct Cancelled : std::runtime_error {
  Cancelled() : std::runtime_error("cancelled") {}
};

// Runs modules `first`..`last` of linear_relu_stack on `in` (n rows of the width before
// `first`), adding add[k] after step k. Returns a pointer into `buf` (valid until its next use).
// A residual block's input is kept in `buf` as the pass goes through it (or taken from `in` when
// the pass starts right after it), so consecutive calls on one `buf` may split a block. A pass that
// starts inside a block (after its f.0) reads the block's input kept by an earlier call on the
// same rows, or given with use_block_input; a pass from module 0 forgets every kept input.
const float* forward_steps(const Weights& m, const float* in, int n, int first, int last, const Additions& add, Buffers& buf);

// One input, unpatched and steered: 2 x 10 logits (row 0 unpatched, row 1 with `add`). The pass
// up to the first hook with an addition is shared; after it both rows go through each product together.
void steer_logits(const Weights& m, const float* x, const Additions& add, float* out, Buffers& buf);

// pixels (bytes) of the given rows -> floats in [0, 1], n x 784.
void pixels_to_floats(const uint8_t* pixels, const uint32_t* rows, int first_row, int n, float* out);

// Adds one chunk of logits (n x 10) into agg (kAggregateSize doubles), as accumulate() in TS.
// With a reference (ref_logp, ref_p: n x 10 from log_probs, and kl: 10 doubles), also adds each
// row's KL(reference || patched) = sum_k p_k (log p_k - log q_k) to kl[label] (float64).
void accumulate(const float* logits, const uint8_t* labels, int n, double* agg, const double* ref_logp = nullptr, const double* ref_p = nullptr, double* kl = nullptr);

// log softmax and softmax of n rows of 10 logits, in float64: log p_k = z_k - max - log(sum_j exp(z_j - max)).
void log_probs(const float* logits, int n, double* logp, double* p);

// What a vector of an evaluation does at its hook (native/model/interventions.ts), after the
// fixed additions there:
//   Add:    x -> x + v
//   Ablate: x -> x - (x.u) u with u = v / |v| (a zero v leaves x unchanged)
enum class Action : uint8_t { Add = 0, Ablate = 1 };

// u = v / |v| as interventions.ts ablateDirection makes it (|v|^2 summed in float64, each
// quotient rounded to float); all zeros for a zero v, so that ablating it changes nothing.
std::vector<float> unit_direction(const float* v, int width);

// p_r = x_r.u for each of n rows of `width` (one BLAS product, float).
void project_rows(const float* rows, int n, int width, const float* u, float* p);

// Every row x (n rows of `width`) becomes x - (x.u) u, in place: p = x.u (project_rows), then
// x_j - p u_j, the float operations of tfjs's matMul-then-sub.
void ablate_rows(float* rows, int n, int width, const float* u);

// Ablations for a forward pass: applied at their hook, after its addition, in the order given.
struct Ablation {
  int hook;
  std::vector<float> unit;  // unit_direction of the direction
};

// forward_steps over modules 0..last with additions and ablations.
const float* forward_ablated(const Weights& m, const float* in, int n, int last, const Additions& add, const std::vector<Ablation>& ablations, Buffers& buf);

// A sweep or an evaluation: the activations up to `hook` (with `fixed` additions) once per
// chunk of images, then for each vector the rest of the pass and the aggregates.
struct EvalJob {
  const Weights* model = nullptr;
  const uint8_t* pixels = nullptr;
  const uint8_t* labels = nullptr;
  int count = 0;
  Additions fixed;
  int hook = 0;
  std::vector<float> vectors;  // nvec x width(hook), or concatenated at each vector's own hook
  int nvec = 0;
  // Optional: each vector's own hook (a layer sweep); the activations at every hook used are
  // computed once per chunk and shared. Empty: all at `hook`.
  std::vector<int> vector_hooks;
  int chunk = 2000;
  int32_t* control = nullptr;  // [cancel flag, vector-chunks done]; may be null
  // Optional: what each vector does at its hook; empty: every vector is added.
  std::vector<Action> actions;
  // With a reference: the unpatched pass (only `fixed`) is run beside the vectors, and the result
  // is its aggregates, then per vector its aggregates followed by kClasses per-label KL sums
  // (KL(unpatched || patched) of each image, accumulate_kl). Without: kAggregateSize per vector.
  bool reference = false;
};
std::vector<double> run_evaluation(const EvalJob& job);

// Training (loss, gradients, optimisers) is declared in training.h.

}  // namespace steerlab
