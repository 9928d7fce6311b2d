#include "perfcheck/db/seed.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace perfcheck::db {
namespace {

// SplitMix64: a fast, well-mixed hash, so row i's value needs no state from
// rows before it and a batch can be generated anywhere.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::string TypeName(Backend backend, ColumnType type) {
  switch (type) {
    case ColumnType::kInteger:
      return backend == Backend::kSqlite ? "INTEGER" : "BIGINT";
    case ColumnType::kReal:
      return backend == Backend::kPostgres  ? "DOUBLE PRECISION"
             : backend == Backend::kMariaDb ? "DOUBLE"
                                            : "REAL";
    case ColumnType::kText:
      // MariaDB cannot index TEXT without a prefix length.
      return backend == Backend::kMariaDb ? "VARCHAR(255)" : "TEXT";
  }
  return "TEXT";
}

}  // namespace

Generator Sequence(std::int64_t start, std::int64_t step) {
  return [=](std::uint64_t row, std::uint64_t) {
    return Param(start + static_cast<std::int64_t>(row) * step);
  };
}

Generator UniformInt(std::int64_t lo, std::int64_t hi) {
  if (hi < lo) throw std::invalid_argument("UniformInt: hi < lo");
  const auto span = static_cast<std::uint64_t>(hi - lo) + 1;
  return [=](std::uint64_t, std::uint64_t rng) {
    // span == 0 means the full 64-bit range wrapped around.
    return Param(lo + static_cast<std::int64_t>(span == 0 ? rng : rng % span));
  };
}

Generator UniformReal(double lo, double hi) {
  if (!(hi > lo)) throw std::invalid_argument("UniformReal: hi <= lo");
  return [=](std::uint64_t, std::uint64_t rng) {
    const double unit = static_cast<double>(rng >> 11) * 0x1.0p-53;
    return Param(lo + unit * (hi - lo));
  };
}

Generator Choice(std::vector<std::string> values) {
  if (values.empty()) throw std::invalid_argument("Choice: no values");
  return [values = std::move(values)](std::uint64_t, std::uint64_t rng) {
    return Param(values[rng % values.size()]);
  };
}

Generator RandomText(int length) {
  if (length < 0) throw std::invalid_argument("RandomText: length < 0");
  return [=](std::uint64_t, std::uint64_t rng) {
    std::string text(static_cast<std::size_t>(length), 'a');
    for (int i = 0; i < length; ++i) {
      rng = Mix(rng);
      text[static_cast<std::size_t>(i)] = static_cast<char>('a' + rng % 26);
    }
    return Param(std::move(text));
  };
}

Generator Format(std::string pattern, Generator inner) {
  if (!inner) throw std::invalid_argument("Format: no inner generator");
  return [pattern = std::move(pattern), inner = std::move(inner)](
             std::uint64_t row, std::uint64_t rng) {
    const Param value = inner(row, rng);
    const long long n = value.kind() == Param::Kind::kInt
                            ? static_cast<long long>(value.int_value())
                            : 0;
    char buf[256];
    // The pattern is the caller's literal with one integer conversion.
    std::snprintf(buf, sizeof buf, pattern.c_str(), n);  // NOLINT
    return Param(std::string(buf));
  };
}

Generator Constant(Param value) {
  return [value = std::move(value)](std::uint64_t, std::uint64_t) {
    return value;
  };
}

Params GenerateRow(const TableSpec& table, std::uint64_t row,
                   std::uint64_t seed) {
  Params params;
  params.reserve(table.columns.size());
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const ColumnSpec& column = table.columns[c];
    if (!column.generate) {
      throw std::invalid_argument("TableSpec " + table.name + ": column " +
                                  column.name + " has no generator");
    }
    const std::uint64_t rng = Mix(Mix(seed ^ (c * 0x100000001b3ULL)) ^ row);
    params.push_back(column.generate(row, rng));
  }
  return params;
}

std::string CreateTableSql(Backend backend, const TableSpec& table) {
  std::string sql = "CREATE TABLE " + table.name + " (";
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    const ColumnSpec& column = table.columns[i];
    sql += (i ? ", " : "") + column.name + " " + TypeName(backend, column.type);
    if (column.primary_key) sql += " PRIMARY KEY";
  }
  return sql + ")";
}

Status CreateTable(Database& db, const TableSpec& table) {
  StatusOr<Lease> lease = db.Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  auto run = [&](const std::string& sql) -> Status {
    QueryStatus s = c.ExecuteScript(sql);
    if (s.ok()) return {};
    return Status::Error("creating table " + table.name + " on " +
                         c.Describe() + ": " + s.message);
  };
  if (Status s = run("DROP TABLE IF EXISTS " + table.name); !s.ok()) return s;
  if (Status s = run(CreateTableSql(db.backend(), table)); !s.ok()) return s;
  for (const IndexSpec& index : table.indexes) {
    std::string cols;
    for (const std::string& col : index.columns) {
      cols += (cols.empty() ? "" : ", ") + col;
    }
    if (Status s = run("CREATE INDEX " + index.name + " ON " + table.name +
                       " (" + cols + ")");
        !s.ok()) {
      return s;
    }
  }
  return {};
}

std::string_view SeedMethodName(SeedMethod method) {
  switch (method) {
    case SeedMethod::kAuto:
      return "auto";
    case SeedMethod::kLoadData:
      return "load_data";
    case SeedMethod::kInsert:
      return "insert";
  }
  return "auto";
}

StatusOr<SeedReport> SeedWithReport(Database& db, const TableSpec& table,
                                    std::uint64_t rows, SeedOptions options) {
  if (options.batch_rows == 0) {
    throw std::invalid_argument("SeedOptions.batch_rows must be > 0");
  }
  if (options.method == SeedMethod::kLoadData &&
      db.backend() != Backend::kMariaDb) {
    throw std::invalid_argument(
        "SeedOptions.method load_data needs MariaDB, got " +
        std::string(BackendName(db.backend())));
  }
  // Checks every column's generator before anything is sent.
  if (rows > 0) GenerateRow(table, options.first_row, options.seed);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> columns;
  for (const ColumnSpec& column : table.columns) columns.push_back(column.name);
  StatusOr<Lease> lease = db.Acquire();
  if (!lease.ok()) return lease.status();
  Connection& c = **lease;
  SeedReport report;
  auto failed = [&](std::uint64_t first, std::uint64_t n,
                    const std::string& message) {
    return Status::Error("seeding " + table.name + " (rows " +
                         std::to_string(first) + ".." +
                         std::to_string(first + n - 1) + ", " +
                         std::string(SeedMethodName(report.method)) + ") on " +
                         c.Describe() + ": " + message);
  };

  const bool try_load = options.method == SeedMethod::kLoadData ||
                        (options.method == SeedMethod::kAuto &&
                         db.backend() == Backend::kMariaDb && rows > 0);
  if (try_load) {
    report.method = SeedMethod::kLoadData;
    std::uint64_t next = 0;
    const RowSource source = [&](Params& row) {
      if (next == rows) return false;
      row = GenerateRow(table, options.first_row + next++, options.seed);
      return true;
    };
    bool refused = false;
    QueryStatus s = c.LoadData(table.name, columns, source, &refused);
    if (s.ok()) {
      report.rows = s.rows;
      report.elapsed = std::chrono::steady_clock::now() - start;
      return report;
    }
    if (!refused || options.method == SeedMethod::kLoadData) {
      return failed(options.first_row, rows, s.message);
    }
    report.fallback = "LOAD DATA LOCAL INFILE refused (" + s.message +
                      "); seeded with multi-row INSERTs instead";
  }

  report.method = SeedMethod::kInsert;
  std::vector<Params> batch;
  for (std::uint64_t done = 0; done < rows;) {
    const std::uint64_t n = std::min(options.batch_rows, rows - done);
    batch.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
      batch.push_back(
          GenerateRow(table, options.first_row + done + i, options.seed));
    }
    QueryStatus s = c.BulkInsert(table.name, columns, batch);
    if (!s.ok()) return failed(options.first_row + done, n, s.message);
    done += n;
  }
  report.rows = rows;
  report.elapsed = std::chrono::steady_clock::now() - start;
  return report;
}

Status Seed(Database& db, const TableSpec& table, std::uint64_t rows,
            SeedOptions options) {
  StatusOr<SeedReport> report = SeedWithReport(db, table, rows, options);
  return report.ok() ? Status() : report.status();
}

}  // namespace perfcheck::db
