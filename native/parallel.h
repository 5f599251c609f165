// A fixed team of threads for blasnet's own loops (the elementwise work BLAS does not do). The
// caller's thread is member 0; the others wait on a condition variable between jobs, so a job costs
// one wake-up, not a thread creation. Work is split by a fixed partition, so for a given team size
// results are bit-for-bit reproducible. No N-API here.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace blasnet {

class ThreadTeam {
 public:
  explicit ThreadTeam(size_t size) : size_(size < 1 ? 1 : size) {
    for (size_t t = 1; t < size_; ++t) threads_.emplace_back([this, t] { loop(t); });
  }
  ~ThreadTeam() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
      ++generation_;
    }
    wake_.notify_all();
    for (auto& th : threads_) th.join();
  }
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  size_t size() const { return size_; }

  // Runs job(t) for t = 0..size−1 (t = 0 on the calling thread) and returns when all are done.
  // job must not throw.
  void run(const std::function<void(size_t)>& job) {
    if (size_ == 1) {
      job(0);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job_ = &job;
      pending_ = size_ - 1;
      ++generation_;
    }
    wake_.notify_all();
    job(0);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void loop(size_t t) {
    size_t seen = 0;
    for (;;) {
      const std::function<void(size_t)>* job;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_.wait(lock, [&] { return generation_ != seen; });
        seen = generation_;
        if (stop_) return;
        job = job_;
      }
      (*job)(t);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (--pending_ == 0) done_.notify_one();
      }
    }
  }

  size_t size_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void(size_t)>* job_ = nullptr;
  size_t pending_ = 0, generation_ = 0;
  bool stop_ = false;
};

// The contiguous share [begin, end) of n items for member t of a team of T.
inline void partition(size_t n, size_t T, size_t t, size_t* begin, size_t* end) {
  *begin = n * t / T;
  *end = n * (t + 1) / T;
}

}  // namespace blasnet
