// The one file that includes <cblas.h>. Thin wrappers over the BLAS calls blasnet makes, in the
// column-major convention of the formulas (docs/math.md, "Mapping onto BLAS"): a row-major n × s
// buffer from JavaScript is passed as the column-major s × n matrix, with no copy and no transpose.
#pragma once
#include <cblas.h>
#include <cstddef>

#include "failure.h"

namespace blasnet {

// Every dimension handed to BLAS fits its integer type: the boundary checks sizes up front, and
// this re-check turns a miss into a Failure instead of a silently wrong (truncated) product.
inline int blas_int(size_t v) {
  check_blas_dim(v, "a BLAS dimension");
  return static_cast<int>(v);
}

// C (M × N) = alpha · op(A) · op(B) + beta · C, all column-major.
// op(A) is M × K, op(B) is K × N; lda/ldb/ldc are the leading dimensions of the stored matrices.
// A product with one column (N = 1) or one row (M = 1) is a matrix-vector product: it goes to dgemv,
// which reads the matrix once and never packs it (OpenBLAS 0.3.21's dgemm does not forward these).
inline void gemm(bool transA, bool transB, size_t M, size_t N, size_t K, double alpha,
                 const double* A, size_t lda, const double* B, size_t ldb, double beta,
                 double* C, size_t ldc) {
  if (M == 0 || N == 0) return;
  if (N == 1 && K > 0) {
    // c (M) = alpha · op(A) · b + beta · c; b is B's only column (stride 1) or only row (stride ldb).
    cblas_dgemv(CblasColMajor, transA ? CblasTrans : CblasNoTrans, blas_int(transA ? K : M), blas_int(transA ? M : K),
                alpha, A, blas_int(lda), B, transB ? blas_int(ldb) : 1, beta, C, 1);
    return;
  }
  if (M == 1 && K > 0) {
    // cᵀ (N) = alpha · op(B)ᵀ · aᵀ + beta · cᵀ; a is A's only row (stride lda) or only column (stride 1);
    // c is C's only row, stride ldc.
    cblas_dgemv(CblasColMajor, transB ? CblasNoTrans : CblasTrans, blas_int(transB ? N : K), blas_int(transB ? K : N),
                alpha, B, blas_int(ldb), A, transA ? 1 : blas_int(lda), beta, C, blas_int(ldc));
    return;
  }
  cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              blas_int(M), blas_int(N), blas_int(K), alpha, A, blas_int(lda), B, blas_int(ldb),
              beta, C, blas_int(ldc));
}

// y (len rows(op(A))) = alpha · op(A) · x + beta · y, A column-major rows × cols.
inline void gemv(bool transA, size_t rows, size_t cols, double alpha, const double* A, size_t lda,
                 const double* x, double beta, double* y) {
  cblas_dgemv(CblasColMajor, transA ? CblasTrans : CblasNoTrans, blas_int(rows), blas_int(cols),
              alpha, A, blas_int(lda), x, 1, beta, y, 1);
}

// OpenBLAS's own count (1 once the addon has loaded: see blasnet_threads).
inline void set_threads(int n) { openblas_set_num_threads(n); }

inline int get_threads() { return openblas_get_num_threads(); }
// blasnet's thread count (setThreads; by default OpenBLAS's count when the addon loads:
// OPENBLAS_NUM_THREADS, or the cores): the size of a job's thread team. blasnet does its own
// threading and keeps OpenBLAS at one thread from then on (defined in boundary.cc): a mini-batch's
// products are too small for OpenBLAS's threads to gain from (784-128-10 at batch 64: 15 % from a
// second core, against 75 % split by blasnet's team, native/network.cc team_gemm), two threaded
// calls at once contend (~10× slower here), and a threaded call sums some products in another order
// than a single-threaded one, so a result would depend on whatever else runs in the process.
int blasnet_threads();

inline const char* core_name() { return openblas_get_corename(); }
inline const char* config() { return openblas_get_config(); }
inline int num_procs() { return openblas_get_num_procs(); }

}  // namespace blasnet
