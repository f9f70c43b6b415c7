// Runs one of bench/'s Node.js scripts (ONNX Runtime's side of a
// benchmark) with the npm packages scripts/install-node-deps.sh put in
// BUILD/node, and reads the JSON it prints.
#pragma once
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ppbench {

inline nlohmann::json runNodeScript(const std::string& nodeDir, const std::string& script,
                                    const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  if (!fs::exists(nodeDir + "/node_modules/onnxruntime-node"))
    throw std::runtime_error(nodeDir +
                             " has no onnxruntime-node: run scripts/install-node-deps.sh");
  // Beside node_modules, so that its imports resolve.
  const std::string copy = nodeDir + "/" + script;
  fs::copy_file(std::string(PARETOPRUNE_SOURCE_DIR "/bench/") + script, copy,
                fs::copy_options::overwrite_existing);
  std::string cmd = "node '" + copy + "'";
  for (const auto& a : args) cmd += " '" + a + "'";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run node");
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  if (pclose(p) != 0) throw std::runtime_error("node " + script + " failed: " + cmd);
  return nlohmann::json::parse(out);
}

}  // namespace ppbench
