// Chooses the SimdKernels level once: the best the CPU supports, or BLASNET_SIMD's if it names one
// the CPU supports. Builds without the x86 variants (other architectures, other compilers) use the
// baseline level only (named "neon" on arm64, where it compiles to NEON: simd_baseline.cc); the x86
// levels and the __builtin_cpu_* checks are compiled only where CMakeLists.txt sets BLASNET_SIMD_X86.
#include "simd.h"

#include <cstdlib>
#include <cstring>

namespace blasnet {

namespace simd_baseline { const SimdKernels& kernels(); }
#if defined(BLASNET_SIMD_X86)
namespace simd_avx2 { const SimdKernels& kernels(); }
namespace simd_avx512 { const SimdKernels& kernels(); }
#endif

static const SimdKernels& choose() {
  const char* want = std::getenv("BLASNET_SIMD");
#if defined(BLASNET_SIMD_X86)
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
                      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (want && std::strcmp(want, "baseline") == 0) return simd_baseline::kernels();
  if (want && std::strcmp(want, "avx2") == 0 && avx2) return simd_avx2::kernels();
  if (avx512) return simd_avx512::kernels();
  if (avx2) return simd_avx2::kernels();
#else
  (void)want;
#endif
  return simd_baseline::kernels();
}

const SimdKernels& simd() {
  static const SimdKernels& k = choose();
  return k;
}

}  // namespace blasnet
