// SHA-256 (internal), on OpenSSL's libcrypto: streaming over data and files.
#pragma once
#include <memory>
#include <string>

namespace pp {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  void update(const std::string& s) { update(s.data(), s.size()); }
  // Reads the file in pieces; throws pp::Error naming the path.
  void updateFile(const std::string& path);
  std::string hexDigest();  // 64 lowercase hex digits; the object is spent
  static std::string hex(const std::string& data);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace pp
