// File helpers shared by the loaders and writers (internal).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace pp::fileutil {

// Whole file as bytes; throws pp::Error naming the path and errno text.
std::string readFile(const std::string& path);
// Writes to a fresh `path`.tmp-<random> (O_EXCL|O_NOFOLLOW), fsyncs and
// renames it over `path`.
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

// `path` + `tag` + 16 random hex digits: a name beside `path` nobody can guess.
std::string randomSibling(const std::string& path, const char* tag);
// The names in `dir` (not recursive, directories with a trailing '/'),
// sorted; throws pp::Error naming the directory when it cannot be read.
std::vector<std::string> directoryEntries(const std::string& dir);

// For a writer that fills `dir` in place (train --out): an absent or empty
// directory passes; anything else throws pp::Error naming what is there.
void requireFreshDirectory(const std::string& dir);

// What replaceDirectory's writes leave in the directory: the list of the
// files written there (one relative path a line).
inline constexpr const char* kOwnManifest = "paretoprune-files.txt";

// Builds a directory in a fresh `target`.tmp-<random> beside it with
// `write(tmpDir)`, lists the files written in kOwnManifest, then renames it
// to `target`: an interrupted write never leaves a half directory under the
// target name. An existing target is an error unless `force`, and even then
// only an empty directory, or one holding `ownMarker` (a regular file our
// writer leaves, e.g. an export's paretoprune.json) whose every entry its
// manifest lists, is replaced: anything else (a file added since, an older
// output without a manifest) is refused, naming what is there. On any error
// the temporary is removed.
void replaceDirectory(const std::string& target, bool force,
                      const std::function<void(const std::string&)>& write,
                      const std::string& ownMarker = "");

}  // namespace pp::fileutil
