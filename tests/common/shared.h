// Test helpers: the path of ../shared (outside references) and of a scratch folder.
#pragma once
#include <string>

namespace libu::test {
// Absolute path of <repo>/../shared. Fails the test (throws) with a clear message when absent.
std::string shared_dir();
// shared_dir() + "/" + rel
std::string shared_path(const std::string& rel);
// A fresh, empty temporary folder unique to this test process + name.
std::string temp_dir(const std::string& name);
std::string source_root();
}  // namespace libu::test
