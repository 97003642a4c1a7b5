// A caching allocator for large CPU tensors, installed as libtorch's CPU allocator.
//
// Why: on these VMs a freshly mapped page costs ~7 us to fault in, so an 88 MB activation
// (a batch of 8 MoveNet crops) costs ~150 ms if its memory is new each call. glibc returns
// large blocks to the kernel (mmap above 32 MB, per-thread arenas trimmed with
// MADV_DONTNEED), and the pipeline runs models on thread-pool threads whose arenas glibc
// does not let us tune after they exist. Like CUDA's caching allocator, this pool keeps
// freed large blocks and hands them to the next request of about that size, on any
// thread. Small requests go to libtorch's default allocator.
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <new>
#include <unordered_map>

#include "shim_common.h"

namespace {

constexpr size_t kPooledMin = 1 << 20;       // requests from 1 MiB up are pooled
constexpr size_t kGranule = 64 << 10;        // sizes are rounded up to 64 KiB
constexpr size_t kDefaultCapMb = 2048;       // PIPELINE_CPU_POOL_MB overrides

class PooledCpuAllocator final : public c10::Allocator {
 public:
  explicit PooledCpuAllocator(c10::Allocator* fallback) : fallback_(fallback) {
    const char* cap = std::getenv("PIPELINE_CPU_POOL_MB");
    cap_bytes_ = (cap && *cap ? std::strtoull(cap, nullptr, 10) : kDefaultCapMb) << 20;
  }

  c10::DataPtr allocate(size_t n) const override {
    if (n < kPooledMin) return fallback_->allocate(n);
    const size_t wanted = (n + kGranule - 1) / kGranule * kGranule;
    void* block = take(wanted);
    if (!block) {
      block = mmap(nullptr, wanted, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (block == MAP_FAILED) throw std::bad_alloc();
      madvise(block, wanted, MADV_HUGEPAGE);  // fewer, larger faults the first time
      std::lock_guard<std::mutex> lock(mutex_);
      mapped_bytes_ += wanted;
      in_use_[block] = wanted;
    }
    // data == context, as raw_allocate (used by oneDNN through ideep) requires.
    return {block, block, &PooledCpuAllocator::release, c10::Device(c10::DeviceType::CPU)};
  }

  // Also frees what the fallback allocated: raw_deallocate passes every CPU pointer here.
  c10::DeleterFnPtr raw_deleter() const override { return &PooledCpuAllocator::release; }

  static PooledCpuAllocator* instance;

  void stats(int64_t* mapped, int64_t* cached) const {
    std::lock_guard<std::mutex> lock(mutex_);
    *mapped = static_cast<int64_t>(mapped_bytes_);
    *cached = static_cast<int64_t>(cached_bytes_);
  }

  void empty() const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, base] : free_) {
      munmap(base, size);
      mapped_bytes_ -= size;
    }
    free_.clear();
    cached_bytes_ = 0;
  }

 private:
  // Best fit among cached blocks, accepting up to 25 % slack.
  void* take(size_t size) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = free_.lower_bound(size);
    if (it == free_.end() || it->first > size + size / 4) return nullptr;
    void* block = it->second;
    cached_bytes_ -= it->first;
    in_use_[block] = it->first;
    free_.erase(it);
    return block;
  }

  static void release(void* block) {
    auto* self = instance;
    std::unique_lock<std::mutex> lock(self->mutex_);
    auto it = self->in_use_.find(block);
    if (it == self->in_use_.end()) {
      lock.unlock();
      self->fallback_->raw_deleter()(block);
      return;
    }
    const size_t size = it->second;
    self->in_use_.erase(it);
    if (self->cached_bytes_ + size <= self->cap_bytes_) {
      self->free_.emplace(size, block);
      self->cached_bytes_ += size;
    } else {
      munmap(block, size);
      self->mapped_bytes_ -= size;
    }
  }

  c10::Allocator* fallback_;
  size_t cap_bytes_;
  mutable std::mutex mutex_;
  mutable std::multimap<size_t, void*> free_;
  mutable std::unordered_map<void*, size_t> in_use_;
  mutable size_t cached_bytes_ = 0;
  mutable size_t mapped_bytes_ = 0;
};

PooledCpuAllocator* PooledCpuAllocator::instance = nullptr;

// Installed when the shim loads; never destroyed (tensors may outlive static destructors).
__attribute__((constructor)) void install_pool() {
  PooledCpuAllocator::instance = new PooledCpuAllocator(c10::GetCPUAllocator());
  c10::SetCPUAllocator(PooledCpuAllocator::instance, /*priority=*/1);
}

}  // namespace

// Bytes the pool has mapped (in use + cached) and holds cached for reuse.
TS_EXPORT int ts_cpu_pool_stats(int64_t* mapped, int64_t* cached) {
  return ts::guarded([&] { PooledCpuAllocator::instance->stats(mapped, cached); });
}

// Returns every cached block to the kernel.
TS_EXPORT int ts_cpu_pool_empty() {
  return ts::guarded([&] { PooledCpuAllocator::instance->empty(); });
}
