# The SteerLab native engine: a Node-API addon over the system BLAS (OpenBLAS on Linux,
# Accelerate on macOS). Built by native/addon/build.mjs (npm's install step); never required.
{
  "targets": [
    {
      "target_name": "steerlab_native",
      "sources": ["src/binding.cc", "src/forward.cc", "src/evaluate.cc", "src/interventions.cc", "src/train_step.cc", "src/train_network.cc", "src/float_mode.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: the workbench's engine runs in a worker thread, and a
      # reload or a cancel may terminate it while an evaluation or training run is in flight. Its
      # completion then cannot reach JavaScript; without this define node-addon-api throws out of
      # the callback and the whole process aborts ("terminate called after throwing an instance of
      # 'Napi::Error'"). tests/native/worker-terminate.test.ts.
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-fno-math-errno", "-ffp-contract=off"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/openblas", "/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu"],
          "libraries": ["-lopenblas"],
          "defines": ["STEERLAB_OPENBLAS"]
        }],
        ["OS=='mac'", {
          "libraries": ["-framework Accelerate"],
          "defines": ["STEERLAB_ACCELERATE", "ACCELERATE_NEW_LAPACK"],
          "xcode_settings": {
            "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }]
      ]
    }
  ]
}
