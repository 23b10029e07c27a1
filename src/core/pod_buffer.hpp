#pragma once
// A growable array of trivially copyable values, for the loop's timer
// structures. Up to 1 MiB it is an ordinary heap block; past that it lives in
// a mapping of its own and grows with mremap, which moves page tables instead
// of copying bytes and does not fault the old pages in a second time. With
// std::vector, scheduling a million timers in a row spent a tenth of its time
// copying the array at each doubling and faulting in the copies.

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>

namespace aio::detail {

template <class T>
class PodBuffer {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    PodBuffer() = default;
    PodBuffer(const PodBuffer&) = delete;
    PodBuffer& operator=(const PodBuffer&) = delete;
    ~PodBuffer() { release(); }

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    T& operator[](std::size_t i) noexcept { return data_[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_[i]; }
    T& front() noexcept { return data_[0]; }
    const T& front() const noexcept { return data_[0]; }
    T& back() noexcept { return data_[size_ - 1]; }

    /// Throws std::bad_alloc when out of memory, leaving the buffer as it was.
    void push_back(const T& v) {
        if (size_ == capacity_) grow();
        data_[size_++] = v;
    }
    void pop_back() noexcept { --size_; }
    /// Shrinks to `n` elements (n <= size()); the capacity stays, as with std::vector.
    void shrink_to(std::size_t n) noexcept { size_ = n; }
    void clear() noexcept { size_ = 0; }

private:
    static constexpr std::size_t kMapBytes = std::size_t(1) << 20;

    void grow() {
        std::size_t cap = capacity_ ? capacity_ * 2 : 64;
        std::size_t bytes = cap * sizeof(T);
        void* p;
        if (bytes < kMapBytes) {
            p = std::realloc(data_, bytes);
            if (!p) throw std::bad_alloc();
        } else if (!mapped_) {
            p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            if (size_) std::memcpy(p, data_, size_ * sizeof(T));
            std::free(data_);
            mapped_ = true;
        } else {
            p = ::mremap(data_, capacity_ * sizeof(T), bytes, MREMAP_MAYMOVE);
            if (p == MAP_FAILED) throw std::bad_alloc();
        }
        data_ = static_cast<T*>(p);
        capacity_ = cap;
    }

    void release() noexcept {
        if (mapped_)
            ::munmap(data_, capacity_ * sizeof(T));
        else
            std::free(data_);
    }

    T* data_ = nullptr;
    std::size_t size_ = 0;
    std::size_t capacity_ = 0;
    bool mapped_ = false;
};

}  // namespace aio::detail
