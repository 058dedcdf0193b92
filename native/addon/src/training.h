// Training in the native engine: the loss and its gradients for any module list, residual blocks
// included (train_network.cc) or the seed's family (train_step.cc, its own fused kernels), and the
// optimisers of native/train/ (Adam, SGD with momentum, decoupled weight decay), in the same
// formulas and the same float32 rounding as the tfjs path.
#pragma once
#include <cstdint>
#include <vector>

#include "mlp.h"

namespace steerlab {

// One array per parameter in module order: each Linear's weight [out x in] and bias, each
// LayerNorm's weight and bias ([dW1, db1, dW2, db2, dW3, db3] for the seed).
using Grads = std::vector<std::vector<float>>;

// dst[j] = sum_r src[r][j] over n rows of width w (a bias gradient).
void column_sums(const float* src, int n, int w, float* dst);

// The parameter arrays of `m` in that order.
std::vector<std::vector<float>*> parameter_list(Weights& m);

// mulberry32, exactly as seededRandom in native/model/random.ts: uniform doubles in [0, 1), so
// the native dropout masks are the tfjs path's masks for the same seed.
struct Mulberry32 {
  uint32_t state = 0;
  double next() {
    state += 0x6d2b79f5u;
    uint32_t t = state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return static_cast<double>(t ^ (t >> 14)) / 4294967296.0;
  }
};

// L = mean_i (lse_i - z_i[y_i]) over the n x c logits z; z is overwritten with dL/dz = (softmax(z) - onehot(y)) / n.
double softmax_cross_entropy(float* z, const uint8_t* labels, int n, int c);

// The seed's family (Weights::is_seed): mean cross-entropy of the batch and its gradients.
double loss_and_gradients(const Weights& m, const float* x, const uint8_t* labels, int n, Grads& grads, Buffers& work);

// What one training pass of train_network.cc keeps between its forward and backward halves.
struct NetworkWork {
  std::vector<std::vector<float>> acts;   // the output of each module (after dropout where it applies)
  std::vector<std::vector<float>> kept;   // an activation's output before its dropout mask (masked hooks only)
  std::vector<std::vector<float>> masks;  // the dropout mask at each hook (0 or 1 / (1 - p)); empty: none
  std::vector<float> g, gin;              // the gradient flowing back, and the next one
  std::vector<std::vector<float>> skip_grads;  // by a residual block's input hook: dL/dx by the skip path
  Buffers buf;
};

// Any module list (Linear, the six activations, LayerNorm, residual blocks): mean cross-entropy of the batch and
// its gradients. With dropout > 0, inverted dropout after every activation but the logits, the
// masks drawn from `rng` in hook order, row by row (as NetworkTrainer.step draws them).
double network_loss_and_gradients(const Weights& m, const float* x, const uint8_t* labels, int n, double dropout, Mulberry32* rng, Grads& grads,
                                  NetworkWork& work);

enum class Optimizer { Adam, Sgd };

// A training recipe as native/train/train-types.ts TrainConfig has it.
struct TrainRecipe {
  Optimizer optimizer = Optimizer::Adam;
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double momentum = 0;      // SGD only
  double weight_decay = 0;  // decoupled (AdamW): p <- p (1 - lr W) before the optimiser's update
  double dropout = 0;
  uint32_t dropout_seed = 0;
};

// The model under training with its optimiser state; one call runs a run of steps.
struct TrainState {
  Weights params;
  TrainRecipe recipe;
  // Adam's moments (m, v), or SGD's momentum buffer (m); one per parameter array.
  Grads m, v, grads;
  long t = 0;
  Buffers work;
  NetworkWork net;
  Mulberry32 dropout_rng;
  std::vector<float> x;
  // The seed's model and recipe run the seed's fused kernels, whose numbers tests pin.
  bool seed_kernels() const { return params.is_seed() && recipe.optimizer == Optimizer::Adam && recipe.dropout == 0 && recipe.weight_decay == 0; }
  // Steps over batches order[(first+s)*batch ...]; losses[s] gets each step's mean loss.
  void run(const uint8_t* pixels, const uint8_t* labels, const uint32_t* order, int order_len, int first_step, int steps, int batch,
           int32_t* control, float* losses);

 private:
  void update();
};

}  // namespace steerlab
