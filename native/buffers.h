// Large buffers in huge-page-advised memory, reused across jobs (defined in boundary.cc). No
// napi.h here: the kernels' own large copies use these too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>
#include <vector>

namespace blasnet {

void advise_huge_pages(void* p, size_t bytes) noexcept;

// The large blocks job copies live in (see JobBufferAllocator): `bytes` rounded up to 2 MiB, aligned
// to 2 MiB and advised for transparent huge pages. A block given back is kept for reuse by a later
// job of the same rounded size (its pages stay mapped: no page faults, no zeroing by the kernel) —
// at most kJobBufferKeep blocks and kJobBufferKeepBytes in all, process-wide, the most recently given
// first; any other block is freed at once. Thread-safe.
constexpr size_t kJobBufferKeep = 2, kJobBufferKeepBytes = size_t(256) << 20;
void* job_buffer_take(size_t bytes);  // throws std::bad_alloc
void job_buffer_give(void* p, size_t bytes) noexcept;

// An allocator for the large buffers a job copies its inputs into: from 4 MiB on, the blocks of
// job_buffer_take, so that touching a fresh 60 MB copy of X costs a few dozen page faults instead
// of ~15 000 (Linux's THP mode is often "madvise": nothing is huge unless asked), and none when the
// previous job of that size left its block. Smaller buffers come from the ordinary allocator.
template <class T>
struct JobBufferAllocator {
  using value_type = T;
  JobBufferAllocator() = default;
  template <class U>
  JobBufferAllocator(const JobBufferAllocator<U>&) noexcept {}
  static constexpr size_t kLarge = size_t(4) << 20;
  T* allocate(size_t n) {
    if (n > SIZE_MAX / sizeof(T)) throw std::bad_alloc();
    const size_t bytes = n * sizeof(T);
    if (bytes < kLarge) return static_cast<T*>(::operator new(bytes));
    return static_cast<T*>(job_buffer_take(bytes));
  }
  void deallocate(T* p, size_t n) noexcept {
    if (n * sizeof(T) < kLarge) ::operator delete(p);
    else job_buffer_give(p, n * sizeof(T));
  }
  // resize() leaves new elements uninitialized (they are about to be copied over: zeroing a 60 MB
  // buffer first would cost as much as the copy); construction with a value is unchanged.
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... A>
  void construct(U* p, A&&... a) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(a)...);
  }
  template <class U>
  bool operator==(const JobBufferAllocator<U>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const JobBufferAllocator<U>&) const noexcept { return false; }
};

template <class T>
using JobVector = std::vector<T, JobBufferAllocator<T>>;

}  // namespace blasnet
