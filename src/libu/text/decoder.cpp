#include "libu/text/decoder.h"

#include "libu/text/normalizer.h"
#include "libu/text/regex.h"
#include "libu/text/unicode.h"

namespace libu::text {

std::string byte_level_token_bytes(const std::string& token) {
  std::string raw;
  return level_to_bytes(token, raw) ? raw : token;
}

static void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

std::string clean_up_tokenization(std::string s) {
  static const char* const kPairs[][2] = {{" .", "."},   {" ?", "?"},     {" !", "!"},   {" ,", ","},
                                          {" ' ", "'"},  {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"},
                                          {" 've", "'ve"}, {" 're", "'re"}};
  for (auto& p : kPairs) replace_all(s, p[0], p[1]);
  return s;
}

namespace {

class ByteLevelDec : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string bytes;
    for (auto& t : tokens) bytes += byte_level_token_bytes(t);
    tokens.assign(1, utf8_lossy(bytes));
  }
  bool is_byte_level() const override { return true; }
};

// "<0x41>" tokens become bytes; runs that are not valid UTF-8 become one U+FFFD per byte.
class ByteFallback : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (valid_utf8(pending)) out.push_back(pending);
      else
        for (size_t i = 0; i < pending.size(); ++i) out.push_back("\xEF\xBF\xBD");
      pending.clear();
    };
    for (auto& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && isxdigit((unsigned char)t[3]) &&
          isxdigit((unsigned char)t[4])) {
        pending += char(std::stoi(t.substr(3, 2), nullptr, 16));
        continue;
      }
      flush();
      out.push_back(t);
    }
    flush();
    tokens.swap(out);
  }
};

class Fuse : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string all;
    for (auto& t : tokens) all += t;
    tokens.assign(1, all);
  }
};

// Removes up to `start` leading and `stop` trailing copies of the char `content`.
class Strip : public Decoder {
 public:
  Strip(std::string c, size_t start, size_t stop) : c_(std::move(c)), start_(start), stop_(stop) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      size_t b = 0, e = t.size();
      for (size_t k = 0; k < start_ && t.compare(b, c_.size(), c_) == 0 && b < e; ++k) b += c_.size();
      for (size_t k = 0; k < stop_ && e >= b + c_.size() && t.compare(e - c_.size(), c_.size(), c_) == 0; ++k)
        e -= c_.size();
      t = t.substr(b, e - b);
    }
  }

 private:
  std::string c_;
  size_t start_, stop_;
};

class Replace : public Decoder {
 public:
  Replace(Pattern p, std::string content) : pat_(std::move(p)), content_(std::move(content)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& t : tokens) {
      std::string out;
      size_t last = 0;
      pat_.for_each_match(t, [&](size_t b, size_t e) {
        out.append(t, last, b - last);
        out += content_;
        last = e;
      });
      out.append(t, last, std::string::npos);
      t = std::move(out);
    }
  }

 private:
  Pattern pat_;
  std::string content_;
};

// Replacement char -> space; in the first token (with a prepend scheme) it is removed.
class Metaspace : public Decoder {
 public:
  Metaspace(std::string rep, bool prefix) : rep_(std::move(rep)), prefix_(prefix) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const std::string& t = tokens[i];
      for (size_t p = 0; p < t.size();) {
        if (t.compare(p, rep_.size(), rep_) == 0) {
          if (!(i == 0 && prefix_)) out += ' ';
          p += rep_.size();
        } else {
          out += t[p++];
        }
      }
      tokens[i] = std::move(out);
    }
  }

 private:
  std::string rep_;
  bool prefix_;
};

class Sequence : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> v) : v_(std::move(v)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& d : v_) d->decode_chain(tokens);
  }
  bool is_byte_level() const override { return v_.size() == 1 && v_[0]->is_byte_level(); }

 private:
  std::vector<std::unique_ptr<Decoder>> v_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& j, const JPath& p) {
  if (j.is_null()) return nullptr;
  std::string t = jtype(j, p);
  if (t == "ByteLevel") return std::make_unique<ByteLevelDec>();
  if (t == "ByteFallback") return std::make_unique<ByteFallback>();
  if (t == "Fuse") return std::make_unique<Fuse>();
  if (t == "Strip") {
    auto num = [&](const char* k) { return size_t(jint(jreq(j, k, p), p / k)); };
    return std::make_unique<Strip>(jstr(jreq(j, "content", p), p / "content"), num("start"), num("stop"));
  }
  if (t == "Replace")
    return std::make_unique<Replace>(make_pattern(jreq(j, "pattern", p), p / "pattern"), jstr(jreq(j, "content", p), p / "content"));
  if (t == "Metaspace") {
    bool prefix = jbool(j, "add_prefix_space", true, p);
    if (j.contains("prepend_scheme")) prefix = jstr(j["prepend_scheme"], p / "prepend_scheme") != "never";
    return std::make_unique<Metaspace>(jstr_opt(j, "replacement", "\xE2\x96\x81", p), prefix);
  }
  if (t == "Sequence") {
    JPath ap = p / "decoders";
    const json& arr = jreq(j, "decoders", p);
    if (!arr.is_array()) ap.fail("expected an array");
    std::vector<std::unique_ptr<Decoder>> v;
    for (size_t i = 0; i < arr.size(); ++i)
      if (auto x = make_decoder(arr[i], ap[i])) v.push_back(std::move(x));
    return std::make_unique<Sequence>(std::move(v));
  }
  (p / "type").fail(cat("unknown decoder type '", t, "'"),
                    "supported: ByteLevel, ByteFallback, Metaspace, Fuse, Strip, Replace, Sequence");
}

}  // namespace libu::text
