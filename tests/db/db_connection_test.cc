// Server-free parts of the database driver: URLs, redaction, parameters,
// generators, plan view.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "perfcheck/db/connection.h"
#include "perfcheck/db/plan.h"
#include "perfcheck/db/seed.h"

namespace perfcheck::db {
namespace {

TEST(ConnectionUrl, ParsesPostgres) {
  auto u = ConnectionUrl::Parse(
      "postgresql://app:s%40cret@db.example:6543/erp?sslmode=disable");
  ASSERT_TRUE(u.ok()) << u.status().message();
  EXPECT_EQ(u->backend, Backend::kPostgres);
  EXPECT_EQ(u->user, "app");
  EXPECT_EQ(u->password, "s@cret");
  EXPECT_EQ(u->host, "db.example");
  EXPECT_EQ(u->port, 6543);
  EXPECT_EQ(u->database, "erp");
  EXPECT_EQ(u->options.at("sslmode"), "disable");
  EXPECT_EQ(u->ToString(),
            "postgresql://app:<redacted>@db.example:6543/erp?sslmode=disable");
}

TEST(ConnectionUrl, ParsesMariaDbSchemes) {
  for (const char* url : {"mysql://root:pw@127.0.0.1:3306/shop",
                          "mariadb://root:pw@127.0.0.1:3306/shop"}) {
    auto u = ConnectionUrl::Parse(url);
    ASSERT_TRUE(u.ok()) << u.status().message();
    EXPECT_EQ(u->backend, Backend::kMariaDb);
    EXPECT_EQ(u->database, "shop");
    EXPECT_EQ(u->ToString().find("pw"), std::string::npos);
  }
}

TEST(ConnectionUrl, ParsesSqliteForms) {
  auto memory = ConnectionUrl::Parse("sqlite::memory:");
  ASSERT_TRUE(memory.ok());
  EXPECT_EQ(memory->database, ":memory:");
  EXPECT_EQ(memory->ToString(), "sqlite::memory:");
  auto absolute = ConnectionUrl::Parse("sqlite:///tmp/x.db?busy_timeout_ms=10");
  ASSERT_TRUE(absolute.ok());
  EXPECT_EQ(absolute->database, "/tmp/x.db");
  EXPECT_EQ(absolute->options.at("busy_timeout_ms"), "10");
  auto relative = ConnectionUrl::Parse("sqlite:data/x.db");
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->database, "data/x.db");
}

TEST(ConnectionUrl, MalformedUrlsGetClearErrorsWithoutThePassword) {
  const struct {
    const char* url;
    const char* says;
  } cases[] = {
      {"postgresql://u:hunter2@host:99999/db", "port '99999'"},
      {"postgresql://u:hunter2@host:abc/db", "port 'abc'"},
      {"oracle://u:hunter2@host/db", "unsupported scheme 'oracle'"},
      {"no-scheme-here", "no scheme"},
      {"mysql:u:hunter2@host/db", "expected 'mysql://'"},
      {"postgresql://u:hunter2@/db", "no host"},
      {"postgresql://u:hunter2%zz@host/db", "percent-encoding"},
      {"sqlite:", "no database path"},
  };
  for (const auto& c : cases) {
    auto u = ConnectionUrl::Parse(c.url);
    ASSERT_FALSE(u.ok()) << c.url;
    EXPECT_NE(u.status().message().find(c.says), std::string::npos)
        << u.status().message();
    EXPECT_EQ(u.status().message().find("hunter2"), std::string::npos)
        << u.status().message();
  }
}

// Issue 16: a libpq keyword DSN where a URL belongs was quoted whole, with
// its password, in the error (and from there in gtest output and JUnit XML).
TEST(ConnectionUrl, KeywordDsnIsQuotedWithoutItsPassword) {
  for (const char* dsn :
       {"host=127.0.0.1 port=5432 user=u password=SECRETCANARY2 dbname=d",
        "host=127.0.0.1 password='SECRETCANARY2 with spaces' dbname=d",
        "host=127.0.0.1 password = \"SECRETCANARY2\"",
        "host=[::1]:5432 password=SECRETCANARY2",
        "dbname=d password=SECRETCANARY2@x:y",
        "password=SECRETCANARY2 host=[::1]:5432"}) {
    for (const Status& s :
         {ConnectionUrl::Parse(dsn).status(), Connect(dsn).status(),
          Database::Open(dsn).status()}) {
      ASSERT_FALSE(s.ok()) << dsn;
      EXPECT_NE(s.message().find("invalid database URL"), std::string::npos)
          << s.message();
      EXPECT_EQ(s.message().find("SECRETCANARY2"), std::string::npos)
          << s.message();
      std::string lower = s.message();
      for (char& c : lower) c = static_cast<char>(std::tolower(c));
      EXPECT_EQ(lower.find("canary"), std::string::npos) << s.message();
      EXPECT_NE(lower.find("no scheme"), std::string::npos) << s.message();
    }
  }
  const Status s =
      ConnectionUrl::Parse("host=db password=x1y2z3 dbname=d").status();
  EXPECT_NE(s.message().find("'host=db password=<redacted> dbname=d'"),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("libpq keyword/value string"), std::string::npos)
      << s.message();
}

TEST(Connect, ClosedPortIsAClearErrorWithoutThePassword) {
  for (const char* url : {"postgresql://u:hunter2@127.0.0.1:1/db",
                          "mysql://u:hunter2@127.0.0.1:1/db"}) {
    auto c = Connect(url);
    ASSERT_FALSE(c.ok()) << url;
    EXPECT_NE(c.status().message().find("127.0.0.1:1"), std::string::npos)
        << c.status().message();
    EXPECT_EQ(c.status().message().find("hunter2"), std::string::npos)
        << c.status().message();
  }
}

TEST(Database, RejectsBadPoolOptions) {
  EXPECT_THROW((void)Database::Open("sqlite::memory:", {.pool_size = 0}),
               std::invalid_argument);
  auto shared_memory = Database::Open("sqlite::memory:", {.pool_size = 2});
  ASSERT_FALSE(shared_memory.ok());
  EXPECT_NE(shared_memory.status().message().find("private to one connection"),
            std::string::npos);
}

TEST(Param, ConvertsFromCommonTypes) {
  Params p = {42, 7u, 1.5, "text", std::string("s"), nullptr, int64_t{-3}};
  EXPECT_EQ(p[0].kind(), Param::Kind::kInt);
  EXPECT_EQ(p[1].int_value(), 7);
  EXPECT_EQ(p[2].kind(), Param::Kind::kReal);
  EXPECT_EQ(p[2].ToText(), "1.5");
  EXPECT_EQ(p[3].text_value(), "text");
  EXPECT_TRUE(p[5].is_null());
  EXPECT_EQ(p[6].ToText(), "-3");
}

TEST(Seed, GeneratorsAreDeterministicAndInRange) {
  TableSpec t{
      .name = "items",
      .columns = {{"id", ColumnType::kInteger, Sequence(1), true},
                  {"sku", ColumnType::kText, Format("SKU-%06d", Sequence(1))},
                  {"qty", ColumnType::kInteger, UniformInt(0, 9)},
                  {"kind", ColumnType::kText, Choice({"a", "b"})},
                  {"name", ColumnType::kText, RandomText(8)},
                  {"price", ColumnType::kReal, UniformReal(1, 2)}}};
  for (std::uint64_t row = 0; row < 1000; ++row) {
    Params a = GenerateRow(t, row, 42);
    EXPECT_EQ(a, GenerateRow(t, row, 42));
    EXPECT_EQ(a[0].int_value(), static_cast<std::int64_t>(row) + 1);
    EXPECT_GE(a[2].int_value(), 0);
    EXPECT_LE(a[2].int_value(), 9);
    EXPECT_EQ(a[4].text_value().size(), 8u);
    EXPECT_GE(a[5].real_value(), 1.0);
    EXPECT_LT(a[5].real_value(), 2.0);
  }
  EXPECT_EQ(GenerateRow(t, 41, 1)[1].text_value(), "SKU-000042");
  EXPECT_NE(GenerateRow(t, 5, 1)[4], GenerateRow(t, 5, 2)[4]);
  EXPECT_EQ(CreateTableSql(Backend::kMariaDb, t).find("TEXT"),
            std::string::npos);  // VARCHAR, so it can be indexed
}

TEST(Plan, CommonViewQueries) {
  Plan plan;
  plan.nodes.push_back({.table = "orders",
                        .access = Access::kFullScan,
                        .estimated_rows = 10000,
                        .detail = "Seq Scan"});
  plan.nodes.push_back({.table = "items",
                        .access = Access::kIndexScan,
                        .index = "items_sku_idx",
                        .estimated_rows = 1,
                        .depth = 1,
                        .detail = "Index Scan"});
  EXPECT_TRUE(plan.UsesIndex());
  EXPECT_TRUE(plan.UsesIndex("ITEMS_SKU_IDX"));
  EXPECT_FALSE(plan.UsesIndex("other"));
  EXPECT_TRUE(plan.HasFullScan("orders"));
  EXPECT_FALSE(plan.HasFullScan("items"));
  EXPECT_EQ(plan.RowsExamined(), 10001.0);
  EXPECT_EQ(plan.ToString(),
            "orders: full scan (est. rows 10000) [Seq Scan]\n"
            "  items: index items_sku_idx (est. rows 1) [Index Scan]\n");
}

}  // namespace
}  // namespace perfcheck::db
