#include "libu/text/tokenizer.h"

#include <atomic>
#include <mutex>
#include <thread>

#include "libu/core/fs.h"
#include "libu/text/bpe.h"
#include "libu/text/decoder.h"
#include "libu/text/normalizer.h"
#include "libu/text/post_processor.h"
#include "libu/text/pre_tokenizer.h"
#include "libu/text/unicode.h"

namespace libu::text {

Tokenizer::Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_file(const std::string& path) {
  return from_json_text(read_file(path), path);
}

Tokenizer Tokenizer::from_json_text(const std::string& text, const std::string& name) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    fail(cat(name, ": malformed JSON: ", e.what()), "is this a Hugging Face tokenizer.json?");
  }
  Tokenizer t;
  t.name_ = name;
  t.load(j, JPath{name, ""});
  return t;
}

Tokenizer Tokenizer::from_model_dir(const std::string& dir) {
  Tokenizer t = from_file(dir + "/tokenizer.json");
  auto read = [&](const std::string& f, auto apply) {
    std::string path = dir + "/" + f;
    if (!path_exists(path)) return;
    try {
      apply(json::parse(read_file(path)));
    } catch (const json::exception& e) {
      fail(cat(path, ": malformed JSON: ", e.what()));
    }
  };
  read("tokenizer_config.json", [&](const json& j) { t.apply_tokenizer_config(j); });
  read("config.json", [&](const json& j) { t.apply_model_config(j); });
  read("generation_config.json", [&](const json& j) { t.apply_model_config(j); });
  return t;
}

// Counts leading/trailing chars that are "Ġ" or whitespace (HF process_offsets).
static std::pair<uint16_t, uint16_t> space_counts(const std::string& tok) {
  std::vector<char32_t> cs;
  for (size_t i = 0; i < tok.size();) cs.push_back(next_cp(tok, i));
  auto sp = [](char32_t c) { return c == 0x120 || is_whitespace(c); };
  uint16_t lead = 0, trail = 0;
  while (lead < cs.size() && sp(cs[lead])) ++lead;
  while (trail < cs.size() && sp(cs[cs.size() - 1 - trail])) ++trail;
  return {lead, trail};
}

void Tokenizer::load(const json& j, const JPath& p) {
  if (!j.is_object()) p.fail("expected a JSON object");
  auto get = [&](const char* k) -> const json& {
    static const json null;
    auto it = j.find(k);
    return it == j.end() ? null : *it;
  };
  normalizer_ = make_normalizer(get("normalizer"), p / "normalizer");
  pre_ = make_pre_tokenizer(get("pre_tokenizer"), p / "pre_tokenizer");
  byte_level_ = pre_ && pre_->byte_level();
  const json& model = jreq(j, "model", p);
  std::string type = model.contains("type") ? jtype(model, p / "model") : "BPE";
  if (type != "BPE") (p / "model" / "type").fail(cat("unknown model type '", type, "'"), "only BPE models are supported");
  model_ = std::make_unique<Bpe>(model, p / "model", byte_level_);
  added_ = AddedTokens(get("added_tokens"), p / "added_tokens", normalizer_.get());
  post_ = make_post_processor(get("post_processor"), p / "post_processor");
  decoder_ = make_decoder(get("decoder"), p / "decoder");
  // Per-id tables: token strings -> trimming counts and byte-level decodings.
  size_t n = 0;
  for (auto& [tok, id] : model_->vocab()) n = std::max<size_t>(n, id + 1);
  for (auto& a : added_.all()) n = std::max<size_t>(n, a.id + 1);
  spaces_.assign(n, {0, 0});
  dec_bytes_.assign(n, {});
  dec_known_.assign(n, 0);
  for (uint32_t id = 0; id < n; ++id) {
    auto tok = id_to_token(id);
    if (!tok) continue;
    spaces_[id] = space_counts(*tok);
    dec_bytes_[id] = byte_level_token_bytes(*tok);
    dec_known_[id] = 1;
  }
  guess_special_ids();
}

void Tokenizer::guess_special_ids() {
  auto first_of = [&](std::initializer_list<const char*> names) -> std::optional<uint32_t> {
    for (const char* s : names)
      if (auto id = token_to_id(s)) return id;
    return std::nullopt;
  };
  bos_ = post_ && post_->bos() ? post_->bos() : first_of({"<|begin_of_text|>", "<s>", "<bos>", "<|startoftext|>"});
  eos_ = post_ && post_->eos() ? post_->eos()
                               : first_of({"<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>", "<|im_end|>"});
  pad_ = first_of({"<|padding|>", "<|pad|>", "<pad>", "[PAD]"});
}

static std::optional<uint32_t> config_id(const json& c, const char* key) {
  auto it = c.find(key);
  if (it == c.end()) return std::nullopt;
  if (it->is_number_integer() && it->get<long long>() >= 0) return uint32_t(it->get<long long>());
  if (it->is_array() && !it->empty() && (*it)[0].is_number_integer()) return uint32_t((*it)[0].get<long long>());
  return std::nullopt;
}

void Tokenizer::apply_model_config(const json& c) {
  if (auto v = config_id(c, "bos_token_id")) bos_ = v;
  if (auto v = config_id(c, "eos_token_id")) eos_ = v;
  if (auto v = config_id(c, "pad_token_id")) pad_ = v;
}

void Tokenizer::apply_tokenizer_config(const json& c) {
  auto set = [&](const char* key, std::optional<uint32_t>& dst) {
    auto it = c.find(key);
    if (it == c.end()) return;
    std::string s = it->is_string() ? it->get<std::string>()
                  : (it->is_object() && it->contains("content") && (*it)["content"].is_string())
                      ? (*it)["content"].get<std::string>() : std::string();
    if (auto id = s.empty() ? std::nullopt : token_to_id(s)) dst = id;
  };
  set("bos_token", bos_);
  set("eos_token", eos_);
  set("pad_token", pad_);
}

// Pre-tokenizes and tokenizes one non-added span, appending ids and original byte offsets.
void Tokenizer::encode_piece(const Span& s, Encoding& enc) const {
  thread_local std::vector<Span> words;
  thread_local std::vector<Bpe::Tok> toks;
  thread_local Arena arena;
  words.assign(1, s);
  arena.clear();
  if (pre_) pre_->split(words, arena);
  for (const Span& w : words) {
    toks.clear();
    model_->tokenize(w.text, toks);
    for (auto& t : toks) {
      enc.ids.push_back(t.id);
      enc.offsets.push_back(w.original(t.b, t.e));
    }
  }
}

// HF BytesToCharOffsetConverter: byte offsets -> code point offsets. A start at the end
// of the text is left as is (HF's converter has no entry for it).
static void to_char_offsets(std::string_view s, Encoding& enc) {
  bool ascii = true;
  for (unsigned char c : s)
    if (c >= 0x80) { ascii = false; break; }
  if (ascii) return;
  std::vector<uint32_t> char_of(s.size());
  uint32_t ci = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && !is_cont((unsigned char)s[i])) ++ci;
    char_of[i] = ci;
  }
  for (auto& [b, e] : enc.offsets) {
    if (b >= s.size()) continue;
    uint32_t nb = char_of[b];
    uint32_t ne = e < s.size() ? char_of[e] : (e > 0 ? char_of[e - 1] + 1 : nb + 1);
    b = nb, e = ne;
  }
}

Encoding Tokenizer::encode(std::string_view text, bool add_special_tokens) const {
  std::string fixed;
  if (!valid_utf8(text)) fixed = utf8_lossy(text), text = fixed;
  Arena arena;  // owns normalized text (pieces point into it until the end of encode)
  std::vector<Span> pieces{Span{text}};
  added_.split(pieces, false);
  if (normalizer_)
    for (Span& s : pieces)
      if (s.added_id < 0) s = normalizer_->normalize(s, arena);
  added_.split(pieces, true);
  Encoding enc;
  enc.ids.reserve(text.size() / 3 + 4);
  enc.offsets.reserve(text.size() / 3 + 4);
  for (const Span& s : pieces) {
    if (s.added_id >= 0) {
      enc.ids.push_back(uint32_t(s.added_id));
      enc.offsets.push_back(s.original(0, s.text.size()));
    } else {
      encode_piece(s, enc);
    }
  }
  if (post_) post_->process(enc, add_special_tokens, spaces_);
  to_char_offsets(text, enc);
  return enc;
}

std::vector<uint32_t> Tokenizer::encode_ids(std::string_view text, bool add_special_tokens) const {
  return encode(text, add_special_tokens).ids;
}

std::vector<Encoding> Tokenizer::encode_batch(const std::vector<std::string>& texts, bool add_special, int threads) const {
  std::vector<Encoding> out(texts.size());
  if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
  threads = int(std::min<size_t>(size_t(threads), std::max<size_t>(texts.size(), 1)));
  std::atomic<size_t> next{0};
  std::exception_ptr err;
  std::mutex err_mu;
  auto work = [&] {
    try {
      for (size_t i; (i = next++) < texts.size();) out[i] = encode(texts[i], add_special);
    } catch (...) {
      std::lock_guard<std::mutex> lock(err_mu);
      err = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& th : pool) th.join();
  if (err) std::rethrow_exception(err);
  return out;
}

std::string Tokenizer::decode(const std::vector<uint32_t>& ids, bool skip_special, bool clean_up) const {
  std::string text;
  if (decoder_ && decoder_->is_byte_level()) {  // fast path: precomputed bytes per id
    std::string bytes;
    for (uint32_t id : ids) {
      if (id >= dec_known_.size() || !dec_known_[id] || (skip_special && is_special(id))) continue;
      bytes += dec_bytes_[id];
    }
    text = utf8_lossy(bytes);
  } else {
    std::vector<std::string> toks;
    for (uint32_t id : ids) {
      if (skip_special && is_special(id)) continue;
      if (auto t = id_to_token(id)) toks.push_back(std::move(*t));
    }
    if (decoder_) decoder_->decode_chain(toks);
    for (size_t i = 0; i < toks.size(); ++i) text += (i && !decoder_ ? " " : "") + toks[i];
  }
  return clean_up ? clean_up_tokenization(std::move(text)) : text;
}

std::optional<uint32_t> Tokenizer::token_to_id(const std::string& token) const {
  if (auto id = added_.by_content(token)) return id;
  return model_->token_to_id(token);
}

std::optional<std::string> Tokenizer::id_to_token(uint32_t id) const {
  if (auto* a = added_.by_id(id)) return a->content;
  if (auto* t = model_->id_to_token(id)) return *t;
  return std::nullopt;
}

size_t Tokenizer::vocab_size() const {
  size_t n = model_->vocab_size();
  for (auto& a : added_.all())
    if (!model_->token_to_id(a.content)) ++n;
  return n;
}

bool Tokenizer::is_special(uint32_t id) const {
  auto* a = added_.by_id(id);
  return a && a->special;
}

}  // namespace libu::text
