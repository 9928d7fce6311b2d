#!/usr/bin/python3
"""Checks perfcheck's Locust CSV against Locust's own writer.

Usage: check_locust_csv.py DIR

DIR holds values.json (what perfcheck recorded: per request name its method,
response times in ms of successes and failures, content bytes, and the run's
elapsed seconds) and perfcheck's files out_stats.csv and out_failures.csv,
out_exceptions.csv and out_stats_history.csv. This script feeds the same
values to Locust 2.12's RequestStats, writes the CSVs with Locust's StatsCSV
and compares them with perfcheck's: the same header lines, the same rows in
the same order, the same text in every cell except the float cells that come
from perfcheck's histogram (min, max, average: within 0.2%), and the Error
text of failures.csv (perfcheck names the category; documented). Prints every
difference and exits 1 when there is one.

Run with Debian's python3 (the python3-locust package), not a virtualenv.
"""
import csv
import io
import json
import os
import sys

from locust.stats import RequestStats, StatsCSV, PERCENTILES_TO_REPORT


class FakeRunner:
    user_count = 0
    exceptions = {}


class FakeEnvironment:
    def __init__(self, stats):
        self.stats = stats
        self.runner = FakeRunner()


def locust_files(values):
    stats = RequestStats(use_response_times_cache=False)
    for e in values["entries"]:
        n = len(e["ok_ms"]) + len(e["fail_ms"])
        content = e["content_bytes"]
        # Spread the content bytes over the requests; only the total counts.
        per = [content // n + (1 if i < content % n else 0) for i in range(n)]
        i = 0
        for ms in e["ok_ms"]:
            stats.log_request(e["method"], e["name"], ms, per[i])
            i += 1
        for ms, error in zip(e["fail_ms"], e["fail_errors"]):
            stats.log_request(e["method"], e["name"], ms, per[i])
            stats.log_error(e["method"], e["name"], error)
            i += 1
    # total_rps = num_requests / (last_request_timestamp - start_time)
    # (RequestStats reads both from its total entry.)
    for entry in list(stats.entries.values()) + [stats.total]:
        entry.start_time = 1000.0
        entry.last_request_timestamp = 1000.0 + values["elapsed_s"]
    writer = StatsCSV(FakeEnvironment(stats), PERCENTILES_TO_REPORT)
    out = {}
    for name, method in (("stats", writer.requests_csv),
                         ("failures", writer.failures_csv),
                         ("exceptions", writer.exceptions_csv)):
        buf = io.StringIO()
        method(csv.writer(buf))
        out[name] = buf.getvalue()
    return out


# Columns whose values come from perfcheck's histogram, not from counts.
APPROXIMATE = {"Average Response Time", "Min Response Time",
               "Max Response Time"}


def compare(kind, ours_text, theirs_text, problems):
    ours = list(csv.reader(io.StringIO(ours_text, newline="")))
    theirs = list(csv.reader(io.StringIO(theirs_text, newline="")))
    if ours_text.split("\r\n", 1)[0] != theirs_text.split("\r\n", 1)[0]:
        problems.append(f"{kind}: header differs:\n  ours   "
                        f"{ours_text.splitlines()[0]!r}\n  Locust "
                        f"{theirs_text.splitlines()[0]!r}")
        return
    if not ours_text.endswith("\r\n"):
        problems.append(f"{kind}: lines must end with \\r\\n like Locust's")
    header = theirs[0]
    if kind == "failures":
        # Locust orders failures by a sha256 of method, name and error text;
        # the order carries no meaning, so compare them by name and method.
        ours[1:] = sorted(ours[1:], key=lambda r: (r[1], r[0]))
        theirs[1:] = sorted(theirs[1:], key=lambda r: (r[1], r[0]))
    if len(ours) != len(theirs):
        problems.append(f"{kind}: {len(ours) - 1} rows, Locust {len(theirs) - 1}")
        return
    for row_ours, row_theirs in zip(ours[1:], theirs[1:]):
        for column, a, b in zip(header, row_ours, row_theirs):
            if a == b:
                continue
            if kind == "failures" and column == "Error":
                continue
            if column in APPROXIMATE:
                fa, fb = float(a), float(b)
                if abs(fa - fb) <= 0.002 * max(abs(fb), 1e-9):
                    # Same Python type (int vs float) too.
                    if ("." in a) == ("." in b):
                        continue
            problems.append(f"{kind}: row {row_theirs[1]!r} column "
                            f"{column!r}: ours {a!r}, Locust {b!r}")


def main():
    directory = sys.argv[1]
    with open(os.path.join(directory, "values.json")) as f:
        values = json.load(f)
    theirs = locust_files(values)
    problems = []
    for kind in ("stats", "failures", "exceptions"):
        with open(os.path.join(directory, f"out_{kind}.csv"), newline="") as f:
            compare(kind, f.read(), theirs[kind], problems)
    # stats_history: Locust writes it from a running runner, a row a second;
    # compare the file names and the header, which scripts index by.
    from locust.stats import StatsCSVFileWriter
    base = os.path.join(directory, "locust")
    writer = StatsCSVFileWriter(FakeEnvironment(RequestStats()),
                                PERCENTILES_TO_REPORT, base)
    for handle in (writer.requests_csv_filehandle,
                   writer.stats_history_csv_filehandle,
                   writer.failures_csv_filehandle,
                   writer.exceptions_csv_filehandle):
        handle.close()
    suffixes = sorted(n[len("locust"):] for n in os.listdir(directory)
                      if n.startswith("locust_"))
    ours = sorted(n[len("out"):] for n in os.listdir(directory)
                  if n.startswith("out_"))
    if suffixes != ours:
        problems.append(f"files: ours {ours}, Locust {suffixes}")
    with open(os.path.join(directory, "out_stats_history.csv"), newline="") as f:
        history = f.read()
    if history.split("\r\n")[0] != ",".join(writer.stats_history_csv_columns):
        problems.append("stats_history: header differs:\n  ours   "
                        f"{history.splitlines()[0]!r}\n  Locust "
                        f"{','.join(writer.stats_history_csv_columns)!r}")
    for p in problems:
        print(p)
    print(f"{len(problems)} difference(s) from Locust's writer")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
