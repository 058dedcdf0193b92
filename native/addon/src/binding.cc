// The JavaScript surface of the native engine (see native/backend/native-addon.ts for the
// TypeScript types): Model (any module list, residual blocks included: forward, evaluate, steer,
// lossAndGradients), Trainer (any such module list and recipe: run, weights), info,
// setThreads. Every argument is checked here again (the TypeScript side checks first and words
// the errors users see); a bad argument throws a TypeError/RangeError, never aborts.
// Long calls (evaluate, Trainer.run) run in an AsyncWorker whose Execute() touches no JS value:
// inputs are copied or pinned by a reference before, results are built in OnOK().
#include <napi.h>

#include <cmath>
#include <memory>
#include <string>
#include <thread>

#include "blas.h"
#include "float_mode.h"
#include "mlp.h"
#include "training.h"

namespace steerlab {
namespace {

[[noreturn]] void fail(Napi::Env env, const std::string& what) { throw Napi::TypeError::New(env, "steerlab native: " + what); }

int int_arg(const Napi::Value& v, const char* name, int lo, int hi) {
  if (!v.IsNumber()) fail(v.Env(), std::string(name) + " must be a number.");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || std::floor(d) != d)
    fail(v.Env(), std::string(name) + " must be a whole number in " + std::to_string(lo) + ".." + std::to_string(hi) + "; got " + std::to_string(d) + ".");
  return static_cast<int>(d);
}

template <typename T, napi_typedarray_type Type>
Napi::TypedArrayOf<T> typed_arg(const Napi::Value& v, const char* name, const char* type_name, size_t expected = SIZE_MAX) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != Type) fail(v.Env(), std::string(name) + " must be a " + type_name + ".");
  auto a = v.As<Napi::TypedArrayOf<T>>();
  if (expected != SIZE_MAX && a.ElementLength() != expected)
    fail(v.Env(), std::string(name) + " must have " + std::to_string(expected) + " values; got " + std::to_string(a.ElementLength()) + ".");
  return a;
}
auto f32_arg(const Napi::Value& v, const char* name, size_t expected = SIZE_MAX) { return typed_arg<float, napi_float32_array>(v, name, "Float32Array", expected); }
auto u8_arg(const Napi::Value& v, const char* name, size_t expected = SIZE_MAX) { return typed_arg<uint8_t, napi_uint8_array>(v, name, "Uint8Array", expected); }
auto u32_arg(const Napi::Value& v, const char* name, size_t expected = SIZE_MAX) { return typed_arg<uint32_t, napi_uint32_array>(v, name, "Uint32Array", expected); }

Napi::Int32Array control_arg(const Napi::Value& v) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array || v.As<Napi::Int32Array>().ElementLength() < 2)
    fail(v.Env(), "control must be an Int32Array of at least 2 values (cancel flag, progress).");
  return v.As<Napi::Int32Array>();
}

std::vector<float> finite_copy(const Napi::Float32Array& a, const char* name) {
  std::vector<float> out(a.Data(), a.Data() + a.ElementLength());
  for (size_t i = 0; i < out.size(); i++)
    if (!std::isfinite(out[i])) fail(a.Env(), std::string(name) + " holds a non-finite value at index " + std::to_string(i) + ".");
  return out;
}

// The module names the TypeScript side sends (native/model/native-model.ts nativeModules).
bool op_named(const std::string& name, Op& op) {
  static const std::pair<const char*, Op> names[] = {{"linear", Op::Linear},   {"relu", Op::Relu},       {"gelu", Op::Gelu},         {"tanh", Op::Tanh},
                                                     {"sigmoid", Op::Sigmoid}, {"leaky_relu", Op::LeakyRelu}, {"identity", Op::Identity}, {"layernorm", Op::LayerNorm},
                                                     {"residual", Op::Residual}};
  for (const auto& [n, o] : names)
    if (name == n) return op = o, true;
  return false;
}

// sizes: [784, out of each Linear in forward order]; modules: one name per hook point (absent: the
// seed's linear, relu, linear, relu, linear over sizes [784, h1, h2, 10]); params: each Linear's
// weight and bias and each LayerNorm's weight and bias, in module order, in PyTorch layout.
Weights weights_arg(const Napi::Value& sizes_v, const Napi::Value& params_v, const Napi::Value& modules_v) {
  Napi::Env env = sizes_v.Env();
  if (!sizes_v.IsArray() || sizes_v.As<Napi::Array>().Length() < 2 || sizes_v.As<Napi::Array>().Length() > kMaxHooks)
    fail(env, "sizes must be an array [784, out of each Linear ..., 10].");
  Weights m;
  auto sizes = sizes_v.As<Napi::Array>();
  for (uint32_t i = 0; i < sizes.Length(); i++) m.sizes.push_back(int_arg(sizes.Get(i), "each size", 1, 1 << 16));
  if (m.sizes.front() != kInput || m.sizes.back() != kClasses) fail(env, "sizes must start with 784 and end with 10.");
  std::vector<Op> ops;
  if (modules_v.IsUndefined() || modules_v.IsNull()) {
    if (m.sizes.size() != 4) fail(env, "sizes must be [784, h1, h2, 10] when no module list is given.");
    ops = {Op::Linear, Op::Relu, Op::Linear, Op::Relu, Op::Linear};
  } else {
    if (!modules_v.IsArray() || modules_v.As<Napi::Array>().Length() < 1 || modules_v.As<Napi::Array>().Length() > kMaxHooks)
      fail(env, "modules must be an array of 1 to 64 module names.");
    auto modules = modules_v.As<Napi::Array>();
    for (uint32_t k = 0; k < modules.Length(); k++) {
      Napi::Value e = modules.Get(k);
      Op op;
      if (!e.IsString() || !op_named(e.As<Napi::String>().Utf8Value(), op))
        fail(env, "module " + std::to_string(k) + " must be one of linear, relu, gelu, tanh, sigmoid, leaky_relu, identity, layernorm, residual.");
      ops.push_back(op);
    }
  }
  if (ops.front() != Op::Linear || ops.back() != Op::Linear) fail(env, "the module list must start and end with a Linear layer.");
  size_t linears = 0, norms = 0;
  for (Op op : ops) linears += op == Op::Linear, norms += op == Op::LayerNorm;
  if (linears != m.sizes.size() - 1) fail(env, "sizes must hold 784 and one width per Linear layer of the module list.");
  if (!params_v.IsArray() || params_v.As<Napi::Array>().Length() != 2 * (linears + norms))
    fail(env, "params must be an array of " + std::to_string(2 * (linears + norms)) + " Float32Arrays: weight and bias of each Linear and LayerNorm, in module order.");
  auto params = params_v.As<Napi::Array>();
  int width = kInput;
  uint32_t next = 0;
  for (Op op : ops) {
    Layer layer{op, width, -1};
    if (op == Op::Linear) {
      const int l = static_cast<int>(m.w.size());
      const size_t out = m.sizes[l + 1], in = m.sizes[l];
      if (static_cast<int>(in) != width) fail(env, "Linear " + std::to_string(l + 1) + " takes " + std::to_string(in) + " features but its input has " + std::to_string(width) + ".");
      m.w.push_back(finite_copy(f32_arg(params.Get(next++), "a weight matrix", out * in), "a weight matrix"));
      m.b.push_back(finite_copy(f32_arg(params.Get(next++), "a bias", out), "a bias"));
      layer.param = l;
      layer.width = width = static_cast<int>(out);
    } else if (op == Op::Residual) {
      // x + f(x): the three modules before it are f = Linear(w), an activation, Linear(w), and the
      // one before those gives x, of the same width w.
      const int k = static_cast<int>(m.layers.size()), input = k - kBlockInner - 1;
      const auto& L = m.layers;
      const bool shaped = input >= 0 && L[k - 3].op == Op::Linear && is_activation(L[k - 2].op) && L[k - 1].op == Op::Linear;
      if (!shaped) fail(env, "module " + std::to_string(k) + " (residual) must follow a block's f: linear, an activation, linear, after the block's input.");
      if (L[k - 3].width != L[input].width || L[k - 1].width != L[input].width)
        fail(env, "module " + std::to_string(k) + " (residual) adds f(x) to its " + std::to_string(L[input].width) + "-wide input, so both of f's Linear layers must give " +
                      std::to_string(L[input].width) + " features.");
      layer.param = input;
    } else if (op == Op::LayerNorm) {
      layer.param = static_cast<int>(m.gamma.size());
      m.gamma.push_back(finite_copy(f32_arg(params.Get(next++), "a LayerNorm weight", width), "a LayerNorm weight"));
      m.beta.push_back(finite_copy(f32_arg(params.Get(next++), "a LayerNorm bias", width), "a LayerNorm bias"));
    }
    m.layers.push_back(layer);
  }
  return m;
}

// additions: an array of one entry per hook, each null/undefined or a Float32Array of the hook's width.
Additions additions_arg(const Weights& m, const Napi::Value& v) {
  Additions add(m.hooks());
  if (v.IsUndefined() || v.IsNull()) return add;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != static_cast<uint32_t>(m.hooks()))
    fail(v.Env(), "additions must be an array of " + std::to_string(m.hooks()) + " entries (one per hook), each null or a Float32Array.");
  auto arr = v.As<Napi::Array>();
  for (uint32_t k = 0; k < arr.Length(); k++) {
    Napi::Value e = arr.Get(k);
    if (e.IsNull() || e.IsUndefined()) continue;
    add[k] = finite_copy(f32_arg(e, "an addition", m.width(k)), "an addition");
  }
  return add;
}

// ablations: absent, or an array of { hook, direction: Float32Array of the hook's width }, applied
// in order at their hooks after the additions there.
std::vector<Ablation> ablations_arg(const Weights& m, const Napi::Value& v) {
  std::vector<Ablation> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray() || v.As<Napi::Array>().Length() > 1024) fail(v.Env(), "ablations must be an array of at most 1024 { hook, direction } entries.");
  auto arr = v.As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value e = arr.Get(i);
    if (!e.IsObject()) fail(v.Env(), "each ablation must be an object { hook, direction }.");
    auto o = e.As<Napi::Object>();
    const int hook = int_arg(o.Get("hook"), "an ablation's hook", 0, m.hooks() - 1);
    const std::vector<float> direction = finite_copy(f32_arg(o.Get("direction"), "an ablation's direction", m.width(hook)), "an ablation's direction");
    out.push_back({hook, unit_direction(direction.data(), m.width(hook))});
  }
  return out;
}

// Every buffer handed to JavaScript is allocated by V8 and copied into, never wrapped external
// memory: inside Electron, V8's memory cage refuses ArrayBuffers that point outside it.
Napi::Float32Array to_f32(Napi::Env env, const float* data, size_t n) {
  auto out = Napi::Float32Array::New(env, n);
  std::copy(data, data + n, out.Data());
  return out;
}

// Arrays in module order (parameter_list): [W1, b1, W2, b2, W3, b3] for the seed.
Napi::Array arrays_out(Napi::Env env, const std::vector<std::vector<float>>& arrays) {
  auto out = Napi::Array::New(env, arrays.size());
  for (uint32_t i = 0; i < arrays.size(); i++) out.Set(i, to_f32(env, arrays[i].data(), arrays[i].size()));
  return out;
}

Napi::Array params_out(Napi::Env env, Weights& m) {
  std::vector<std::vector<float>> arrays;
  for (const std::vector<float>* p : parameter_list(m)) arrays.push_back(*p);
  return arrays_out(env, arrays);
}

// Holds JS objects alive (pinned) while a worker thread reads their memory.
struct Pins {
  std::vector<Napi::ObjectReference> refs;
  void add(const Napi::Object& o) { refs.push_back(Napi::Persistent(o)); }
};

// Runs a kernel with subnormals flushed (float_mode.h) and turns any exception into the message
// of the call's error ("cancelled" for a cancel), so nothing escapes a worker thread.
template <typename F>
std::string guarded(F&& kernel) {
  FlushSubnormals flush;
  try {
    kernel();
    return "";
  } catch (const Cancelled&) {
    return "cancelled";
  } catch (const std::bad_alloc&) {
    return "steerlab native: out of memory";
  } catch (const std::exception& e) {
    return std::string("steerlab native: ") + e.what();
  }
}

class EvaluateWorker : public Napi::AsyncWorker {
 public:
  EvaluateWorker(Napi::Env env, EvalJob job, Pins pins) : Napi::AsyncWorker(env, "steerlab:evaluate"), job_(std::move(job)), pins_(std::move(pins)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    const std::string error = guarded([&] { result_ = run_evaluation(job_); });
    if (!error.empty()) SetError(error);
  }
  void OnOK() override {
    // A cancel that arrived before the result is delivered still applies.
    if (job_.control && __atomic_load_n(job_.control, __ATOMIC_RELAXED) != 0) return deferred_.Reject(Napi::Error::New(Env(), "cancelled").Value());
    auto out = Napi::Float64Array::New(Env(), result_.size());
    std::copy(result_.begin(), result_.end(), out.Data());
    deferred_.Resolve(out);
  }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  EvalJob job_;
  Pins pins_;
  Napi::Promise::Deferred deferred_;
  std::vector<double> result_;
};

class Model : public Napi::ObjectWrap<Model> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Model",
                       {InstanceMethod("forward", &Model::Forward), InstanceMethod("evaluate", &Model::Evaluate),
                        InstanceMethod("evaluateSync", &Model::EvaluateSync), InstanceMethod("steer", &Model::Steer), InstanceMethod("lossAndGradients", &Model::LossAndGradients),
                        InstanceMethod("intervene", &Model::Intervene)});
  }
  // new Model(sizes, params, modules?)
  explicit Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) { weights_ = std::make_shared<Weights>(weights_arg(info[0], info[1], info[2])); }

 private:
  std::shared_ptr<const Weights> weights_;

  // forward(x: Float32Array [rows x 784], rows, additions, upTo: a hook, sumRows: boolean, ablations?): Float32Array
  Napi::Value Forward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const Weights& m = *weights_;
    const int rows = int_arg(info[1], "rows", 1, 1 << 20);
    auto x = f32_arg(info[0], "x", static_cast<size_t>(rows) * kInput);
    for (size_t i = 0; i < x.ElementLength(); i++)
      if (!std::isfinite(x[i])) fail(env, "x holds a non-finite value at index " + std::to_string(i) + ".");
    Additions add = additions_arg(m, info[2]);
    const int up_to = int_arg(info[3], "upTo", 0, m.hooks() - 1);
    const bool sum_rows = info[4].ToBoolean();
    const std::vector<Ablation> ablations = ablations_arg(m, info[5]);
    Buffers buf;
    FlushSubnormals flush;
    const float* out = ablations.empty() ? forward_steps(m, x.Data(), rows, 0, up_to, add, buf) : forward_ablated(m, x.Data(), rows, up_to, add, ablations, buf);
    const int w = m.width(up_to);
    if (!sum_rows) return to_f32(env, out, static_cast<size_t>(rows) * w);
    std::vector<double> sums(w, 0.0);  // row sums in float64
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < w; j++) sums[j] += out[static_cast<size_t>(r) * w + j];
    auto res = Napi::Float64Array::New(env, w);
    std::copy(sums.begin(), sums.end(), res.Data());
    return res;
  }

  // steer(x: Float32Array [784], additions): Float32Array [20], unpatched logits then steered.
  Napi::Value Steer(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    auto x = f32_arg(info[0], "x", kInput);
    for (size_t i = 0; i < x.ElementLength(); i++)
      if (!std::isfinite(x[i])) fail(env, "x holds a non-finite value at index " + std::to_string(i) + ".");
    Additions add = additions_arg(*weights_, info[1]);
    auto out = Napi::Float32Array::New(env, 2 * kClasses);
    steer_buffers_.x.reserve(1024);
    FlushSubnormals flush;
    steer_logits(*weights_, x.Data(), add, out.Data(), steer_buffers_);
    return out;
  }
  Buffers steer_buffers_;  // reused: a steer allocates nothing after the first

  // (pixels: Uint8Array, labels: Uint8Array, count, fixed additions, hook, vectors: Float32Array, nvec, chunk)
  EvalJob job_arg(const Napi::CallbackInfo& info, Pins& pins) {
    Napi::Env env = info.Env();
    EvalJob job;
    job.model = weights_.get();
    job.count = int_arg(info[2], "count", 1, 1 << 24);
    auto pixels = u8_arg(info[0], "pixels");
    auto labels = u8_arg(info[1], "labels");
    if (pixels.ElementLength() < static_cast<size_t>(job.count) * kInput) fail(env, "pixels holds fewer than count images.");
    if (labels.ElementLength() < static_cast<size_t>(job.count)) fail(env, "labels holds fewer than count labels.");
    for (int i = 0; i < job.count; i++)
      if (labels[i] >= kClasses) fail(env, "label " + std::to_string(i) + " is " + std::to_string(labels[i]) + "; labels must be 0..9.");
    job.fixed = additions_arg(*weights_, info[3]);
    job.nvec = int_arg(info[6], "nvec", 1, 1 << 16);
    size_t values = 0;
    if (info[4].IsArray()) {
      // One hook per vector (a layer sweep): vectors holds each at its own hook's width, in order.
      auto hooks = info[4].As<Napi::Array>();
      if (hooks.Length() != static_cast<uint32_t>(job.nvec)) fail(env, "hooks must list one hook per vector.");
      for (uint32_t v = 0; v < hooks.Length(); v++) {
        job.vector_hooks.push_back(int_arg(hooks.Get(v), "each hook", 0, weights_->hooks() - 1));
        values += weights_->width(job.vector_hooks.back());
      }
    } else {
      job.hook = int_arg(info[4], "hook", 0, weights_->hooks() - 1);
      values = static_cast<size_t>(job.nvec) * weights_->width(job.hook);
    }
    job.vectors = finite_copy(f32_arg(info[5], "vectors", values), "vectors");
    job.chunk = int_arg(info[7], "chunk", 1, 1 << 20);
    job.pixels = pixels.Data();
    job.labels = labels.Data();
    pins.add(pixels);
    pins.add(labels);
    return job;
  }

  // Runs `job` off the JavaScript thread with its cancel flag, keeping its buffers and this Model alive until it settles.
  Napi::Value queue_evaluation(const Napi::CallbackInfo& info, EvalJob job, Pins pins, Napi::Int32Array control) {
    job.control = control.Data();
    pins.add(control);
    pins.add(info.This().As<Napi::Object>());
    auto* worker = new EvaluateWorker(info.Env(), std::move(job), std::move(pins));
    worker->Queue();
    return worker->Promise();
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    Pins pins;
    EvalJob job = job_arg(info, pins);
    auto control = control_arg(info[8]);
    return queue_evaluation(info, std::move(job), std::move(pins), control);
  }

  // intervene(pixels, labels, count, fixed, hook | hooks, vectors, nvec, chunk, control, actions: Uint8Array
  // [nvec], 0 add, 1 ablate) -> Promise<Float64Array>: the unpatched aggregates, then per vector its
  // aggregates and its per-label KL(unpatched || patched) sums (EvalJob::reference).
  Napi::Value Intervene(const Napi::CallbackInfo& info) {
    Pins pins;
    EvalJob job = job_arg(info, pins);
    auto control = control_arg(info[8]);
    auto actions = u8_arg(info[9], "actions", static_cast<size_t>(job.nvec));
    for (size_t v = 0; v < actions.ElementLength(); v++) {
      if (actions[v] > 1) fail(info.Env(), "actions[" + std::to_string(v) + "] is " + std::to_string(actions[v]) + "; each action must be 0 (add) or 1 (ablate).");
      job.actions.push_back(static_cast<Action>(actions[v]));
    }
    job.reference = true;
    return queue_evaluation(info, std::move(job), std::move(pins), control);
  }

  Napi::Value EvaluateSync(const Napi::CallbackInfo& info) {
    Pins pins;
    EvalJob job = job_arg(info, pins);
    std::vector<double> result;
    const std::string error = guarded([&] { result = run_evaluation(job); });
    if (!error.empty()) throw Napi::Error::New(info.Env(), error);
    auto out = Napi::Float64Array::New(info.Env(), result.size());
    std::copy(result.begin(), result.end(), out.Data());
    return out;
  }

  // lossAndGradients(x: Float32Array [rows x 784], labels: Uint8Array, rows) -> { loss, grads }: no
  // dropout; grads in module order, each Linear's weight and bias and each LayerNorm's (PyTorch layout).
  Napi::Value LossAndGradients(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const int rows = int_arg(info[2], "rows", 1, 1 << 20);
    auto x = f32_arg(info[0], "x", static_cast<size_t>(rows) * kInput);
    auto labels = u8_arg(info[1], "labels", rows);
    for (size_t i = 0; i < x.ElementLength(); i++)
      if (!std::isfinite(x[i])) fail(env, "x holds a non-finite value at index " + std::to_string(i) + ".");
    for (int i = 0; i < rows; i++)
      if (labels[i] >= kClasses) fail(env, "labels must be 0..9.");
    Grads grads;
    double loss;
    {
      FlushSubnormals flush;
      if (weights_->is_seed()) {
        Buffers work;
        loss = loss_and_gradients(*weights_, x.Data(), labels.Data(), rows, grads, work);
      } else {
        NetworkWork work;
        loss = network_loss_and_gradients(*weights_, x.Data(), labels.Data(), rows, 0.0, nullptr, grads, work);
      }
    }
    auto out = Napi::Object::New(env);
    out.Set("loss", loss);
    out.Set("grads", arrays_out(env, grads));
    return out;
  }
};

class TrainWorker;

class Trainer : public Napi::ObjectWrap<Trainer> {
 public:
  static Napi::Function Init(Napi::Env env) {
    return DefineClass(env, "Trainer", {InstanceMethod("run", &Trainer::Run), InstanceMethod("weights", &Trainer::WeightsOut), InstanceMethod("subnormals", &Trainer::Subnormals), InstanceAccessor("steps", &Trainer::Steps, nullptr)});
  }
  // new Trainer(sizes, params, { learningRate, beta1, beta2, epsilon, optimizer, momentum, weightDecay,
  //   dropout, dropoutSeed, modules }): absent keys are the seed's recipe (Adam, no decay, no dropout)
  //   and the seed's module list; params as for Model.
  explicit Trainer(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Trainer>(info) {
    Napi::Env env = info.Env();
    if (!info[2].IsObject()) fail(env, "options must be an object { learningRate, beta1, beta2, epsilon, optimizer, momentum, weightDecay, dropout, dropoutSeed, modules }.");
    auto o = info[2].As<Napi::Object>();
    state_.params = weights_arg(info[0], info[1], o.Get("modules"));
    // A number in [lo, hi) (open at lo unless lo_closed).
    auto num = [&](const char* key, double fallback, double lo, double hi, bool lo_closed = false) {
      Napi::Value v = o.Get(key);
      if (v.IsUndefined()) return fallback;
      const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : NAN;
      if (!((lo_closed ? d >= lo : d > lo) && d < hi)) fail(env, std::string(key) + " is out of range.");
      return d;
    };
    TrainRecipe& r = state_.recipe;
    r.lr = num("learningRate", 1e-3, 0, 10);
    r.beta1 = num("beta1", 0.9, 0, 1);
    r.beta2 = num("beta2", 0.999, 0, 1);
    r.eps = num("epsilon", 1e-8, 0, 1);
    r.momentum = num("momentum", 0, 0, 1, true);
    r.weight_decay = num("weightDecay", 0, 0, 1e6, true);
    if (r.weight_decay * r.lr >= 1) fail(env, "weightDecay times learningRate must be below 1.");
    r.dropout = num("dropout", 0, 0, 1, true);
    const double seed = num("dropoutSeed", 0, 0, 4294967296.0, true);
    if (std::floor(seed) != seed) fail(env, "dropoutSeed must be a whole number in 0..2^32-1.");
    r.dropout_seed = static_cast<uint32_t>(seed);
    state_.dropout_rng.state = r.dropout_seed;
    Napi::Value optimizer = o.Get("optimizer");
    if (!optimizer.IsUndefined()) {
      const std::string name = optimizer.IsString() ? optimizer.As<Napi::String>().Utf8Value() : "";
      if (name != "adam" && name != "sgd") fail(env, "optimizer must be \"adam\" or \"sgd\".");
      r.optimizer = name == "sgd" ? Optimizer::Sgd : Optimizer::Adam;
    }
    if (r.momentum > 0 && r.optimizer != Optimizer::Sgd) fail(env, "momentum applies to the sgd optimizer only.");
  }
  bool busy = false;
  TrainState state_;

 private:
  Napi::Value Run(const Napi::CallbackInfo& info);
  Napi::Value WeightsOut(const Napi::CallbackInfo& info) {
    if (busy) fail(info.Env(), "the trainer is running; read its weights after run() settles.");
    return params_out(info.Env(), state_.params);
  }
  // How many parameters and Adam moments are subnormal now: 0 while the kernels flush them.
  Napi::Value Subnormals(const Napi::CallbackInfo& info) {
    if (busy) fail(info.Env(), "the trainer is running; count after run() settles.");
    auto count = [](const std::vector<float>& values) {
      double n = 0;
      for (float f : values) n += std::fpclassify(f) == FP_SUBNORMAL ? 1 : 0;
      return n;
    };
    double params = 0, m = 0, v = 0;
    for (const std::vector<float>* p : parameter_list(state_.params)) params += count(*p);
    for (const auto& moment : state_.m) m += count(moment);
    for (const auto& moment : state_.v) v += count(moment);
    auto out = Napi::Object::New(info.Env());
    out.Set("params", params);
    out.Set("m", m);
    out.Set("v", v);
    return out;
  }
  Napi::Value Steps(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), static_cast<double>(state_.t)); }
};

class TrainWorker : public Napi::AsyncWorker {
 public:
  TrainWorker(Napi::Env env, Trainer* trainer, Pins pins, const uint8_t* pixels, const uint8_t* labels, const uint32_t* order, int order_len, int first, int steps, int batch,
              int32_t* control)
      : Napi::AsyncWorker(env, "steerlab:train"), trainer_(trainer), pins_(std::move(pins)), pixels_(pixels), labels_(labels), order_(order), order_len_(order_len),
        first_(first), steps_(steps), batch_(batch), control_(control), losses_(steps), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    const std::string error = guarded([&] { trainer_->state_.run(pixels_, labels_, order_, order_len_, first_, steps_, batch_, control_, losses_.data()); });
    if (!error.empty()) SetError(error);
  }
  void OnOK() override {
    trainer_->busy = false;
    deferred_.Resolve(to_f32(Env(), losses_.data(), losses_.size()));
  }
  void OnError(const Napi::Error& e) override {
    trainer_->busy = false;
    deferred_.Reject(e.Value());
  }

 private:
  Trainer* trainer_;
  Pins pins_;
  const uint8_t* pixels_;
  const uint8_t* labels_;
  const uint32_t* order_;
  int order_len_, first_, steps_, batch_;
  int32_t* control_;
  std::vector<float> losses_;
  Napi::Promise::Deferred deferred_;
};

// run(pixels: Uint8Array, labels: Uint8Array, order: Uint32Array, firstStep, steps, batchSize, control) -> Promise<Float32Array losses>
Napi::Value Trainer::Run(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (busy) fail(env, "the trainer is already running; await the previous run() first.");
  auto pixels = u8_arg(info[0], "pixels");
  auto labels = u8_arg(info[1], "labels");
  auto order = u32_arg(info[2], "order");
  const int first = int_arg(info[3], "firstStep", 0, 1 << 24);
  const int steps = int_arg(info[4], "steps", 1, 1 << 20);
  const int batch = int_arg(info[5], "batchSize", 1, 1 << 16);
  auto control = control_arg(info[6]);
  const size_t images = std::min(pixels.ElementLength() / kInput, labels.ElementLength());
  const size_t order_len = order.ElementLength();
  if (static_cast<size_t>(first + steps - 1) * batch >= order_len) fail(env, "firstStep + steps runs past the end of order.");
  for (size_t i = 0; i < order_len; i++)
    if (order[i] >= images) fail(env, "order[" + std::to_string(i) + "] = " + std::to_string(order[i]) + " is not an image index (there are " + std::to_string(images) + ").");
  for (size_t i = 0; i < images; i++)
    if (labels[i] >= kClasses) fail(env, "label " + std::to_string(i) + " is not 0..9.");
  Pins pins;
  pins.add(pixels);
  pins.add(labels);
  pins.add(order);
  pins.add(control);
  pins.add(info.This().As<Napi::Object>());
  busy = true;
  auto* worker = new TrainWorker(env, this, std::move(pins), pixels.Data(), labels.Data(), order.Data(), static_cast<int>(order_len), first, steps, batch, control.Data());
  worker->Queue();
  return worker->Promise();
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto out = Napi::Object::New(info.Env());
  out.Set("blas", blas_name());
  out.Set("threads", blas_threads());
  out.Set("hardwareThreads", static_cast<double>(std::thread::hardware_concurrency()));
  out.Set("abi", 1);
  // Checked by a product on every BLAS thread, not assumed (float_mode.h).
  out.Set("flushesSubnormals", blas_flushes_subnormals());
  out.Set("callerFlushesOutsideCalls", thread_flushes_subnormals());
  return out;
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  set_blas_threads(int_arg(info[0], "threads", 1, 1024));
  return Napi::Number::New(info.Env(), blas_threads());
}

}  // namespace

// sgemmGflops(m, n, k, seconds): the machine's measured sgemm rate (for the benchmark; blocks).
Napi::Value SgemmGflops(const Napi::CallbackInfo& info) {
  const int m = int_arg(info[0], "m", 1, 1 << 14), n = int_arg(info[1], "n", 1, 1 << 14), k = int_arg(info[2], "k", 1, 1 << 14);
  if (!info[3].IsNumber() || !(info[3].As<Napi::Number>().DoubleValue() > 0 && info[3].As<Napi::Number>().DoubleValue() <= 10)) fail(info.Env(), "seconds must be a number in (0, 10].");
  FlushSubnormals flush;
  return Napi::Number::New(info.Env(), sgemm_gflops(m, n, k, info[3].As<Napi::Number>().DoubleValue()));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  flush_subnormals_in_blas_threads();
  exports.Set("Model", Model::Init(env));
  exports.Set("Trainer", Trainer::Init(env));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("sgemmGflops", Napi::Function::New(env, SgemmGflops));
  return exports;
}

}  // namespace steerlab

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return steerlab::Init(env, exports); }
NODE_API_MODULE(steerlab_native, InitModule)
