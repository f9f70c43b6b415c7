#include "paretoprune/search_request.h"

#include "paretoprune/dataset.h"
#include "paretoprune/error.h"
#include "paretoprune/evaluator.h"
#include "paretoprune/model.h"
#include "paretoprune/strategy.h"

namespace pp {

PreparedSearch prepareSearch(const SearchRequest& r, std::shared_ptr<const Model> model) {
  // Cheap checks first, before any weight is read.
  makeStrategy(r.options.strategy, SearchSpace{});
  resolveDevices(r.options.device);
  if (r.data.data.empty() && r.data.validation.empty()) throw Error("search: no data file given");
  PreparedSearch p;
  p.model = model ? std::move(model) : Model::load(r.modelDir);
  const BertConfig& c = p.model->config();
  p.space = r.spaceJson.is_null() ? SearchSpace::parse(r.space, c) : SearchSpace::fromJson(r.spaceJson, c);
  const Dataset val = r.data.validationSet(c);
  if (val.examples.empty())
    throw Error((r.data.validation.empty() ? r.data.data : r.data.validation) + ": the validation set is empty");
  EncodeOptions eo;
  eo.maxLength = r.data.maxLength;
  eo.batchSize = r.data.batchSize;
  p.validation = std::make_shared<EncodedData>(*p.model, val, eo);
  p.options = r.options;
  p.header.model = r.modelDir.empty() ? p.model->directory() : r.modelDir;
  p.header.data = r.data;
  p.header.dataFingerprint = dataFingerprint(val);
  p.header.validationExamples = static_cast<int64_t>(val.examples.size());
  return p;
}

}  // namespace pp
