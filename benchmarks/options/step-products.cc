// The options of issue 20, measured on the products of one training step of W6 (MNIST 784-128-10,
// batch B): forward Z1 = Xbᵀ W1ᵀ (B × 128, K = 784), the output product (B × 10, K = 128), dW2
// (128 × 10, K = B), δ1 = δ2 W2 (B × 128, K = 10) and dW1 = Xb δ1 (784 × 128, K = B), each in the
// orientation and layout native/network.cc gives it. Per candidate and thread count: the median
// time of the five products back to back, µs per step.
//   openblas-threads : one cblas_dgemm per product, OpenBLAS's own threads (blasnet ≤ 0.3.0)
//   team-blocks      : one single-threaded OpenBLAS call per block of C per thread (blasnet now:
//                      native/network.cc team_gemm; 1 thread: one call)
//   blis             : libblis's dgemm_ with its own threads (dlopen'ed, skipped when absent)
//   libxsmm          : libxsmm_dgemm (linked statically when built with -DWITH_LIBXSMM; skipped
//                      otherwise); it runs one thread here
// Build and run: bash benchmarks/options/run.sh (prints a table; a candidate whose library is
// missing says so).
#include <cblas.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#ifdef WITH_LIBXSMM
#include <libxsmm.h>
#endif

namespace {

using Clock = std::chrono::steady_clock;

struct Product {
  bool ta, tb;
  int M, N, K;
  std::vector<double> A, B, C;
  int lda, ldb;
};

std::vector<Product> step_products(int B) {
  const int s0 = 784, s1 = 128, s2 = 10;
  auto make = [](bool ta, bool tb, int M, int N, int K) {
    Product p{ta, tb, M, N, K, std::vector<double>(size_t(M) * K), std::vector<double>(size_t(K) * N), std::vector<double>(size_t(M) * N), ta ? K : M, tb ? N : K};
    for (size_t i = 0; i < p.A.size(); ++i) p.A[i] = double((i * 2654435761u) % 1000) / 1000.0 - 0.5;
    for (size_t i = 0; i < p.B.size(); ++i) p.B[i] = double((i * 40503u) % 1000) / 1000.0 - 0.5;
    return p;
  };
  return {make(true, false, B, s1, s0), make(false, false, B, s2, s1), make(true, false, s1, s2, B), make(false, true, B, s1, s2),
          make(false, false, s0, s1, B)};
}

// A spinning two-member team, as blasnet's (native/parallel.h) behaves between back-to-back jobs.
class Team {
 public:
  explicit Team(int T) : T_(T) {
    for (int t = 1; t < T; ++t) threads_.emplace_back([this, t] { loop(t); });
  }
  ~Team() {
    stop_ = true;
    gen_.fetch_add(1);
    for (auto& th : threads_) th.join();
  }
  template <class F>
  void run(F&& f) {
    job_ = [&f](int t) { f(t); };
    pending_.store(T_ - 1);
    gen_.fetch_add(1, std::memory_order_release);
    f(0);
    while (pending_.load(std::memory_order_acquire) != 0) {}
  }

 private:
  void loop(int t) {
    unsigned seen = 0;
    for (;;) {
      unsigned g;
      while ((g = gen_.load(std::memory_order_acquire)) == seen) {}
      seen = g;
      if (stop_) return;
      job_(t);
      pending_.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
  int T_;
  std::vector<std::thread> threads_;
  std::function<void(int)> job_;
  std::atomic<unsigned> gen_{0};
  std::atomic<int> pending_{0};
  std::atomic<bool> stop_{false};
};

void call(const Product& p, int m0, int m1, int n0, int n1, double* C) {
  const double* A = p.ta ? p.A.data() + size_t(m0) * p.lda : p.A.data() + m0;
  const double* B = p.tb ? p.B.data() + n0 : p.B.data() + size_t(n0) * p.ldb;
  cblas_dgemm(CblasColMajor, p.ta ? CblasTrans : CblasNoTrans, p.tb ? CblasTrans : CblasNoTrans, m1 - m0, n1 - n0, p.K, 1.0, A,
              p.lda, B, p.ldb, 0.0, C + size_t(n0) * p.M + m0, p.M);
}

template <class F>
double median_us(F&& f, int reps) {
  std::vector<double> t(reps);
  for (int w = 0; w < 50; ++w) f();
  for (int r = 0; r < reps; ++r) {
    const auto a = Clock::now();
    for (int k = 0; k < 20; ++k) f();
    t[r] = std::chrono::duration<double, std::micro>(Clock::now() - a).count() / 20;
  }
  std::sort(t.begin(), t.end());
  return t[reps / 2];
}

using DgemmF = void (*)(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
                        const double*, const int*, const double*, double*, const int*);

}  // namespace

int main(int argc, char** argv) {
  const int reps = argc > 1 ? std::atoi(argv[1]) : 15;
  void* blis = nullptr;
  for (const char* name : {"libblis.so.4", "libblis.so.3", "libblis.so"})
    if ((blis = dlopen(name, RTLD_NOW | RTLD_LOCAL))) break;
  DgemmF blis_dgemm = blis ? reinterpret_cast<DgemmF>(dlsym(blis, "dgemm_")) : nullptr;
  auto blis_threads = blis ? reinterpret_cast<void (*)(long)>(dlsym(blis, "bli_thread_set_num_threads")) : nullptr;
  std::printf("candidate,batch,threads,us_per_step_products\n");
  for (int B : {32, 64, 128, 256}) {
    std::vector<Product> ps = step_products(B);
    for (int T : {1, 2}) {
      openblas_set_num_threads(T);
      std::printf("openblas-threads,%d,%d,%.1f\n", B, T, median_us([&] { for (auto& p : ps) call(p, 0, p.M, 0, p.N, p.C.data()); }, reps));
      openblas_set_num_threads(1);
      Team team(T);
      const double tb = median_us([&] {
        for (auto& p : ps) {
          const bool small = double(p.M) * p.N * p.K < (1 << 18) || T == 1;
          if (small) {
            call(p, 0, p.M, 0, p.N, p.C.data());
            continue;
          }
          const bool by_cols = p.M <= p.N;
          const int split = by_cols ? p.N : p.M;
          team.run([&](int t) {
            const int a = t == 0 ? 0 : (split / 2) & ~7, b = t == 0 ? (split / 2) & ~7 : split;
            if (by_cols) call(p, 0, p.M, a, b, p.C.data());
            else call(p, a, b, 0, p.N, p.C.data());
          });
        }
      }, reps);
      std::printf("team-blocks,%d,%d,%.1f\n", B, T, tb);
      if (blis_dgemm && blis_threads) {
        blis_threads(T);
        const double one = 1.0, zero = 0.0;
        std::printf("blis,%d,%d,%.1f\n", B, T, median_us([&] {
          for (auto& p : ps) {
            const char ta = p.ta ? 'T' : 'N', tb2 = p.tb ? 'T' : 'N';
            blis_dgemm(&ta, &tb2, &p.M, &p.N, &p.K, &one, p.A.data(), &p.lda, p.B.data(), &p.ldb, &zero, p.C.data(), &p.M);
          }
        }, reps));
      } else if (T == 1) {
        std::printf("blis,%d,%d,absent\n", B, T);
      }
#ifdef WITH_LIBXSMM
      if (T == 1) {
        const double one = 1.0, zero = 0.0;
        std::printf("libxsmm,%d,%d,%.1f\n", B, T, median_us([&] {
          for (auto& p : ps) {
            const char ta = p.ta ? 'T' : 'N', tb2 = p.tb ? 'T' : 'N';
            libxsmm_dgemm(&ta, &tb2, &p.M, &p.N, &p.K, &one, p.A.data(), &p.lda, p.B.data(), &p.ldb, &zero, p.C.data(), &p.M);
          }
        }, reps));
      }
#endif
    }
  }
  return 0;
}
