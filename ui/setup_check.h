// The set-up form's check: what stops a search from starting, or the data files' summary
// ending "Labels match the model."; each data file is read once per version (DataChecks).
#pragma once
#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

#include "paretoprune/formats/config.h"
#include "paretoprune/formats/dataset.h"
#include "ui/search_controller.h"

namespace ppui {

// ok when a search can start; message: the problem, or the data's summary.
struct SetupCheck {
  bool ok = false;
  QString message;
};

// One data file's check against the model's labels, kept per version of
// the file (path, size, modification time, columns, labels). Shared with
// the background checks, hence the lock.
class DataChecks {
 public:
  struct Result {
    bool ok = false;
    QString text;  // "name: N examples (label n, ...)" or the loader's error
  };
  // nullopt when `cachedOnly` and the file would have to be read.
  std::optional<Result> check(const QString& file, const pp::ModelConfig& c,
                              const pp::DataColumns& cols, bool cachedOnly);

 private:
  QMutex mu_;  // guards done_
  QHash<QString, Result> done_;
};

// The check of `s`; nullopt when `cachedOnly` and a data file has not been
// checked in its current version yet.
std::optional<SetupCheck> checkSetup(const SearchSetup& s, DataChecks& checks, bool cachedOnly);

}  // namespace ppui
