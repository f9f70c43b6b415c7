#include "ui/run_session.h"

#include <QDir>
#include <QFileInfo>

#include "paretoprune/model/model.h"

namespace ppui {

namespace {
// What changes when a model directory's files are rewritten (prepare, export --force).
std::string stampOf(const std::string& dir) {
  std::string stamp;
  for (const char* f : {"config.json", "model.safetensors", "paretoprune_order.json"}) {
    const QFileInfo fi(QDir(QString::fromStdString(dir)).filePath(f));
    stamp += std::to_string(fi.exists() ? fi.size() : -1) + ":" +
             std::to_string(fi.exists() ? fi.lastModified().toMSecsSinceEpoch() : 0) + ";";
  }
  return stamp;
}
}  // namespace

std::shared_ptr<const pp::Model> ModelCache::load(const std::string& dir) {
  const std::string stamp = stampOf(dir);
  std::lock_guard<std::mutex> lk(mu_);
  if (model_ && dir == dir_ && stamp == stamp_) return model_;
  model_ = pp::Model::load(dir);  // throws pp::Error; the old entry is replaced only on success
  dir_ = dir;
  stamp_ = stamp;
  return model_;
}

void RunSession::setModel(const QString& dir, const pp::ModelConfig& config) {
  if (run_ && QFileInfo(QString::fromStdString(run_->model)).canonicalFilePath() !=
                  QFileInfo(dir).canonicalFilePath())
    clearRun();
  modelDir_ = dir;
  config_ = config;
}

void RunSession::setRun(const pp::RunHeader& header, const QString& logPath) {
  run_ = header;
  logPath_ = logPath;
}

void RunSession::clearRun() {
  run_.reset();
  logPath_.clear();
}

QString RunSession::runModelDir() const {
  return run_ ? QString::fromStdString(run_->model) : modelDir_;
}

}  // namespace ppui
