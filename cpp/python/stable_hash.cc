#include "python/stable_hash.h"

#include <cmath>
#include <cstring>

namespace fluvial::python {
namespace {

constexpr uint64_t kSeed = 0x9e3779b97f4a7c15ULL;

uint64_t Mix(uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  value ^= value >> 31;
  return value;
}

uint64_t HashBytes(const char* data, size_t size) {
  uint64_t hash = kSeed ^ (size * 0xff51afd7ed558ccdULL);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, data + i, 8);
    hash = Mix(hash ^ chunk);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, data + i, size - i);
  return Mix(hash ^ tail ^ 0x5bd1e995ULL);
}

uint64_t HashInteger(int64_t value) { return Mix(static_cast<uint64_t>(value) ^ kSeed); }

}  // namespace

bool StableHash(PyObject* key, uint64_t* hash) {
  if (PyUnicode_Check(key)) {
    Py_ssize_t size;
    const char* utf8 = PyUnicode_AsUTF8AndSize(key, &size);
    if (utf8 == nullptr) return false;
    *hash = HashBytes(utf8, static_cast<size_t>(size));
    return true;
  }
  if (PyLong_Check(key)) {  // bool included: True == 1
    int overflow = 0;
    long long value = PyLong_AsLongLongAndOverflow(key, &overflow);
    if (value == -1 && PyErr_Occurred()) return false;
    if (overflow == 0) {
      *hash = HashInteger(value);
      return true;
    }
    // Big integers: hash their decimal digits.
    PyObject* text = PyObject_Str(key);
    if (text == nullptr) return false;
    bool ok = StableHash(text, hash);
    Py_DECREF(text);
    return ok;
  }
  if (PyFloat_Check(key)) {
    double value = PyFloat_AS_DOUBLE(key);
    if (std::isfinite(value) && value == std::trunc(value) && std::fabs(value) < 9.2e18) {
      *hash = HashInteger(static_cast<int64_t>(value));  // 2.0 == 2
    } else {
      uint64_t bits;
      std::memcpy(&bits, &value, 8);
      *hash = Mix(bits ^ 0x3c6ef372fe94f82bULL);
    }
    return true;
  }
  if (key == Py_None) {
    *hash = 0x6a09e667f3bcc908ULL;
    return true;
  }
  if (PyBytes_Check(key)) {
    *hash = HashBytes(PyBytes_AS_STRING(key), static_cast<size_t>(PyBytes_GET_SIZE(key))) ^
            0x1f83d9abfb41bd6bULL;
    return true;
  }
  if (PyTuple_Check(key)) {
    uint64_t combined = 0x510e527fade682d1ULL ^ static_cast<uint64_t>(PyTuple_GET_SIZE(key));
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(key); ++i) {
      uint64_t element;
      if (!StableHash(PyTuple_GET_ITEM(key, i), &element)) return false;
      combined = Mix(combined * 31 + element);
    }
    *hash = combined;
    return true;
  }
  Py_hash_t fallback = PyObject_Hash(key);
  if (fallback == -1 && PyErr_Occurred()) return false;
  *hash = Mix(static_cast<uint64_t>(fallback));
  return true;
}

}  // namespace fluvial::python
