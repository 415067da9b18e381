// `libu bench quality` reuses the models in its --out folder only when they were built with the
// same options (OUT/models.json): a rerun with another --max-length must fail before any file of
// the folder is rewritten, and name the option that differs and the fix.
#include <gtest/gtest.h>

#include <tuple>

#include "cli/tiny_world.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"

using namespace libu;

TEST(BenchQualityStamp, ModelsBuiltWithOtherOptionsAreNotReused) {
  std::string out = test::temp_dir("bench-quality-stamp");
  // A folder whose models were built with --max-length 256 (the stamp as a first run writes it).
  nlohmann::json stamp = {{"max-length", 256}};
  write_file_atomic(out + "/models.json", stamp.dump());
  write_file_atomic(out + "/tokenizer.json", "{}");
  std::string message;
  try {
    test::run_command("bench quality",
                      {"--out", out, "--max-length", "512", "--data", test::shared_path("data/semeval25")});
  } catch (const Error& e) {
    message = e.message() + " | " + e.hint();
  }
  EXPECT_NE(message.find("--max-length 256 → 512"), std::string::npos) << message;
  EXPECT_NE(message.find("another --out"), std::string::npos) << message;
  EXPECT_FALSE(path_exists(out + "/data/pretrain.jsonl")) << "data was rewritten before the check";
  EXPECT_EQ(read_file(out + "/models.json"), stamp.dump()) << "the stamp of the built models was replaced";
}

// A damaged stamp is a clear error naming the file and the fix, not a JSON exception.
TEST(BenchQualityStamp, DamagedStampNamesTheFile) {
  std::string out = test::temp_dir("bench-quality-stamp-bad");
  write_file_atomic(out + "/models.json", "{not json");
  std::string message;
  try {
    test::run_command("bench quality", {"--out", out, "--data", test::shared_path("data/semeval25")});
  } catch (const Error& e) {
    message = e.message() + " | " + e.hint();
  }
  EXPECT_NE(message.find(out + "/models.json"), std::string::npos) << message;
  EXPECT_NE(message.find("another --out"), std::string::npos) << message;
}

// --size sets the role counts: full and long deal 4 validation documents per task, small 2
// (the slow test's). A stamp recorded with the other count names the difference, so the size's
// defaults reach the models' options (and, being a model option, are never silently mixed).
TEST(BenchQualityStamp, SizesSetTheValidationDocuments) {
  for (auto [size, stamped, wanted] : {std::tuple{"full", 2, 4}, {"long", 2, 4}, {"small", 4, 2}}) {
    std::string out = test::temp_dir(cat("bench-quality-size-", size));
    write_file_atomic(out + "/models.json", nlohmann::json({{"val-docs", stamped}}).dump());
    std::string message;
    try {
      test::run_command("bench quality", {"--out", out, "--size", size, "--data", test::shared_path("data/semeval25")});
    } catch (const Error& e) {
      message = e.message();
    }
    EXPECT_NE(message.find(cat("--val-docs ", stamped, " → ", wanted)), std::string::npos) << size << ": " << message;
  }
}
