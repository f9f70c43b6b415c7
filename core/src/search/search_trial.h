// Internal to the search runner: a trial filled from an evaluation
// (search_trial.cpp), shared by search_runner.cpp.
#pragma once
#include <string>

#include "base/text_time.h"  // firstLine
#include "paretoprune/eval/evaluator.h"
#include "paretoprune/search/trial.h"

namespace pp {

// The trial's results from an evaluation.
void fillTrial(Trial& t, const EvalResult& r);

}  // namespace pp
