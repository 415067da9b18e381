#include <gtest/gtest.h>

#include "common/shared.h"
#include "libu/core/error.h"
#include "libu/core/fs.h"
#include "libu/io/jsonl.h"
#include "libu/io/records.h"

using namespace libu;

TEST(Jsonl, ParsesObjectsAndSkipsBlankLines) {
  auto rows = io::parse_jsonl("{\"a\":1}\n\n  \n{\"a\":\"x\\\"y\"}\r\n", "t.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["a"], 1);
  EXPECT_EQ(rows[1]["a"], "x\"y");
}

TEST(Jsonl, BadLineGivesItsNumber) {
  try {
    io::parse_jsonl("{\"a\":1}\n{\"a\":2}\n{\"a\":\n", "bad.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl:3: invalid JSON"), std::string::npos) << e.what();
  }
  try {
    io::parse_jsonl("[1,2]\n", "arr.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("arr.jsonl:1: expected a JSON object"), std::string::npos) << e.what();
  }
}

TEST(Jsonl, MiaDocuments) {
  auto members = io::load_documents(test::shared_path("data/semeval25/mia/member.jsonl"));
  auto nonmembers = io::load_documents(test::shared_path("data/semeval25/mia/nonmember.jsonl"));
  EXPECT_EQ(members.size(), 150u);
  EXPECT_EQ(nonmembers.size(), 150u);
  EXPECT_FALSE(members[0].empty());
  std::string dir = test::temp_dir("jsonl_mia");
  write_file_atomic(dir + "/m.jsonl", "{\"document\":\"a\"}\n{\"text\":\"b\"}\n");
  try {
    io::load_documents(dir + "/m.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.jsonl:2: field 'document' is missing"), std::string::npos) << e.what();
  }
}

TEST(Jsonl, WriteReadRoundTrip) {
  std::string dir = test::temp_dir("jsonl_rt");
  io::write_jsonl(dir + "/x.jsonl", {{{"id", "a\"b"}, {"n", 2}}, {{"id", "ü\n"}}});
  auto back = io::read_jsonl(dir + "/x.jsonl");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0]["id"], "a\"b");
  EXPECT_EQ(back[1]["id"], "ü\n");
}
