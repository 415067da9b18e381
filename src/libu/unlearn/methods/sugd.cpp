// `sugd`: the SemEval-2025 winner (AILS-NTUA, arXiv 2503.02443; docs/unlearning.md):
// forget data in chunks of 32, each sample with factor −1 on its NLL, interleaved with 7×32
// retain samples with factor +0.5, cycling through retain. Batch 1, AdamW lr 1e-5, LoRA r16 α64 on
// q_proj, v_proj, up_proj, down_proj (set by the CLI defaults of this method).
#include "libu/unlearn/methods/method.h"

namespace libu::unlearn {

namespace {
class Sugd : public Method {
 public:
  std::string name() const override { return "sugd"; }
  Objective default_objective() const override { return Objective::SFT; }  // factor carries the sign
  std::vector<MicroBatch> plan(const UnlearnData& d, const UnlearnConfig& c) const override {
    return sugd_plan(d, c.plan, 32, 7);
  }
};
}  // namespace

std::unique_ptr<Method> make_sugd() { return std::make_unique<Sugd>(); }

}  // namespace libu::unlearn
