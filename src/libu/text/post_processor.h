// libu/text/post_processor.h — tokenizer.json "post_processor": ByteLevel (offset
// trimming), TemplateProcessing (BOS/EOS templates, single sequences) and Sequence.
#pragma once
#include <memory>
#include <optional>

#include "libu/text/encoding.h"
#include "libu/text/json_util.h"

namespace libu::text {

// Leading/trailing whitespace chars ("Ġ" or Unicode White_Space) of each token string,
// needed by ByteLevel's offset trimming.
using SpaceCounts = std::vector<std::pair<uint16_t, uint16_t>>;

class PostProcessor {
 public:
  virtual ~PostProcessor() = default;
  // `enc.offsets` are original byte offsets here.
  virtual void process(Encoding& enc, bool add_special_tokens, const SpaceCounts& spaces) const = 0;
  // Special ids the template puts before / after the sequence (for bos/eos lookups).
  virtual std::optional<uint32_t> bos() const { return std::nullopt; }
  virtual std::optional<uint32_t> eos() const { return std::nullopt; }
};

std::unique_ptr<PostProcessor> make_post_processor(const json& j, const JPath& p);

}  // namespace libu::text
