#include "libu/cli/options.h"

#include <algorithm>
#include <sstream>

#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/core/log.h"
#include "libu/io/jsonl.h"

namespace libu::cli {

using nlohmann::json;

static std::string type_name(OptType t) {
  switch (t) {
    case OptType::Int: return "INT";
    case OptType::Float: return "FLOAT";
    case OptType::Bool: return "";
    case OptType::Path: return "PATH";
    default: return "STR";
  }
}

static void validate(const OptionSpec& s, const std::string& v) {
  auto bad = [&](const char* what) {
    fail(cat("--", s.name, ": '", v, "' is not ", what), cat("see `--help` for --", s.name));
  };
  if (s.type == OptType::Int) {
    size_t pos = 0;
    try {
      (void)std::stoll(v, &pos);
    } catch (...) { bad("an integer"); }
    if (pos != v.size()) bad("an integer");
  } else if (s.type == OptType::Float) {
    size_t pos = 0;
    try {
      (void)std::stod(v, &pos);
    } catch (...) { bad("a number"); }
    if (pos != v.size()) bad("a number");
  } else if (s.type == OptType::Bool) {
    if (v != "true" && v != "false") bad("true or false");
  }
  if (!s.choices.empty() && std::find(s.choices.begin(), s.choices.end(), v) == s.choices.end()) {
    std::string all;
    for (auto& c : s.choices) all += (all.empty() ? "" : ", ") + c;
    fail(cat("--", s.name, ": '", v, "' is not one of: ", all));
  }
}

const OptionSpec& Options::spec(const std::string& name) const {
  for (auto& s : specs_)
    if (s.name == name) return s;
  fail_internal("option '" + name + "' was not declared");
}

static std::string closest(const std::vector<OptionSpec>& specs, const std::string& name) {
  // Suggest a declared option sharing the longest prefix.
  std::string best;
  size_t best_len = 0;
  for (auto& s : specs) {
    size_t n = 0;
    while (n < s.name.size() && n < name.size() && s.name[n] == name[n]) ++n;
    if (n > best_len) best_len = n, best = s.name;
  }
  return best_len >= 2 ? "did you mean --" + best + "? " : "";
}

static std::string json_to_string(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return v.dump();
}

Options Options::parse(const std::vector<OptionSpec>& specs_in, const std::vector<std::string>& args,
                       bool allow_positionals) {
  Options o;
  o.specs_ = specs_in;
  for (auto& s : common_options()) {
    bool dup = false;
    for (auto& t : o.specs_) dup = dup || t.name == s.name;
    if (!dup) o.specs_.push_back(s);
  }
  auto known = [&](const std::string& n) {
    for (auto& s : o.specs_)
      if (s.name == n) return true;
    return false;
  };
  // A bare "--" ends the options: everything after it is positional, verbatim (libu launch).
  const size_t end = size_t(std::find(args.begin(), args.end(), "--") - args.begin());
  // Pass 1: --config
  for (size_t i = 0; i + 1 < end; ++i) {
    if (args[i] == "--config") {
      std::string path = args[i + 1];
      json cfg = io::read_json_file(path, "the config is a JSON object of option names to values");
      if (!cfg.is_object()) fail(path + ": config must be a JSON object of option names to values");
      for (auto& [k, v] : cfg.items()) {
        std::string key = k;
        std::replace(key.begin(), key.end(), '_', '-');
        if (!known(key)) fail(cat(path, ": unknown option '", k, "'"), closest(o.specs_, key) + "see --help");
        std::vector<std::string> vals;
        if (v.is_array())
          for (auto& e : v) vals.push_back(json_to_string(e));
        else
          vals.push_back(json_to_string(v));
        for (auto& x : vals) validate(o.spec(key), x);
        o.values_[key] = vals;
        o.given_[key] = true;
      }
    }
  }
  std::map<std::string, bool> from_cli;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (i == end) {
      if (!allow_positionals) fail("unexpected argument '--'", "this command takes no command line after --");
      o.positionals_.insert(o.positionals_.end(), args.begin() + long(i) + 1, args.end());
      break;
    }
    if (a.rfind("--", 0) != 0) {
      if (!allow_positionals) fail(cat("unexpected argument '", a, "'"), "options start with --; see --help");
      o.positionals_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool has_eq = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_eq = true;
    }
    if (name == "config") {
      ++i;
      continue;
    }
    if (!known(name)) {
      if (name.rfind("no-", 0) == 0 && known(name.substr(3)) && o.spec(name.substr(3)).type == OptType::Bool) {
        o.values_[name.substr(3)] = {"false"};
        o.given_[name.substr(3)] = true;
        continue;
      }
      fail(cat("unknown option --", name), closest(o.specs_, name) + "run with --help to list options");
    }
    const OptionSpec& s = o.spec(name);
    if (s.type == OptType::Bool && !has_eq) {
      value = "true";
    } else if (!has_eq) {
      if (i + 1 >= args.size()) fail(cat("--", name, " needs a value"), s.help);
      value = args[++i];
    }
    validate(s, value);
    if (s.repeated && from_cli[name])
      o.values_[name].push_back(value);
    else
      o.values_[name] = {value};
    from_cli[name] = true;
    o.given_[name] = true;
  }
  for (auto& s : o.specs_) {
    if (!o.values_.count(s.name) && !s.default_value.empty()) o.values_[s.name] = {s.default_value};
    if (s.required && !o.values_.count(s.name))
      fail(cat("missing required option --", s.name), s.help);
  }
  return o;
}

bool Options::has(const std::string& name) const {
  (void)spec(name);
  return values_.count(name) > 0;
}
bool Options::given(const std::string& name) const { return given_.count(name) > 0; }
bool Options::declares(const std::string& name) const {
  for (auto& s : specs_)
    if (s.name == name) return true;
  return false;
}

std::string Options::str(const std::string& name) const {
  (void)spec(name);
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) fail(cat("option --", name, " is required here"));
  return it->second.back();
}
int64_t Options::i64(const std::string& name) const { return std::stoll(str(name)); }
double Options::f64(const std::string& name) const { return std::stod(str(name)); }
bool Options::flag(const std::string& name) const { return has(name) && str(name) == "true"; }

std::vector<std::string> Options::list(const std::string& name) const {
  std::vector<std::string> out;
  auto it = values_.find(name);
  if (it == values_.end()) return out;
  for (auto& v : it->second) {
    std::stringstream ss(v);
    std::string part;
    while (std::getline(ss, part, ','))
      if (!part.empty()) out.push_back(part);
  }
  return out;
}

void Options::set_default(const std::string& name, const std::string& value) {
  validate(spec(name), value);
  if (!given(name)) values_[name] = {value};
}

json Options::to_json() const {
  json j = json::object();
  for (auto& s : specs_) {
    auto it = values_.find(s.name);
    if (it == values_.end()) {
      j[s.name] = nullptr;
      continue;
    }
    const std::string& v = it->second.back();
    if (s.repeated) {
      j[s.name] = it->second;
    } else if (s.type == OptType::Int) {
      j[s.name] = std::stoll(v);
    } else if (s.type == OptType::Float) {
      j[s.name] = std::stod(v);
    } else if (s.type == OptType::Bool) {
      j[s.name] = v == "true";
    } else {
      j[s.name] = v;
    }
  }
  if (!positionals_.empty()) j["_positionals"] = positionals_;
  return j;
}

std::vector<Command>& registry() {
  static std::vector<Command> r;
  return r;
}

Registrar::Registrar(Command c) { registry().push_back(std::move(c)); }

const Command* find_command(const std::string& name) {
  for (auto& c : registry())
    if (c.name == name) return &c;
  return nullptr;
}

std::string help_text(const Command& c) {
  std::ostringstream os;
  os << "usage: libu " << c.name << " [options]" << (c.usage_tail.empty() ? "" : " " + c.usage_tail)
     << "\n\n" << c.summary << "\n\noptions:\n";
  auto print = [&](const OptionSpec& s) {
    std::string lhs = "  --" + s.name;
    std::string t = type_name(s.type);
    if (!t.empty()) lhs += " " + t;
    os << lhs;
    size_t pad = lhs.size() < 30 ? 30 - lhs.size() : 1;
    os << std::string(pad, ' ') << s.help;
    if (!s.choices.empty()) {
      os << " {";
      for (size_t i = 0; i < s.choices.size(); ++i) os << (i ? "|" : "") << s.choices[i];
      os << "}";
    }
    if (s.required) os << " (required)";
    else if (!s.default_value.empty()) os << " (default: " << s.default_value << ")";
    os << "\n";
  };
  for (auto& s : c.options) print(s);
  os << "\ncommon options:\n";
  for (auto& s : common_options()) print(s);
  return os.str();
}

const std::vector<OptionSpec>& common_options() {
  static const std::vector<OptionSpec> v = {
      {"threads", OptType::Int, "0", "CPU threads for torch (0 = all cores)"},
      {"log-level", OptType::String, "info", "log verbosity", false, {"debug", "info", "warn", "error", "quiet"}},
      {"quiet", OptType::Bool, "false", "only print errors and results"},
      {"config", OptType::Path, "", "JSON file of option values (flags win)"},
  };
  return v;
}

const std::vector<OptionSpec>& packing_options() {
  static const std::vector<OptionSpec> v = {
      {"packing", OptType::Bool, "true",
       "sequence packing for every training and NLL pass: the rows of a batch back to back, block-diagonal "
       "attention, no FLOPs on padding (--no-packing: padded batches; docs/packing.md)"},
      {"pack-length", OptType::Int, "1024", "tokens per pack (whole rows; a longer row gets a pack of its own)"},
  };
  return v;
}

const std::vector<OptionSpec>& dist_options() {
  static const std::vector<OptionSpec> v = {
      {"dist-backend", OptType::String, "auto",
       "collective backend when RANK/WORLD_SIZE are set (libu launch): auto = nccl on CUDA, else gloo", false,
       {"auto", "gloo", "nccl"}},
      {"dist-timeout", OptType::Float, "300",
       "seconds a rank waits for the others (rendezvous and every collective) before it reports the lost rank"},
  };
  return v;
}

void invoke_command(const std::string& name, const std::vector<std::string>& args, const std::string& caller) {
  const Command* c = find_command(name);
  if (!c) fail_internal(cat(caller, ": command '", name, "' is not registered"));
  log_info("== libu ", name);
  Options o = Options::parse(c->options, args, c->positionals);
  if (c->run(o) != 0) fail(cat(caller, ": step `libu ", name, "` failed"));
}

std::vector<std::string> packing_args(const Options& o) {
  return {o.flag("packing") ? "--packing" : "--no-packing", "--pack-length", o.str("pack-length")};
}

}  // namespace libu::cli
