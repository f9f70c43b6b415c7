#include "base/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <vector>

#include "paretoprune/base/error.h"

namespace pp::fileutil {

std::string readFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw Error(path + ": is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path + ": read failed");
  return ss.str();
}

// A name beside `path` that nobody can guess: `path`.tmp-<16 random hex digits>.
std::string randomSibling(const std::string& path, const char* tag) {
  static thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid());
  }());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(gen()));
  return path + tag + hex;
}

namespace {
// Creates a fresh file beside `path` (O_EXCL|O_NOFOLLOW: never an existing
// file or a link planted there); its name in *tmp.
int createTemporary(const std::string& path, std::string* tmp) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    *tmp = randomSibling(path, ".tmp-");
    const int fd = ::open(tmp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd >= 0 || errno != EEXIST) return fd;
  }
  return -1;
}
}  // namespace

void writeFileAtomic(const std::string& path, const std::string& data) {
  std::string tmp;
  int fd = createTemporary(path, &tmp);
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

std::vector<std::string> directoryEntries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    names.push_back(it->path().filename().string() + (it->is_directory(ec) ? "/" : ""));
  if (ec) throw Error(dir + ": cannot list the directory (" + ec.message() + ")");
  std::sort(names.begin(), names.end());
  return names;
}

namespace {
// "a.txt, data/, notes.md and 4 more": what a directory holds, briefly.
std::string someEntries(const std::vector<std::string>& names) {
  std::string s;
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) s += (i ? ", " : "") + names[i];
  if (names.size() > shown) s += " and " + std::to_string(names.size() - shown) + " more";
  return s;
}

// Every path under `dir` (files and directories, '/'-separated, relative,
// directories with a trailing '/'), symbolic links not followed.
std::vector<std::string> treeEntries(const std::string& dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
       !ec && it != end; it.increment(ec)) {
    const fs::file_status st = it->symlink_status(ec);  // a link is itself, never its target
    if (ec) break;
    out.push_back(it->path().lexically_relative(dir).generic_string() +
                  (fs::is_directory(st) ? "/" : ""));
  }
  if (ec) throw Error(dir + ": cannot list the directory (" + ec.message() + ")");
  std::sort(out.begin(), out.end());
  return out;
}

// The paths our writer listed in `dir`'s manifest (kOwnManifest), with the
// directories above them; nullopt when there is no manifest to read.
std::optional<std::set<std::string>> ownedPaths(const std::string& dir) {
  const std::string path = joinPath(dir, kOwnManifest);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::ifstream in(path);
  std::set<std::string> owned{kOwnManifest};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    owned.insert(line);
    for (size_t slash = line.find('/'); slash != std::string::npos && slash + 1 < line.size();
         slash = line.find('/', slash + 1))
      owned.insert(line.substr(0, slash + 1));
  }
  return owned;
}

// May `dir` (an existing path) be replaced? Only an empty directory, or one
// whose every entry our writer listed in its manifest when it wrote it (a
// file the user added since is never deleted), with `ownMarker` in it.
void checkReplaceable(const std::string& dir, const std::string& ownMarker) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    throw Error(dir + ": cannot look at it (" + std::strerror(errno) + ")");
  if (S_ISLNK(st.st_mode))
    throw Error(dir + ": is a symbolic link; not replaced (give the directory itself)");
  if (!S_ISDIR(st.st_mode)) throw Error(dir + ": exists and is not a directory; not replaced");
  const std::vector<std::string> names = directoryEntries(dir);
  if (names.empty()) return;
  struct stat ms {};
  const bool marked = !ownMarker.empty() && ::lstat(joinPath(dir, ownMarker).c_str(), &ms) == 0 &&
                      S_ISREG(ms.st_mode);
  const auto owned = ownedPaths(dir);
  if (!marked || !owned)
    throw Error(dir + ": not replaced: it holds " + someEntries(names) + ", and no " +
                (marked ? std::string(kOwnManifest) + " lists what ParetoPrune wrote there"
                 : ownMarker.empty() ? std::string("ParetoPrune output")
                                     : ownMarker + " says ParetoPrune wrote it") +
                " (choose another directory, or empty it first)");
  std::vector<std::string> foreign;  // a foreign directory is named, not each file in it
  for (const std::string& e : treeEntries(dir))
    if (!owned->count(e) &&
        (foreign.empty() || foreign.back().back() != '/' || e.rfind(foreign.back(), 0) != 0))
      foreign.push_back(e);
  if (!foreign.empty())
    throw Error(dir + ": not replaced: ParetoPrune wrote it, but " + someEntries(foreign) +
                (foreign.size() == 1 ? " was" : " were") +
                " added since and would be lost (move them out, or choose another directory)");
}

// Lists what `write` put in `dir` (kOwnManifest): what a later replace may remove.
void writeManifest(const std::string& dir) {
  std::string text = std::string("# written by ParetoPrune: a later --force replaces only these\n");
  for (const std::string& e : treeEntries(dir))
    if (e.back() != '/') text += e + "\n";
  const std::string path = joinPath(dir, kOwnManifest);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw Error(path + ": cannot write");
}

}  // namespace

void requireFreshDirectory(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return;
    throw Error(dir + ": cannot look at it (" + std::strerror(errno) + ")");
  }
  if (!S_ISDIR(st.st_mode)) throw Error(dir + ": exists and is not a directory");
  const std::vector<std::string> names = directoryEntries(dir);
  if (!names.empty())
    throw Error(dir + ": already holds " + someEntries(names) +
                "; nothing is written into a directory in use (choose a new or empty directory)");
}

namespace {
// Creates a fresh directory beside `target` under a name nobody can guess.
std::string createTemporaryDirectory(const std::string& target) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    const std::string tmp = randomSibling(target, ".tmp-");
    if (::mkdir(tmp.c_str(), 0755) == 0) return tmp;
    if (errno != EEXIST)
      throw Error(tmp + ": cannot create directory (" + std::strerror(errno) + ")");
  }
  throw Error(target + ": cannot create a temporary directory beside it");
}
}  // namespace

void replaceDirectory(const std::string& target, bool force,
                      const std::function<void(const std::string&)>& write,
                      const std::string& ownMarker) {
  namespace fs = std::filesystem;
  std::string clean = target;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  struct stat st {};
  const bool present = ::lstat(clean.c_str(), &st) == 0;
  if (present && !force)
    throw Error(clean +
                ": already exists (choose another directory, or overwrite it with --force)");
  if (present) checkReplaceable(clean, ownMarker);
  const std::string tmp = createTemporaryDirectory(clean);
  std::error_code ec;
  try {
    write(tmp);
    writeManifest(tmp);
    if (present) {
      // Checked again just before: the directory may have changed while writing.
      checkReplaceable(clean, ownMarker);
      const std::string old = randomSibling(clean, ".old-");
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
