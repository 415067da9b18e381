#include "libu/text/post_processor.h"

#include <algorithm>
#include <map>

namespace libu::text {
namespace {

// HF process_offsets: moves offsets past leading/trailing spaces of each token.
class ByteLevelPost : public PostProcessor {
 public:
  ByteLevelPost(bool prefix, bool trim) : prefix_(prefix), trim_(trim) {}
  void process(Encoding& enc, bool, const SpaceCounts& spaces) const override {
    if (!trim_) return;
    for (size_t i = 0; i < enc.ids.size(); ++i) {
      uint32_t id = enc.ids[i];
      if (id >= spaces.size()) continue;
      auto [lead, trail] = spaces[id];
      auto& [b, e] = enc.offsets[i];
      if (lead > 0) {
        bool first = i == 0 || b == 0;
        if (!(first && prefix_ && lead == 1)) b = std::min<uint32_t>(b + lead, e);
      }
      if (trail > 0 && e >= trail) e = std::max<uint32_t>(e - trail, b);
    }
  }

 private:
  bool prefix_, trim_;
};

class Template : public PostProcessor {
 public:
  struct Piece {
    bool special;
    std::vector<uint32_t> ids;  // the special token's ids
  };
  explicit Template(std::vector<Piece> single) : single_(std::move(single)) {}
  void process(Encoding& enc, bool add_special, const SpaceCounts&) const override {
    if (!add_special) return;
    Encoding out;
    for (auto& p : single_) {
      if (!p.special) {
        out.ids.insert(out.ids.end(), enc.ids.begin(), enc.ids.end());
        out.offsets.insert(out.offsets.end(), enc.offsets.begin(), enc.offsets.end());
        continue;
      }
      out.ids.insert(out.ids.end(), p.ids.begin(), p.ids.end());
      out.offsets.insert(out.offsets.end(), p.ids.size(), {0, 0});
    }
    enc = std::move(out);
  }
  std::optional<uint32_t> bos() const override {
    if (!single_.empty() && single_.front().special && !single_.front().ids.empty()) return single_.front().ids[0];
    return std::nullopt;
  }
  std::optional<uint32_t> eos() const override {
    if (single_.size() > 1 && single_.back().special && !single_.back().ids.empty()) return single_.back().ids.back();
    return std::nullopt;
  }

 private:
  std::vector<Piece> single_;
};

class Sequence : public PostProcessor {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PostProcessor>> v) : v_(std::move(v)) {}
  void process(Encoding& enc, bool add, const SpaceCounts& sp) const override {
    for (auto& p : v_) p->process(enc, add, sp);
  }
  std::optional<uint32_t> bos() const override {
    for (auto& p : v_)
      if (auto b = p->bos()) return b;
    return std::nullopt;
  }
  std::optional<uint32_t> eos() const override {
    for (auto& p : v_)
      if (auto e = p->eos()) return e;
    return std::nullopt;
  }

 private:
  std::vector<std::unique_ptr<PostProcessor>> v_;
};

std::unique_ptr<PostProcessor> make_template(const json& j, const JPath& p) {
  std::map<std::string, std::vector<uint32_t>> specials;
  if (auto it = j.find("special_tokens"); it != j.end() && it->is_object()) {
    for (auto& [name, v] : it->items()) {
      JPath sp = p / "special_tokens" / name / "ids";
      const json& ids = jreq(v, "ids", p / "special_tokens" / name);
      if (!ids.is_array()) sp.fail("expected an array of ids");
      for (size_t i = 0; i < ids.size(); ++i) specials[name].push_back(uint32_t(jint(ids[i], sp[i])));
    }
  }
  JPath sp = p / "single";
  const json& single = jreq(j, "single", p);
  if (!single.is_array()) sp.fail("expected an array of template pieces");
  std::vector<Template::Piece> pieces;
  for (size_t i = 0; i < single.size(); ++i) {
    const json& x = single[i];
    if (x.contains("Sequence")) {
      pieces.push_back({false, {}});
    } else if (x.contains("SpecialToken")) {
      std::string id = jstr(jreq(x["SpecialToken"], "id", sp[i] / "SpecialToken"), sp[i] / "SpecialToken" / "id");
      auto it = specials.find(id);
      if (it == specials.end()) (sp[i] / "SpecialToken" / "id").fail(cat("'", id, "' is not in special_tokens"));
      pieces.push_back({true, it->second});
    } else {
      sp[i].fail("expected {\"Sequence\": ...} or {\"SpecialToken\": ...}");
    }
  }
  return std::make_unique<Template>(std::move(pieces));
}

}  // namespace

std::unique_ptr<PostProcessor> make_post_processor(const json& j, const JPath& p) {
  if (j.is_null()) return nullptr;
  std::string t = jtype(j, p);
  if (t == "ByteLevel") return std::make_unique<ByteLevelPost>(jbool(j, "add_prefix_space", true, p), jbool(j, "trim_offsets", true, p));
  if (t == "TemplateProcessing") return make_template(j, p);
  if (t == "Sequence") {
    JPath ap = p / "processors";
    const json& arr = jreq(j, "processors", p);
    if (!arr.is_array()) ap.fail("expected an array");
    std::vector<std::unique_ptr<PostProcessor>> v;
    for (size_t i = 0; i < arr.size(); ++i)
      if (auto x = make_post_processor(arr[i], ap[i])) v.push_back(std::move(x));
    return std::make_unique<Sequence>(std::move(v));
  }
  (p / "type").fail(cat("unknown post_processor type '", t, "'"), "supported: ByteLevel, TemplateProcessing, Sequence");
}

}  // namespace libu::text
