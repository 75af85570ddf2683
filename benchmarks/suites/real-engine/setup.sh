#!/usr/bin/env bash
# Builds a real inference engine and a tiny random-weight model for llmprof's real-engine suite.
# No network beyond the package registry, and no downloaded weights. Idempotent: a finished
# step is skipped on the next run.
#
#   benchmarks/suites/real-engine/setup.sh            # llama-cpp-python's server + the model
#   REAL_ENGINE_CPP=1 benchmarks/suites/real-engine/setup.sh   # also llama.cpp's C++ llama-server
#
# Everything goes under $LLMPROF_REAL_ENGINE_CACHE (default: .cache/real-engine in the repo):
#   venv/                      llama-cpp-python[server] (built from its sdist, CPU only) and gguf
#   src/                       the pinned sdist (sha256-checked); it vendors llama.cpp
#   llama-server/bin/          llama.cpp's own server, built from that vendored source (REAL_ENGINE_CPP=1)
#   tiny-random-llama.gguf     the model: random weights from a fixed seed (make_model.py)
# On 2 cores the engine build is the long step (see README.md for the times measured).
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION=0.3.36
LLAMA_CPP_PYTHON_SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
GGUF_VERSION=0.19.0
MODEL_SEED=${REAL_ENGINE_SEED:-0}
MODEL_ARGS=(--seed "$MODEL_SEED" --layers 4 --hidden 256 --heads 4 --ff 768 --ctx 4096 --eos-weight 5.1)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
cache=${LLMPROF_REAL_ENGINE_CACHE:-$repo/.cache/real-engine}
python=${PYTHON:-python3}
jobs=${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}
mkdir -p "$cache/src"
cache=$(cd "$cache" && pwd)
# Keep the cache out of git without touching the repo's .gitignore.
[ -f "$cache/.gitignore" ] || echo '*' > "$cache/.gitignore"

say() { printf '==> %s\n' "$*"; }
stamp() { date +%s; }
took() { echo "$(( $(stamp) - $1 )) s"; }

# Lean and CPU only: no GPU backends, no BLAS, no tools/tests/examples, no multimodal (mtmd).
CPU_ONLY=(-DGGML_NATIVE=ON -DGGML_BLAS=OFF -DGGML_CUDA=OFF -DGGML_HIP=OFF -DGGML_VULKAN=OFF
          -DGGML_METAL=OFF -DGGML_OPENCL=OFF -DGGML_RPC=OFF -DLLAMA_BUILD_TESTS=OFF
          -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF)

# 1. The venv, with gguf (to write the model) ---------------------------------------------
venv=$cache/venv
if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv"
    "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check)
if ! "$venv/bin/python" -c "import gguf, importlib.metadata as m; assert m.version('gguf') == '$GGUF_VERSION'" 2>/dev/null; then
    say "installing gguf==$GGUF_VERSION"
    "${pip[@]}" install -q "gguf==$GGUF_VERSION"
fi

# 2. The pinned source package ------------------------------------------------------------
sdist=$cache/src/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz
if [ ! -f "$sdist" ]; then
    say "downloading the llama-cpp-python $LLAMA_CPP_PYTHON_VERSION source package"
    "${pip[@]}" download -q --no-deps --no-binary :all: -d "$cache/src" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
fi
echo "$LLAMA_CPP_PYTHON_SHA256  $sdist" | sha256sum -c --quiet - || {
    echo "error: $sdist does not match its pinned sha256; delete it and run again" >&2
    exit 1
}

# 3. llama-cpp-python[server], compiled here ----------------------------------------------
installed() {
    "$venv/bin/python" - "$LLAMA_CPP_PYTHON_VERSION" <<'EOF' 2>/dev/null
import sys, importlib.metadata as m
import llama_cpp, fastapi, uvicorn, sse_starlette  # the server's own imports
sys.exit(m.version("llama_cpp_python") != sys.argv[1])
EOF
}
if ! installed; then
    say "building llama-cpp-python[server]==$LLAMA_CPP_PYTHON_VERSION from source on $jobs cores (log: $cache/build-python.log)"
    t0=$(stamp)
    CMAKE_ARGS="${CPU_ONLY[*]} -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL=$jobs \
        "${pip[@]}" install -v --no-binary llama-cpp-python "llama_cpp_python[server] @ file://$sdist" \
        > "$cache/build-python.log" 2>&1 || {
            tail -40 "$cache/build-python.log" >&2
            echo "error: the llama-cpp-python build failed (log: $cache/build-python.log)" >&2
            exit 1
        }
    say "llama-cpp-python built and installed in $(took "$t0")"
else
    say "llama-cpp-python $LLAMA_CPP_PYTHON_VERSION already installed"
fi

# 4. Optionally llama.cpp's own C++ server, from the sdist's vendored llama.cpp -----------
server_bin=$cache/llama-server/bin/llama-server
if [ "${REAL_ENGINE_CPP:-0}" = 1 ] && [ ! -x "$server_bin" ]; then
    say "building llama.cpp's llama-server from the vendored source (log: $cache/build-cpp.log)"
    t0=$(stamp)
    src=$cache/src/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION
    [ -d "$src/vendor/llama.cpp" ] || tar -xzf "$sdist" -C "$cache/src"
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    {
        cmake -S "$src/vendor/llama.cpp" -B "$cache/llama-server/build" "${generator[@]}" \
            -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF "${CPU_ONLY[@]}" \
            -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_APP=OFF \
            -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_CURL=OFF &&
        cmake --build "$cache/llama-server/build" --target llama-server -j "$jobs"
    } > "$cache/build-cpp.log" 2>&1 || {
        tail -40 "$cache/build-cpp.log" >&2
        echo "error: the llama-server build failed (log: $cache/build-cpp.log)" >&2
        exit 1
    }
    mkdir -p "$(dirname "$server_bin")"
    cp "$cache/llama-server/build/bin/llama-server" "$server_bin"
    say "llama-server built in $(took "$t0")"
fi

# 5. The model: random weights, fixed seed ------------------------------------------------
model=$cache/tiny-random-llama.gguf
want="$(sha256sum "$here/make_model.py" | cut -d' ' -f1) ${MODEL_ARGS[*]}"
if [ ! -f "$model" ] || [ "$(cat "$model.stamp" 2>/dev/null)" != "$want" ]; then
    say "generating the model"
    "$venv/bin/python" "$here/make_model.py" "$model" "${MODEL_ARGS[@]}"
    echo "$want" > "$model.stamp"
else
    say "model up to date: $model"
fi

cat <<EOF

Ready. Start a server on 127.0.0.1 (a free port; prints its base URL), bench it, stop it:

  python3 $here/serve.py start                 # llama-cpp-python's server
  llmprof bench $here/suite.yaml -e http://127.0.0.1:PORT/v1
  python3 $here/serve.py stop
EOF
if [ -x "$server_bin" ]; then
    echo "  python3 $here/serve.py start --engine cpp    # llama.cpp's llama-server"
fi
cat <<EOF

Or the opt-in test, which does all of it:  LLMPROF_REAL_ENGINE=1 python -m pytest tests/real_engine
EOF
