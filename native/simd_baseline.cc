// baseline build of the SimdKernels (flags in CMakeLists.txt): x86-64's SSE2 on x86, and the only build
// on other architectures. On arm64 (AArch64, whose Advanced SIMD is part of the base architecture)
// the generic two-lane vectors of simd_impl.h compile to NEON instructions, so the level is named
// "neon" there; no x86 intrinsic or -march flag is ever used for it.
#define BLASNET_SIMD_NS simd_baseline
#if defined(__aarch64__) && defined(__ARM_NEON)
#define BLASNET_SIMD_NAME "neon"
#else
#define BLASNET_SIMD_NAME "baseline"
#endif
#include "simd_impl.h"
