// `libu train`: plain supervised fine-tuning (NLL on every row) on the shared trainer. It
// makes the memorised models that unlearning starts from (as the SemEval organisers did).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

namespace {
class Sft : public ObjectiveMethod {
 public:
  Sft() : ObjectiveMethod("sft", Objective::SFT) {}
  std::vector<MicroBatch> plan(const UnlearnData& d, const UnlearnConfig& c) const override {
    PlanOptions o = c.plan;
    o.use_retain = false;  // the training rows are all in `forget` (see run.cpp)
    return interleaved_plan(d, o);
  }
};
}  // namespace

std::unique_ptr<Method> make_sft() { return std::make_unique<Sft>(); }

}  // namespace libu::unlearn
