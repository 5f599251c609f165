// avx512 build of the SimdKernels (flags in CMakeLists.txt).
#define BLASNET_SIMD_NS simd_avx512
#define BLASNET_SIMD_NAME "avx512"
#include "simd_impl.h"
