#!/usr/bin/env python3
"""The candidates query in PostgreSQL full-text search and SQLite FTS5, on the corpus
`platsa bench --export DIR` wrote (the same register and openings Platsa's bench ranks).

    python3 benches/fts/compare.py DIR [--pg postgresql://postgres@127.0.0.1:5432/postgres]
                                       [--queries 500] [--skip-pg] [--skip-sqlite]

Each query is the OR of an opening's words, over active seekers holding every licence the
opening requires, top 50 by the engine's own relevance (PostgreSQL `ts_rank_cd` over a
tsvector with a GIN index; SQLite FTS5 `bm25()`). Words are the Swedish stems of each
engine's own configuration ('swedish' / porter-less unicode61 with diacritics kept).
PostgreSQL is timed inside the server (clock_timestamp around each query, no client round
trip), SQLite in process (Python's sqlite3). The first 20 openings are the bench's warm-up
and are skipped, as Platsa's bench skips them. Prints p50/p95/p99 per engine.
"""

import argparse
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import time

WORD = re.compile(r"\w+", re.UNICODE)


def percentiles(ms):
    ms = sorted(ms)
    pick = lambda p: ms[min(len(ms) - 1, round((len(ms) - 1) * p))]
    return pick(0.50), pick(0.95), pick(0.99)


def openings(path, n):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return rows[20 : 20 + n]


def words(text):
    seen = []
    for w in WORD.findall(text.lower()):
        if w not in seen and not w.isdigit():
            seen.append(w)
    return seen[:24]


# The SQL timed on SQLite (FTS5, external content = none, filters in a side table).
SQLITE_QUERY = """
SELECT s.id, bm25(seeker_text) AS rank
FROM seeker_text JOIN seeker s ON s.rowid = seeker_text.rowid
WHERE seeker_text MATCH ?1 AND s.active = 1 AND (s.licences & ?2) = ?2
ORDER BY rank LIMIT 50
"""

LICENCES = ["am", "a1", "a2", "a", "b", "be", "c1", "c1e", "c", "ce", "d1", "d1e", "d", "de"]


def mask(licences):
    m = 0
    for l in licences:
        if l.lower() in LICENCES:
            m |= 1 << LICENCES.index(l.lower())
    return m


def sqlite(dir, opens):
    path = os.path.join(dir, "fts5.db")
    fresh = not os.path.exists(path)
    db = sqlite3.connect(path)
    if fresh:
        t = time.time()
        db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE seeker (rowid INTEGER PRIMARY KEY, id TEXT, active INTEGER, licences INTEGER);"
            "CREATE VIRTUAL TABLE seeker_text USING fts5(text, tokenize = 'unicode61 remove_diacritics 0');"
        )
        with open(os.path.join(dir, "seekers.jsonl"), encoding="utf-8") as f:
            batch = []
            for i, line in enumerate(f, 1):
                s = json.loads(line)
                batch.append((i, s["id"], int(s["active"]), mask(s["licences"]), s["text"]))
                if len(batch) == 10000:
                    load_sqlite(db, batch)
                    batch = []
            load_sqlite(db, batch)
        db.commit()
        db.execute("INSERT INTO seeker_text(seeker_text) VALUES ('optimize')")
        db.commit()
        print(f"sqlite fts5: loaded in {time.time() - t:.0f} s")
    times = []
    for o in opens:
        q = " OR ".join('"' + w.replace('"', "") + '"' for w in words(o["words"]))
        t = time.perf_counter()
        db.execute(SQLITE_QUERY, (q, mask(o["licences"]))).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return times


def load_sqlite(db, batch):
    db.executemany("INSERT INTO seeker (rowid, id, active, licences) VALUES (?, ?, ?, ?)", [b[:4] for b in batch])
    db.executemany("INSERT INTO seeker_text (rowid, text) VALUES (?, ?)", [(b[0], b[4]) for b in batch])


# The SQL timed on PostgreSQL, run per opening by the DO block below.
PG_QUERY = """
SELECT id, ts_rank_cd(tsv, q) AS rank
FROM seeker, to_tsquery('swedish', $1) q
WHERE tsv @@ q AND active AND licences @> $2
ORDER BY rank DESC LIMIT 50
"""


def psql(url, sql, capture=False):
    return subprocess.run(
        ["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-At", "-c", sql],
        check=True,
        capture_output=capture,
        text=True,
    ).stdout


def postgres(dir, opens, url):
    exists = psql(url, "SELECT to_regclass('bench_fts_seeker') IS NOT NULL", capture=True).strip() == "t"
    if not exists:
        t = time.time()
        with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False, encoding="utf-8") as tsv:
            with open(os.path.join(dir, "seekers.jsonl"), encoding="utf-8") as f:
                for line in f:
                    s = json.loads(line)
                    text = s["text"].replace("\\", " ").replace("\t", " ").replace("\n", " ")
                    lic = "{" + ",".join(l.lower() for l in s["licences"]) + "}"
                    tsv.write(f"{s['id']}\t{'t' if s['active'] else 'f'}\t{lic}\t{text}\n")
        subprocess.run(
            ["psql", url, "-v", "ON_ERROR_STOP=1", "-q"],
            input="CREATE TABLE bench_fts_seeker (id text, active boolean, licences text[], text text);\n"
            f"\\copy bench_fts_seeker FROM '{tsv.name}'\n"
            "ALTER TABLE bench_fts_seeker ADD COLUMN tsv tsvector "
            "GENERATED ALWAYS AS (to_tsvector('swedish', text)) STORED;\n"
            "CREATE INDEX ON bench_fts_seeker USING gin (tsv);\n"
            "CREATE INDEX ON bench_fts_seeker USING gin (licences);\n"
            "VACUUM ANALYZE bench_fts_seeker;\n",
            text=True,
            check=True,
        )
        os.unlink(tsv.name)
        print(f"postgresql: loaded in {time.time() - t:.0f} s")
    query = PG_QUERY.replace("seeker,", "bench_fts_seeker,")
    cases = []
    for o in opens:
        q = " | ".join(w for w in words(o["words"]))
        lic = "{" + ",".join(l.lower() for l in o["licences"]) + "}"
        cases.append(f"($q${q}$q$, $l${lic}$l$::text[])")
    # Timed in the server: each query's wall time from clock_timestamp().
    sql = f"""
CREATE TEMP TABLE cases (q text, lic text[]);
INSERT INTO cases VALUES {", ".join(cases)};
CREATE TEMP TABLE took (ms double precision);
DO $do$
DECLARE c record; t timestamptz; n int;
BEGIN
  FOR c IN SELECT * FROM cases LOOP
    t := clock_timestamp();
    EXECUTE $sql${query}$sql$ USING c.q, c.lic;
    INSERT INTO took VALUES (extract(epoch FROM clock_timestamp() - t) * 1000);
  END LOOP;
END $do$;
SELECT ms FROM took;
"""
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-q", "-At"], input=sql, text=True,
                         capture_output=True, check=True).stdout
    return [float(x) for x in out.split()]


def main():
    a = argparse.ArgumentParser()
    a.add_argument("dir")
    a.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    a.add_argument("--queries", type=int, default=500)
    a.add_argument("--skip-pg", action="store_true")
    a.add_argument("--skip-sqlite", action="store_true")
    args = a.parse_args()
    opens = openings(os.path.join(args.dir, "openings.jsonl"), args.queries)
    print(f"{len(opens)} openings")
    if not args.skip_pg:
        p = percentiles(postgres(args.dir, opens, args.pg))
        print(f"postgresql tsvector+GIN ts_rank_cd: p50 {p[0]:.1f} ms, p95 {p[1]:.1f} ms, p99 {p[2]:.1f} ms")
    if not args.skip_sqlite:
        p = percentiles(sqlite(args.dir, opens))
        print(f"sqlite {sqlite3.sqlite_version} fts5 bm25: p50 {p[0]:.1f} ms, p95 {p[1]:.1f} ms, p99 {p[2]:.1f} ms")


if __name__ == "__main__":
    main()
