// File helpers shared by the loaders and writers (internal).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pp::fileutil {

// Whole file as bytes; throws pp::Error naming the path and errno text.
std::string readFile(const std::string& path);
// Writes to path.tmp-XXXX, fsyncs and renames over `path`.
void writeFileAtomic(const std::string& path, const std::string& data);
// What is at a path (std::filesystem, symbolic links followed; never
// throw: a path that cannot be looked at counts as absent).
bool exists(const std::string& path);
bool isDirectory(const std::string& path);
struct FileEntry {
  std::string path;  // relative to the listed directory, '/'-separated
  int64_t bytes = 0;
};
// The regular files under `dir`, recursively, sorted by path; throws
// pp::Error naming the directory when it cannot be read.
std::vector<FileEntry> listFiles(const std::string& dir);
std::string joinPath(const std::string& a, const std::string& b);
std::string extension(const std::string& path);   // lowercase, with the dot
std::string fnv1a64Hex(const std::string& path);  // streaming checksum

// Builds a directory in `target`.tmp-PID beside it with `write(tmpDir)`,
// then renames it to `target`: an interrupted write never leaves a half
// directory under the target name. An existing target is an error unless
// `force` (then it is replaced). On any error the temporary is removed.
void replaceDirectory(const std::string& target, bool force,
                      const std::function<void(const std::string&)>& write);

}  // namespace pp::fileutil
