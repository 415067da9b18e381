// tests/fuzz/fuzz_target.h — one source per fuzz target, two builds:
//  - libFuzzer (LIBU_LIBFUZZER, clang, `make fuzz`): LIBU_FUZZ_TARGET defines
//    LLVMFuzzerTestOneInput;
//  - replay (any compiler, ctest): it registers the target by name in fuzz_replay, which
//    runs every file of tests/fuzz/corpus/<name>/ through it.
// Contract for every target: a libu::Error is a clean rejection of bad input. Anything else
// (a crash, a sanitizer report, another exception, a broken invariant, a hang) is a bug.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

#include "libu/core/error.h"

namespace libu::fuzz {

using Fn = void (*)(const uint8_t* data, size_t size);

// Runs f(), treating libu::Error as a clean rejection (anything else propagates).
template <typename F>
void ignore_rejection(F&& f) {
  try {
    f();
  } catch (const libu::Error&) {
  }
}

inline void run_guarded(Fn fn, const uint8_t* data, size_t size) {
  ignore_rejection([&] { fn(data, size); });
}

// An invariant the parser promises for input it accepts; aborts (a finding) when broken.
void check(bool ok, const char* what);

// Writes the input to `name` inside this process's scratch folder and returns the path
// (for readers that take a path: mmap, folders).
std::string scratch_file(const std::string& name, const uint8_t* data, size_t size);
std::string scratch_file(const std::string& name, const std::string& text);
// The scratch folder itself (created once per process, removed at exit).
const std::string& scratch_dir();

struct Registrar {
  Registrar(const char* name, Fn fn);
};

}  // namespace libu::fuzz

#ifdef LIBU_LIBFUZZER
#define LIBU_FUZZ_ENTRY(NAME)                                                    \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {    \
    libu::fuzz::run_guarded(libu_fuzz_##NAME, data, size);                      \
    return 0;                                                                   \
  }
#else
#define LIBU_FUZZ_ENTRY(NAME) static libu::fuzz::Registrar libu_fuzz_reg_##NAME(#NAME, libu_fuzz_##NAME);
#endif

// LIBU_FUZZ_TARGET(name) { ... body using `data` and `size` ... }
#define LIBU_FUZZ_TARGET(NAME)                                         \
  static void libu_fuzz_##NAME(const uint8_t* data, size_t size);      \
  LIBU_FUZZ_ENTRY(NAME)                                                \
  static void libu_fuzz_##NAME(const uint8_t* data, size_t size)
