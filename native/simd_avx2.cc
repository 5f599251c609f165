// avx2 build of the SimdKernels (flags in CMakeLists.txt).
#define BLASNET_SIMD_NS simd_avx2
#define BLASNET_SIMD_NAME "avx2"
#include "simd_impl.h"
