#pragma once

#include <cstdint>

namespace fluvial::runtime {

/// Default number of key groups: the most subtasks a keyed operator can be
/// rescaled to from a savepoint (Flink's default for small jobs).
constexpr int kDefaultMaxParallelism = 128;

/// Returns the key group of a key's stable 64-bit hash. The hash is mixed once
/// more so that keys with similar hashes spread over key groups.
inline uint32_t KeyGroupForHash(uint64_t hash, int max_parallelism) {
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  hash *= 0xc4ceb9fe1a85ec53ULL;
  hash ^= hash >> 33;
  return static_cast<uint32_t>(hash % static_cast<uint64_t>(max_parallelism));
}

/// Returns the subtask that owns 'key_group' (Flink's range assignment, so a
/// subtask owns one contiguous range of key groups).
inline int SubtaskForKeyGroup(uint32_t key_group, int max_parallelism, int parallelism) {
  return static_cast<int>(static_cast<int64_t>(key_group) * parallelism / max_parallelism);
}

/// First key group owned by 'subtask' (inclusive).
inline uint32_t FirstKeyGroup(int subtask, int max_parallelism, int parallelism) {
  return static_cast<uint32_t>((static_cast<int64_t>(subtask) * max_parallelism + parallelism - 1) /
                               parallelism);
}

}  // namespace fluvial::runtime
