// A fixed team of threads for blasnet's own loops (the elementwise work BLAS does not do). The
// caller's thread is member 0; the others spin briefly, then wait on a condition variable between
// jobs, so a job costs at most one wake-up, not a thread creation. Work is split by a fixed partition, so for a given team size
// results are bit-for-bit reproducible. No N-API here; run() allocates nothing (the job is passed
// as a pointer and a trampoline, not a std::function). A thread that cannot be started is a Failure
// from the constructor, and an exception inside a job is rethrown to run()'s caller.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

#include "failure.h"

namespace blasnet {

class ThreadTeam {
 public:
  explicit ThreadTeam(size_t size) : size_(size < 1 ? 1 : size) {
    threads_.reserve(size_ - 1);
    try {
      for (size_t t = 1; t < size_; ++t) threads_.emplace_back([this, t] { loop(t); });
    } catch (const std::system_error& e) {
      stop_all();
      throw Failure("ERR_BLASNET_NATIVE", std::string("could not start a worker thread (") + e.what() +
                                              "); lower the thread count with setThreads");
    }
  }
  ~ThreadTeam() { stop_all(); }
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  size_t size() const { return size_; }

  // Whether the last job ended less than the spin time ago: the other members are still spinning,
  // so a job now costs no wake-up (a caller may then share smaller work with them).
  bool warm() const {
    const auto end = std::chrono::steady_clock::duration(last_end_.load(std::memory_order_relaxed));
    return std::chrono::steady_clock::now().time_since_epoch() - end < std::chrono::microseconds(kSpinMicros);
  }

  // Runs job(t) for t = 0..size−1 (t = 0 on the calling thread) and returns when all are done. If
  // any member threw, the first exception is rethrown here, after every member finished.
  template <class F>
  void run(F&& job) {
    using Fn = std::remove_reference_t<F>;
    if (size_ == 1) {
      job(size_t(0));
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ctx_ = const_cast<void*>(static_cast<const void*>(&job));
      call_ = [](void* ctx, size_t t) { (*static_cast<Fn*>(ctx))(t); };
      error_ = nullptr;
      pending_.store(size_ - 1, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    std::exception_ptr mine;
    try {
      job(size_t(0));
    } catch (...) {
      mine = std::current_exception();
    }
    // The others usually finish within microseconds of this thread: spin briefly before sleeping,
    // since a futex wake-up and reschedule costs tens of µs, a lot for passes of ~100 µs.
    spin_until([this] { return pending_.load(std::memory_order_acquire) == 0; });
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_.load(std::memory_order_acquire) == 0; });
    call_ = nullptr;
    ctx_ = nullptr;
    last_end_.store(std::chrono::steady_clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    if (mine) std::rethrow_exception(mine);
    if (error_) std::rethrow_exception(error_);
  }

 private:
  // Polls ready() for up to kSpinMicros before the caller falls back to blocking.
  template <class R>
  static void spin_until(R&& ready) {
    using clock = std::chrono::steady_clock;
    const auto until = clock::now() + std::chrono::microseconds(kSpinMicros);
    for (unsigned k = 0; !ready(); ++k) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
      if ((k & 63) == 63 && clock::now() >= until) return;
    }
  }

  void loop(size_t t) {
    using clock = std::chrono::steady_clock;
    size_t seen = 0;
    // Spin for the next job only when the last one came soon after its predecessor (back-to-back
    // passes, as in the logistic sweep); when other work separates them (a BLAS product using every
    // core), block at once rather than take a core from it.
    bool spin = false;
    auto done_at = clock::now();
    for (;;) {
      void (*call)(void*, size_t);
      void* ctx;
      if (spin) spin_until([&] { return generation_.load(std::memory_order_acquire) != seen; });
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_relaxed) != seen; });
        seen = generation_.load(std::memory_order_relaxed);
        if (stop_) return;
        call = call_;
        ctx = ctx_;
      }
      spin = clock::now() - done_at <= std::chrono::microseconds(kSpinMicros);
      std::exception_ptr err;
      try {
        call(ctx, t);
      } catch (...) {
        err = std::current_exception();
      }
      if (err) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = err;
      }
      // Last one out wakes the caller; the notify is made under the mutex, so a caller that has just
      // found pending_ non-zero and is about to wait cannot miss it.
      done_at = clock::now();
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(mutex_);
        done_.notify_one();
      }
    }
  }

  void stop_all() noexcept {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (auto& th : threads_)
      if (th.joinable()) th.join();
  }

  static constexpr long kSpinMicros = 200;

  size_t size_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  void (*call_)(void*, size_t) = nullptr;
  void* ctx_ = nullptr;
  std::exception_ptr error_;
  std::atomic<size_t> pending_{0}, generation_{0};
  std::atomic<std::chrono::steady_clock::rep> last_end_{0};  // when run() last returned (steady_clock ticks)
  bool stop_ = false;
};

// The contiguous share [begin, end) of n items for member t of a team of T.
inline void partition(size_t n, size_t T, size_t t, size_t* begin, size_t* end) {
  *begin = n * t / T;
  *end = n * (t + 1) / T;
}

// The same, cut at multiples of 8: every share but the last is a multiple of 8 wide (or empty), so a
// vector kernel run over a share meets the same elements in its body and its tail as over the whole.
inline void aligned_partition(size_t n, size_t T, size_t t, size_t* begin, size_t* end) {
  const auto cut = [&](size_t k) { return k >= T ? n : (n * k / T) & ~size_t(7); };
  *begin = cut(t);
  *end = cut(t + 1);
}

// The calling thread's own team of T threads (null for T < 2), kept for the thread's lifetime and
// joined when it exits; made again when T changes. For the calls that start no team of their own
// (predictions, costGrad): starting one costs ~50–100 µs, more than a one-example prediction.
inline ThreadTeam* thread_team(size_t T) {
  thread_local std::unique_ptr<ThreadTeam> team;
  if (T < 2) return nullptr;
  if (!team || team->size() != T) {
    team.reset();
    team.reset(new ThreadTeam(T));
  }
  return team.get();
}

}  // namespace blasnet
