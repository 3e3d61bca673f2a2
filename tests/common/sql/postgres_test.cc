#include "common/sql/postgres.h"

#include "gtest/gtest.h"

namespace shien::sql {
namespace {

TEST(ToPostgresPlaceholders, NumbersPlaceholdersOutsideLiterals) {
  auto [sql, n] = ToPostgresPlaceholders(
      "SELECT a FROM t WHERE b = ? AND c = '?' AND d IN (?, ?) LIMIT ?");
  EXPECT_EQ(sql,
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d IN ($2, $3) "
            "LIMIT $4");
  EXPECT_EQ(n, 4);
}

TEST(ToPostgresPlaceholders, KeepsNumberedPlaceholders) {
  auto [sql, n] = ToPostgresPlaceholders(
      "WHERE (?1 = '' OR p = ?1) AND (?3 = 0 OR s < ?3) LIMIT ?2");
  EXPECT_EQ(sql, "WHERE ($1 = '' OR p = $1) AND ($3 = 0 OR s < $3) LIMIT $2");
  EXPECT_EQ(n, 3);
}

TEST(ToPostgresPlaceholders, NumbersABarePlaceholderAfterTheHighestLikeSqlite) {
  auto [sql, n] = ToPostgresPlaceholders("?1 = '' OR x = ? OR y = ?1");
  EXPECT_EQ(sql, "$1 = '' OR x = $2 OR y = $1");
  EXPECT_EQ(n, 2);
}

TEST(DescribePostgres, NamesHostPortAndDatabaseButNeverThePassword) {
  const std::string d = DescribePostgres(
      "host=db.internal port=6432 dbname=budget user=shien password=s3cret");
  EXPECT_EQ(d, "postgresql db.internal:6432/budget");
  EXPECT_EQ(DescribePostgres("postgresql://shien:s3cret@db/kpi"),
            "postgresql db:5432/kpi");
}

}  // namespace
}  // namespace shien::sql
