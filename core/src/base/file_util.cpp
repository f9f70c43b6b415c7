#include "base/file_util.h"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "paretoprune/base/error.h"

namespace pp::fileutil {

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path + ": read failed");
  return ss.str();
}

void writeFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path + ": cannot write (" + std::strerror(errno) + ")");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(path + ": write failed (" + std::strerror(err) + ")");
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": write failed (" + std::strerror(err) + ")");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error(path + ": cannot rename into place (" + std::strerror(err) + ")");
  }
}

bool exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

bool isDirectory(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_directory(path, ec);
}

std::vector<FileEntry> listFiles(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<FileEntry> files;
  try {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      files.push_back(
          {fs::relative(e.path(), dir).generic_string(), static_cast<int64_t>(e.file_size())});
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(dir + ": cannot list the files (" + e.code().message() + ")");
  }
  std::sort(files.begin(), files.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.path < b.path; });
  return files;
}

std::string joinPath(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (a.back() == '/') return a + b;
  return a + "/" + b;
}

std::string extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext;
}

std::string fnv1a64Hex(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  uint64_t h = 1469598103934665603ULL;
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    for (std::streamsize i = 0; i < n; ++i) {
      h ^= static_cast<unsigned char>(buf[static_cast<size_t>(i)]);
      h *= 1099511628211ULL;
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

void replaceDirectory(const std::string& target, bool force,
                      const std::function<void(const std::string&)>& write) {
  namespace fs = std::filesystem;
  std::string clean = target;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  if (exists(clean) && !force)
    throw Error(clean +
                ": already exists (choose another directory, or overwrite it with --force)");
  if (exists(clean) && !isDirectory(clean)) throw Error(clean + ": exists and is not a directory");
  const std::string pid = std::to_string(::getpid());
  const std::string tmp = clean + ".tmp-" + pid;
  std::error_code ec;
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec) || ec)
    throw Error(tmp + ": cannot create directory (" + (ec ? ec.message() : std::string("exists")) +
                ")");
  try {
    write(tmp);
    if (exists(clean)) {
      const std::string old = clean + ".old-" + pid;
      fs::remove_all(old, ec);
      if (::rename(clean.c_str(), old.c_str()) != 0)
        throw Error(clean + ": cannot move the old directory aside (" + std::strerror(errno) + ")");
      if (::rename(tmp.c_str(), clean.c_str()) != 0) {
        int err = errno;
        ::rename(old.c_str(), clean.c_str());
        throw Error(clean + ": cannot rename into place (" + std::strerror(err) + ")");
      }
      fs::remove_all(old, ec);
    } else if (::rename(tmp.c_str(), clean.c_str()) != 0) {
      throw Error(clean + ": cannot rename into place (" + std::strerror(errno) + ")");
    }
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
}

}  // namespace pp::fileutil
