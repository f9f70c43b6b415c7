// A study's rows read as trial records, checked as a log line is and not
// trusted beyond that: the result must be of the sub-network that was
// queued, its parameters and FLOPs are counted again from that sub-network,
// and a row that fails any check becomes a failed trial with a warning (a
// driver, a worker or a reader goes on).
#pragma once
#include <cstdint>
#include <string>

#include "paretoprune/runs/study_store.h"
#include "paretoprune/search/run_header.h"

namespace pp {

struct ModelConfig;

std::string studyWhere(const std::string& name);  // `study "NAME"`, for messages
// The study's header, checked field by field.
RunHeader headerOf(const StudyStore::Study& s, const std::string& name);

// The sequence length the study's FLOPs are counted at: the header's
// flops_length, else inferred from its full model's FLOPs; 0 when neither
// tells (older studies without a reference).
int64_t studyFlopsSeqLen(const RunHeader& h, const ModelConfig& c);

struct RowTrial {
  Trial trial;
  std::string warning;  // one line when the row was refused, else empty
};
// A finished (done or failed) row as a trial. FLOPs are counted at
// `flopsSeqLen` (0: the reported count is kept).
RowTrial trialOfRow(const StudyTrial& row, const ModelConfig& c, int64_t flopsSeqLen,
                    const std::string& where);

}  // namespace pp
