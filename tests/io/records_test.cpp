#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/records.h"
#include "libu/io/semeval_id.h"

using namespace libu;

TEST(Records, SemevalFolderLayoutHfShards) {
  std::string dir = test::shared_path("data/semeval25");
  auto f = io::load_split(dir, "forget");
  auto r = io::load_split(dir, "retain");
  EXPECT_EQ(f.size(), 1112u);
  EXPECT_EQ(r.size(), 1136u);
  EXPECT_EQ(io::load_split(dir, "forget_validation").size(), 254u);
  EXPECT_EQ(io::load_split(dir, "retain_validation").size(), 278u);
  EXPECT_EQ(f[0].split, "forget");
  EXPECT_FALSE(f[0].task.empty());
  EXPECT_EQ(io::resolve_split_files(dir, "forget").at(0), dir + "/forget_train-00000-of-00001.parquet");
}

TEST(Records, JsonlAndParquetLayoutsAgree) {
  std::string src = test::shared_path("data/semeval25/forget_validation-00000-of-00001.parquet");
  auto recs = io::load_records(src);
  std::string dir = test::temp_dir("records_layout");
  io::write_records_jsonl(dir + "/forget.jsonl", recs);
  auto back = io::load_split(dir, "forget");
  ASSERT_EQ(back.size(), recs.size());
  for (size_t i = 0; i < recs.size(); ++i) {
    EXPECT_EQ(back[i].id, recs[i].id);
    EXPECT_EQ(back[i].input, recs[i].input);
    EXPECT_EQ(back[i].output, recs[i].output);
  }
  // forget.parquet layout: a file copy.
  std::string dir2 = test::temp_dir("records_layout_pq");
  write_file_atomic(dir2 + "/forget.parquet", read_file(src));
  EXPECT_EQ(io::load_split(dir2, "forget").size(), 254u);
  // Both present: ambiguous.
  write_file_atomic(dir2 + "/forget.jsonl", read_file(dir + "/forget.jsonl"));
  EXPECT_THROW(io::load_split(dir2, "forget"), Error);
}

TEST(Records, MissingSplitListsFolder) {
  std::string dir = test::temp_dir("records_missing");
  write_file_atomic(dir + "/notes.txt", "x");
  try {
    io::load_split(dir, "retain");
    FAIL();
  } catch (const Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("no 'retain' split found"), std::string::npos) << m;
    EXPECT_NE(m.find("notes.txt"), std::string::npos) << m;
  }
  EXPECT_THROW(io::load_records(dir + "/absent.parquet"), Error);
}

TEST(Records, MissingColumnNamesTheFix) {
  std::string dir = test::temp_dir("records_badcol");
  write_file_atomic(dir + "/forget.jsonl", "{\"id\":\"1\",\"input\":\"a\",\"answer\":\"b\"}\n");
  try {
    io::load_split(dir, "forget");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("forget.jsonl:1: field 'output' not found"), std::string::npos) << e.what();
  }
}

TEST(Records, IdsWithQuotesSurvive) {
  auto recs = io::load_split(test::shared_path("data/semeval25"), "forget");
  size_t quoted = 0;
  for (auto& r : recs) quoted += r.id.find('"') != std::string::npos;
  EXPECT_GT(quoted, 0u);
}

// The one reading of SemEval ids (io/semeval_id.h) that the scorer, calibration, documents and
// the relearning attack share: the official rule types by id[:-1].
TEST(SemevalId, KindAndDocumentFollowTheOfficialRule) {
  EXPECT_EQ(libu::io::semeval_kind("6e7a2b3c-story-9sc1"), "sc");
  EXPECT_EQ(libu::io::semeval_kind("abcqa0"), "qa");
  EXPECT_EQ(libu::io::semeval_kind("abcqa12"), "") << "id[:-1] of a two-digit suffix does not end in qa";
  EXPECT_EQ(libu::io::semeval_kind("plain"), "");
  EXPECT_EQ(libu::io::semeval_kind("sc"), "");
  EXPECT_EQ(libu::io::semeval_document("abcqa0"), "abc");
  EXPECT_EQ(libu::io::semeval_document("abcsc1"), "abc");
  EXPECT_EQ(libu::io::semeval_document("plain"), "plain");
  EXPECT_EQ(libu::io::semeval_document("sc1"), "sc1") << "an id no longer than its suffix is its own document";
}
