// RunSession: what RunController knows of the current run: the model (directory, configuration,
// weights loaded once and shared), the run's header (checksum, data split) and its log.
#pragma once
#include <QString>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "paretoprune/formats/config.h"
#include "paretoprune/search/run_header.h"

namespace pp {
class Model;
}

namespace ppui {

// Weights loaded once per model directory and shared read-only; reloaded
// when the directory's files change. Safe from any thread (load() blocks:
// call it off the UI thread).
class ModelCache {
 public:
  std::shared_ptr<const pp::Model> load(const std::string& dir);

 private:
  std::mutex mu_;  // guards the cached entry below
  std::string dir_, stamp_;
  std::shared_ptr<const pp::Model> model_;
};

// RunController owns one; search, latency, export, prepare and save ask the
// controller for it, none keeps a copy of its own.
class RunSession {
 public:
  // The model chosen in the form (its config read; weights on first use).
  // Clears a run of another model.
  void setModel(const QString& dir, const pp::ModelConfig& config);
  // The shown run: a started search's header, or an opened log's.
  void setRun(const pp::RunHeader& header, const QString& logPath);
  void clearRun();

  const QString& modelDir() const { return modelDir_; }
  const pp::ModelConfig& config() const { return config_; }
  bool hasModel() const { return !modelDir_.isEmpty(); }
  const std::optional<pp::RunHeader>& run() const { return run_; }
  const QString& logPath() const { return logPath_; }
  // The run's model directory when a run is shown, else the form's.
  QString runModelDir() const;
  const std::shared_ptr<ModelCache>& models() const { return models_; }

 private:
  QString modelDir_;
  pp::ModelConfig config_;
  std::optional<pp::RunHeader> run_;
  QString logPath_;
  std::shared_ptr<ModelCache> models_ = std::make_shared<ModelCache>();
};

}  // namespace ppui
