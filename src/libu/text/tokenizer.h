// libu/text/tokenizer.h — a Hugging Face tokenizer.json (BPE models) with exact HF
// `tokenizers` parity for ids, offsets and decoding. Pipeline (one file per stage):
// added_tokens (raw) -> normalizer -> added_tokens (normalized) -> pre_tokenizer -> bpe
// -> post_processor; decoding: decoder (+ optional clean_up_tokenization).
// `truncation` and `padding` in the file are ignored on purpose (see docs/tokenizer.md).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libu/text/added_tokens.h"
#include "libu/text/encoding.h"
#include "libu/text/json_util.h"

namespace libu::text {

class Normalizer;
class PreTokenizer;
class Bpe;
class PostProcessor;
class Decoder;

class Tokenizer {
 public:
  static Tokenizer from_file(const std::string& path);
  // `name` is used in error messages (usually the file path).
  static Tokenizer from_json_text(const std::string& text, const std::string& name);
  // tokenizer.json of a HF model folder, plus eos/bos/pad from its config files.
  static Tokenizer from_model_dir(const std::string& dir);
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Invalid UTF-8 input is repaired first (each maximal ill-formed sequence -> U+FFFD).
  Encoding encode(std::string_view text, bool add_special_tokens = false) const;
  std::vector<uint32_t> encode_ids(std::string_view text, bool add_special_tokens = false) const;
  // Encodes on `threads` threads (0 = hardware concurrency); results in input order.
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, bool add_special_tokens = false,
                                     int threads = 0) const;
  // Unknown ids are skipped, as HF does. clean_up: transformers' clean_up_tokenization_spaces.
  std::string decode(const std::vector<uint32_t>& ids, bool skip_special_tokens = false,
                     bool clean_up_tokenization_spaces = false) const;

  std::optional<uint32_t> token_to_id(const std::string& token) const;
  std::optional<std::string> id_to_token(uint32_t id) const;
  size_t vocab_size() const;  // HF get_vocab_size(with_added_tokens=true)
  bool is_special(uint32_t id) const;
  const AddedTokens& added_tokens() const { return added_; }

  std::optional<uint32_t> bos_id() const { return bos_; }
  std::optional<uint32_t> eos_id() const { return eos_; }
  std::optional<uint32_t> pad_id() const { return pad_; }
  // Reads eos/bos/pad from a transformers config.json / generation_config.json
  // (`eos_token_id`, ... : an int or a list, first wins) ...
  void apply_model_config(const json& config);
  // ... or from tokenizer_config.json (`eos_token`: a string or {"content": ...}).
  void apply_tokenizer_config(const json& config);

 private:
  Tokenizer();
  void load(const json& j, const JPath& p);
  void guess_special_ids();
  void encode_piece(const struct Span& s, Encoding& enc) const;

  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_;
  std::unique_ptr<Bpe> model_;
  std::unique_ptr<PostProcessor> post_;
  std::unique_ptr<Decoder> decoder_;
  AddedTokens added_;
  std::vector<std::pair<uint16_t, uint16_t>> spaces_;  // per id, for ByteLevel trimming
  std::vector<std::string> dec_bytes_;                 // per id, ByteLevel decoding
  std::vector<uint8_t> dec_known_;
  bool byte_level_ = false;
  std::optional<uint32_t> bos_, eos_, pad_;
  std::string name_;
};

}  // namespace libu::text
