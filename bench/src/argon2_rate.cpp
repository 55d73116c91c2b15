// argon2id verifications per second with libsodium, the way users-service checks a password at login
// (crypto_pwhash_str_verify on a hash made with the given opslimit/memlimit), on T threads for S seconds.
//   argon2_rate OPSLIMIT MEMLIMIT_BYTES THREADS SECONDS   -> prints "hashes/s"
#include <sodium.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

int main(int argc, char* argv[]) {
  if (argc != 5 || sodium_init() < 0) {
    std::fprintf(stderr, "usage: argon2_rate OPSLIMIT MEMLIMIT_BYTES THREADS SECONDS\n");
    return 2;
  }
  const unsigned long long ops = std::strtoull(argv[1], nullptr, 10);
  const std::size_t mem = std::strtoull(argv[2], nullptr, 10);
  const int threads = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  if (threads < 1 || threads > 64 || seconds <= 0 || seconds > 120) return 2;
  static const char kPassword[] = "bench-password-1";
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, kPassword, sizeof kPassword - 1, ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return 1;
  }
  std::atomic<long> done{0};
  std::atomic<bool> failed{false};
  const auto start = std::chrono::steady_clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (std::chrono::steady_clock::now() < end) {
        if (crypto_pwhash_str_verify(hash, kPassword, sizeof kPassword - 1) != 0) failed = true;
        ++done;
      }
    });
  }
  for (auto& w : workers) w.join();
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (failed) return 1;
  std::printf("%.1f\n", static_cast<double>(done) / elapsed.count());
  return 0;
}
