// baseline build of the SimdKernels (flags in CMakeLists.txt).
#define BLASNET_SIMD_NS simd_baseline
#define BLASNET_SIMD_NAME "baseline"
#include "simd_impl.h"
