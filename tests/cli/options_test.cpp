// Option parsing: unknown flags fail, --config applies with flags winning, and --help lists
// every declared option of every command (walks the option tables).
#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/cli/options.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"

using namespace libu;
using namespace libu::cli;

namespace {
const std::vector<OptionSpec> kSpecs = {
    {"lr", OptType::Float, "1e-4", "learning rate"},
    {"epochs", OptType::Int, "3", "epochs"},
    {"method", OptType::String, "libu", "method", false, {"libu", "gd"}},
    {"out", OptType::Path, "", "output", true},
};
}  // namespace

TEST(Options, UnknownFlagFailsWithHint) {
  try {
    Options::parse(kSpecs, {"--out", "x", "--epoch", "3"});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--epoch"), std::string::npos);
    EXPECT_NE(e.hint().find("--epochs"), std::string::npos) << e.hint();
  }
}

TEST(Options, BadValuesAreRejected) {
  EXPECT_THROW(Options::parse(kSpecs, {"--out", "x", "--epochs", "three"}), Error);
  EXPECT_THROW(Options::parse(kSpecs, {"--out", "x", "--method", "sgd"}), Error);
  EXPECT_THROW(Options::parse(kSpecs, {"--epochs", "2"}), Error);  // --out is required
  EXPECT_THROW(Options::parse(kSpecs, {"--out"}), Error);           // missing value
}

TEST(Options, ConfigFileAppliesAndFlagsWin) {
  std::string dir = test::temp_dir("opts");
  write_file_atomic(dir + "/c.json", R"({"lr": 0.5, "epochs": 7, "out": "from-config"})");
  auto o = Options::parse(kSpecs, {"--config", dir + "/c.json", "--epochs", "9"});
  EXPECT_DOUBLE_EQ(o.f64("lr"), 0.5);
  EXPECT_EQ(o.i64("epochs"), 9);
  EXPECT_EQ(o.str("out"), "from-config");
  EXPECT_EQ(o.to_json()["epochs"], 9);
  write_file_atomic(dir + "/bad.json", R"({"nope": 1})");
  EXPECT_THROW(Options::parse(kSpecs, {"--config", dir + "/bad.json"}), Error);
}

TEST(Options, PresetDefaultsNeverOverrideGivenFlags) {
  auto o = Options::parse(kSpecs, {"--out", "x", "--lr", "0.2"});
  o.set_default("lr", "0.9");
  o.set_default("epochs", "5");
  EXPECT_DOUBLE_EQ(o.f64("lr"), 0.2);
  EXPECT_EQ(o.i64("epochs"), 5);
}

TEST(Options, HelpListsEveryDeclaredOptionOfEveryCommand) {
  ASSERT_GE(registry().size(), 10u);
  for (auto& c : registry()) {
    std::string h = help_text(c);
    for (auto& s : c.options) EXPECT_NE(h.find("--" + s.name + " "), std::string::npos) << c.name << " --" << s.name;
    for (auto& s : common_options()) EXPECT_NE(h.find("--" + s.name), std::string::npos) << c.name;
  }
  for (std::string name : {"init", "inspect", "parity", "tokenize", "tokenizer train", "data show", "data info",
                           "data synth", "train", "unlearn", "eval run", "eval score", "demo", "report"})
    EXPECT_NE(find_command(name), nullptr) << name;
}

// Engine bad input: a tokenizer file that is absent when one is required.
TEST(BadInput, MissingTokenizerNamesFileAndFix) {
  std::string dir = test::temp_dir("notok");
  const Command* init = find_command("init");
  ASSERT_NE(init, nullptr);
  auto o = Options::parse(init->options, {"--tokenizer", dir + "/absent/tokenizer.json", "--out", dir + "/m"});
  try {
    init->run(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent/tokenizer.json"), std::string::npos) << e.what();
    EXPECT_FALSE(e.hint().empty());
  }
  // A model folder without tokenizer.json cannot be unlearned or evaluated.
  ASSERT_EQ(init->run(Options::parse(init->options, {"--out", dir + "/m"})), 0);
  const Command* unlearn = find_command("unlearn");
  auto u = Options::parse(unlearn->options, {"--model", dir + "/m", "--forget", dir + "/f.jsonl", "--out", dir + "/o"});
  write_file_atomic(dir + "/f.jsonl", R"({"id":"xsc1","input":"a","output":"b","task":"Task1"})" "\n");
  try {
    unlearn->run(u);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
  }
}

// The README's CLI reference (docs/CLI.md, generated from --help) lists every option.
TEST(Options, CliReferenceIsCheckedAgainstTheTables) {
  std::string doc = read_file(test::source_root() + "/docs/CLI.md");
  for (auto& c : registry()) {
    EXPECT_NE(doc.find("## libu " + c.name + "\n"), std::string::npos)
        << c.name << ": run scripts/gen-cli-doc.sh";
    for (auto& s : c.options)
      EXPECT_NE(doc.find("--" + s.name + " "), std::string::npos) << c.name << " --" << s.name;
  }
}
