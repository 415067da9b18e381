// tokenizer.json (text/tokenizer): normalizers, pre-tokenizers, BPE model, added tokens,
// post-processors and decoders. An accepted tokenizer must then encode and decode any text.
#include <string>
#include <string_view>

#include "fuzz_target.h"
#include "libu/text/tokenizer.h"

namespace {
void encode_decode(const libu::text::Tokenizer& tok, std::string_view text) {
  using libu::fuzz::check;
  auto enc = tok.encode(text, true);
  check(enc.offsets.size() == enc.ids.size(), "one offset per token");
  for (auto& [b, e] : enc.offsets) check(b <= e && e <= text.size(), "an offset outside the text");
  tok.decode(enc.ids, false, true);
  tok.decode(enc.ids, true, false);
}
}  // namespace

LIBU_FUZZ_TARGET(tokenizer) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto tok = libu::text::Tokenizer::from_json_text(text, "<fuzz>");
  for (std::string_view s : {"Hello world!  It's 2026, naïve café — 東京 🙂\n\ttabs", "", " ", "<|endoftext|>a"})
    encode_decode(tok, s);
  encode_decode(tok, std::string_view(text).substr(0, 512));  // the input itself: arbitrary bytes
  for (uint32_t id = 0; id < 8 && id < tok.vocab_size(); ++id) tok.id_to_token(id);
}
