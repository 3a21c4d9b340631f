"""Build the read API's benchmark database: a large catalog and its daily scan rollups, via COPY.

20 organizations (the largest with 5,000 products), 400 days ending today (UTC),
products of very unequal popularity, each scanned from a few countries and
devices a day: tens of millions of rows in scan_daily_summary. Rows are
written day by day, as the sink writes them. The primary key and indexes are
dropped for the load and rebuilt after it, the rollup triggers are off during
the load and the rollups are computed in one pass, stored day by day as the
triggers would have stored them.

    .venv/bin/python bench/api_dataset.py [--database sa_bench] [--scale 1.0] [--force]

Hourly counts: the last 92 days (the default hourly retention) of the largest
organizations (`--hour-orgs`, default 1: org-01 only) are also written to
scan_hourly_summary, each daily row's scans split over up to `--hours-a-row`
(default 6) distinct UTC hours of its day, so a UTC day's hours sum to its daily
rows exactly; the totals of migration 0012 are rebuilt from them.
`--hours-only` (re)writes only these hourly rows into an existing database.

Place counts: the same organizations' daily rows, summed by the key of
scan_daily_place_summary (day, brand, GTIN, country, is_bot), are spread over up to
`--places-a-row` (default 4) places of their country, drawn from the key with a
long tail: 300 cities a country over 12 regions, a city's share falling as a power
of its rank (a few big cities, many small ones), 3% with a region and no city and
7% unknown (the unknown country is all unknown), so a day's places sum to its daily
rows exactly; the place rollups of migration 0014 are rebuilt from them.
`--places-only` (re)writes only these place rows into an existing database.

Prints the row counts and the time of each phase. Members: user `bench` belongs
to every organization, default org-01 (the largest).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from scan_analytics import migrate
from scan_analytics.settings import Settings, load_settings

DAYS = 400
HOURLY_DAYS = 92  # the default HOURLY_RETENTION_DAYS
ORG_PRODUCTS = (
    5000,
    3500,
    2500,
    1800,
    1300,
    1000,
    800,
    600,
    500,
    400,
    300,
    250,
    200,
    150,
    120,
    100,
    80,
    60,
    50,
    40,
)
BENCH_USER = "bench"
COUNTRIES = (
    ("US", 30),
    ("DE", 9),
    ("GB", 8),
    ("FR", 7),
    ("JP", 6),
    ("CA", 5),
    ("IT", 4),
    ("ES", 4),
    ("NL", 3),
    ("BR", 3),
    ("MX", 3),
    ("AU", 3),
    ("IN", 3),
    ("SE", 2),
    ("PL", 2),
    ("BE", 2),
    ("CH", 2),
    ("AT", 1),
    ("DK", 1),
    ("NO", 1),
    ("FI", 1),
    ("IE", 1),
    ("PT", 1),
    ("KR", 1),
    ("CN", 1),
    ("ZA", 1),
    ("AR", 1),
    ("NZ", 1),
    ("SG", 1),
    ("unknown", 3),
)
DEVICES = (("mobile", 62), ("desktop", 24), ("tablet", 7), ("other", 2), ("bot", 5))
BOT_SHARE_OF_BROWSERS = 0.04  # scrapers that present a browser's User-Agent
MAX_COMBOS = 40
TABLES = (  # the daily table and the rollups the triggers of migrations 0003 and 0007 keep
    "scan_daily_summary",
    "scan_monthly_summary",
    "scan_daily_country_totals",
    "scan_daily_gtin_totals",
    "scan_weekly_gtin_totals",
    "scan_monthly_gtin_totals",
    "scan_weekly_country_totals",
    "scan_monthly_country_totals",
    "scan_daily_brand_totals",
)
HOURLY_TABLES = ("scan_hourly_summary", "scan_hourly_totals", "scan_hourly_brand_totals")  # 0010, 0012
PLACE_TABLES = (  # 0011, 0014
    "scan_daily_place_summary",
    "scan_daily_place_totals",
    "scan_monthly_place_totals",
    "scan_monthly_gtin_place_totals",
)
TRAILING_TABLES = ("scan_trailing_gtin_totals",)  # 0016
CITIES, REGIONS, SLOTS = 300, 12, 10_000  # a country's cities and regions; draws of a place
CITY_SKEW = 1.1  # a city's share goes as 1 / rank ** CITY_SKEW
REGION_ONLY, UNKNOWN_PLACE = 0.03, 0.07


@dataclass(frozen=True)
class Product:
    organization_id: str
    brand_id: str
    gtin: str
    rate: float  # expected scans a day
    suffixes: tuple[str, ...]  # "\torg\tbrand\tgtin\tcc\tdevice\tbot\ttraffic\t", most frequent first
    shares: tuple[float, ...]
    needed: tuple[float, ...]  # scans a day at which each combination starts to appear


def gtin14(body13: str) -> str:
    """Append the GS1 check digit to 13 digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


def combos(rng: random.Random) -> list[tuple[str, str, bool, float]]:
    """Return a product's (country, device, bot, share) mix, most frequent first."""
    home = rng.choices([c for c, _ in COUNTRIES], [w for _, w in COUNTRIES])[0]
    out = []
    for country, cw in COUNTRIES:
        weight = cw * (8 if country == home else 1) * rng.uniform(0.3, 1.7)
        for device, dw in DEVICES:
            if device == "bot":
                out.append((country, device, True, weight * dw))
            else:
                share = weight * dw
                out.append((country, device, False, share * (1 - BOT_SHARE_OF_BROWSERS)))
                out.append((country, device, True, share * BOT_SHARE_OF_BROWSERS))
    out.sort(key=lambda c: -c[3])
    out = out[:MAX_COMBOS]
    total = sum(c[3] for c in out)
    return [(c, d, b, s / total) for c, d, b, s in out]


def catalog(
    rng: random.Random, scale: float
) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]], list[tuple[str, str, str]], list[Product]]:
    orgs, brands, products_rows, products = [], [], [], []
    for o, size in enumerate(ORG_PRODUCTS, start=1):
        org = f"org-{o:02d}"
        orgs.append((org, f"Organization {o}"))
        n_brands = max(1, size // 250)
        for b in range(1, n_brands + 1):
            brands.append((f"{org}-brand-{b:02d}", org, f"Brand {o}.{b}"))
        for p in range(int(size * scale)):
            brand = f"{org}-brand-{p % n_brands + 1:02d}"
            gtin = gtin14(f"0{o:02d}{p:010d}")
            # Zipf-like popularity: a few products scanned thousands of times a day
            rate = min(4000.0, 12 * math.exp(rng.gauss(0.0, 1.4)))
            mix = combos(rng)
            suffixes = tuple(
                f"\t{org}\t{brand}\t{gtin}\t{c}\t{d}\t{BOT if bot else HUMAN}\t" for c, d, bot, _ in mix
            )
            shares = tuple(s for *_, s in mix)
            products.append(Product(org, brand, gtin, rate, suffixes, shares, tuple(1.0 / s for s in shares)))
            if rng.random() > 0.02:  # a few scanned GTINs have no catalog row
                products_rows.append((gtin, brand, f"Product {o}.{p}"))
    return orgs, brands, products_rows, products


BOT, HUMAN = "t\tbot", "f\thuman"  # is_bot and traffic_class (migration 0008)


def day_lines(day: date, products: list[Product], rng: random.Random) -> Iterator[str]:
    """Yield the COPY lines of one day."""
    d = day.isoformat()
    weekly = 1.0 + 0.25 * math.sin(day.toordinal() * 2 * math.pi / 7)
    rand, expo = rng.random, rng.expovariate
    for p in products:
        n = p.rate * weekly * expo(1.0)
        if n < 0.5:
            continue
        needed, shares, suffixes = p.needed, p.shares, p.suffixes
        for i in range(len(needed)):
            if needed[i] > n * (0.5 + rand()):
                if rand() < 0.9:
                    break
                continue
            yield f"{d}{suffixes[i]}{max(1, int(n * shares[i] + rand()))}\n"


def rebuild_rollups_in_arrival_order(cur: psycopg.Cursor[Any]) -> None:
    """Fill the rollups as the rebuild functions do, stored period by period as the triggers store them."""
    cur.execute("SET LOCAL work_mem = '512MB'")
    cur.execute("TRUNCATE scan_monthly_summary, scan_daily_country_totals")
    cur.execute(
        "INSERT INTO scan_monthly_summary"
        " (month, organization_id, brand_id, gtin, country_code, device_class, is_bot, scans)"
        " SELECT date_trunc('month', day)::date, organization_id, brand_id, gtin, country_code,"
        "        device_class, is_bot, sum(scans)"
        " FROM scan_daily_summary GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1"
    )
    cur.execute(
        "INSERT INTO scan_daily_country_totals"
        " (organization_id, day, brand_id, country_code, scans, bot_scans)"
        " SELECT organization_id, day, brand_id, country_code, sum(scans),"
        "        coalesce(sum(scans) FILTER (WHERE is_bot), 0)"
        " FROM scan_daily_summary GROUP BY 1, 2, 3, 4 ORDER BY 2"
    )
    cur.execute("SELECT scan_read_rollups_rebuild()")  # migration 0007, from the daily table and the above
    cur.execute("SELECT scan_agent_rollups_rebuild()")  # migration 0009


# Each daily row's scans over k = least(scans, hours a row) distinct hours of its UTC day,
# h0 + 7i mod 24 (7 is prime to 24) from an hour h0 drawn from the key, as evenly as whole
# numbers allow: the hours of a key and day sum to its daily count.
_HOURS = """
INSERT INTO scan_hourly_summary (hour, organization_id, brand_id, gtin, country_code, device_class,
    is_bot, traffic_class, category, agent, operator, verification, scans)
SELECT (d.day + make_interval(hours => (h0 + 7 * i) %% 24))::timestamp AT TIME ZONE 'UTC',
       d.organization_id, d.brand_id, d.gtin, d.country_code, d.device_class, d.is_bot,
       d.traffic_class, d.category, d.agent, d.operator, d.verification,
       d.scans / k + (i < d.scans %% k)::int
FROM scan_daily_summary AS d
CROSS JOIN LATERAL (
    SELECT least(d.scans, %(per_row)s)::int AS k,
           abs(hashtext(d.gtin || d.country_code || d.device_class || d.day::text)) %% 24 AS h0
) AS s
CROSS JOIN LATERAL generate_series(0, s.k - 1) AS i
WHERE d.organization_id = ANY(%(orgs)s) AND d.day >= %(since)s AND d.scans > 0
ORDER BY 1
"""


def write_hours(cur: psycopg.Cursor[Any], orgs: list[str], per_row: int, today: date) -> int:
    """Split the last HOURLY_DAYS days of `orgs` into scan_hourly_summary; return the rows written."""
    cur.execute("SET LOCAL work_mem = '512MB'")
    cur.execute("ALTER TABLE scan_hourly_summary DISABLE TRIGGER USER")
    cur.execute("TRUNCATE scan_hourly_summary")
    since = today - timedelta(days=HOURLY_DAYS - 1)
    cur.execute(_HOURS, {"orgs": orgs, "per_row": per_row, "since": since})  # type: ignore[arg-type]
    rows = cur.rowcount
    cur.execute("ALTER TABLE scan_hourly_summary ENABLE TRIGGER USER")
    if cur.execute("SELECT to_regproc('scan_hourly_totals_rebuild') IS NOT NULL").fetchone() == (True,):
        cur.execute("SELECT scan_hourly_totals_rebuild()")  # migration 0012
    return rows


def place_slots() -> Iterator[tuple[str, int, str, str, str]]:
    """Yield (country, slot, region code, region name, city): SLOTS draws a country, by share."""
    weights = [1 / (rank + 1) ** CITY_SKEW for rank in range(CITIES)]
    known = 1 - REGION_ONLY - UNKNOWN_PLACE
    for country, _ in COUNTRIES:
        if country == "unknown":
            for slot in range(SLOTS):
                yield country, slot, "", "", ""
            continue
        places = [("", "", "", UNKNOWN_PLACE)]
        places += [
            (f"{country}-R{r:02d}", f"Region {r} of {country}", "", REGION_ONLY / REGIONS)
            for r in range(REGIONS)
        ]
        total = sum(weights)
        for rank, w in enumerate(weights):
            r = rank % REGIONS if rank >= REGIONS else rank  # the big cities in regions of their own
            places.append(
                (
                    f"{country}-R{r:02d}",
                    f"Region {r} of {country}",
                    f"City {rank} {country}",
                    known * w / total,
                )
            )
        slot, acc = 0, 0.0
        for code, name, city, share in places:
            acc += share
            while slot < SLOTS and slot < round(acc * SLOTS):
                yield country, slot, code, name, city
                slot += 1
        while slot < SLOTS:
            yield country, slot, "", "", ""
            slot += 1


# Each place-key row's scans (its daily rows summed over device and traffic) over k =
# least(scans, places a row) draws of a place of its country, from slots drawn from the key,
# as evenly as whole numbers allow; draws that fall on one place are summed.
_PLACES = """
INSERT INTO scan_daily_place_summary (day, organization_id, brand_id, gtin, country_code, is_bot,
    region_code, region_name, city, scans)
SELECT d.day, d.organization_id, d.brand_id, d.gtin, d.country_code, d.is_bot,
       p.region_code, p.region_name, p.city, sum(d.scans / k + (i < d.scans %% k)::int)
FROM (
    SELECT day, organization_id, brand_id, gtin, country_code, is_bot, sum(scans)::bigint AS scans
    FROM scan_daily_summary
    WHERE organization_id = ANY(%(orgs)s) AND scans > 0
    GROUP BY 1, 2, 3, 4, 5, 6
) AS d
CROSS JOIN LATERAL (SELECT least(d.scans, %(per_row)s)::int AS k) AS s
CROSS JOIN LATERAL generate_series(0, s.k - 1) AS i
JOIN bench_place_slots AS p
  ON p.country_code = d.country_code
 AND p.slot = abs(hashtext(d.gtin || d.country_code || d.day::text || i::text)) %% %(slots)s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
ORDER BY 1
"""


def write_places(cur: psycopg.Cursor[Any], orgs: list[str], per_row: int) -> int:
    """Spread the daily rows of `orgs` over places into scan_daily_place_summary; return the rows."""
    cur.execute("SET LOCAL work_mem = '512MB'")
    cur.execute(
        "CREATE TEMP TABLE bench_place_slots (country_code text, slot int, region_code text,"
        " region_name text, city text, PRIMARY KEY (country_code, slot)) ON COMMIT DROP"
    )
    with cur.copy("COPY bench_place_slots FROM STDIN") as cp:
        for row in place_slots():
            cp.write_row(row)
    cur.execute("ANALYZE bench_place_slots")
    cur.execute("ALTER TABLE scan_daily_place_summary DISABLE TRIGGER USER")
    cur.execute("TRUNCATE scan_daily_place_summary")
    cur.execute(_PLACES, {"orgs": orgs, "per_row": per_row, "slots": SLOTS})  # type: ignore[arg-type]
    rows = cur.rowcount
    cur.execute("ALTER TABLE scan_daily_place_summary ENABLE TRIGGER USER")
    if cur.execute("SELECT to_regproc('scan_place_totals_rebuild') IS NOT NULL").fetchone() == (True,):
        cur.execute("SELECT scan_place_totals_rebuild()")  # migration 0014
    return rows


def load_places(url: str, place_orgs: int, places_a_row: int) -> None:
    """Write the place rows of the `place_orgs` largest organizations, vacuum and analyze them."""
    started = time.perf_counter()
    orgs = [f"org-{o:02d}" for o in range(1, place_orgs + 1)]
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            rows = write_places(cur, orgs, places_a_row)
        conn.commit()
        conn.autocommit = True
        tables = existing(conn, PLACE_TABLES)
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
    print(
        f"scan_daily_place_summary: {rows:,} rows, {', '.join(orgs)}, "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def database_exists(admin_url: str, database: str) -> bool:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
    return row is not None


def existing(conn: psycopg.Connection[Any], tables: tuple[str, ...]) -> list[str]:
    """Return those of `tables` that exist (the hourly totals only once migration 0012 is applied)."""
    return [t for t in tables if conn.execute("SELECT to_regclass(%s)", (t,)).fetchone() != (None,)]


def load_hours(url: str, hour_orgs: int, hours_a_row: int) -> None:
    """Write the hourly rows of the `hour_orgs` largest organizations, vacuum and analyze them."""
    started = time.perf_counter()
    orgs = [f"org-{o:02d}" for o in range(1, hour_orgs + 1)]
    with psycopg.connect(url) as conn:
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            rows = write_hours(cur, orgs, hours_a_row, datetime.now(UTC).date())
        conn.commit()
        conn.autocommit = True
        tables = existing(conn, HOURLY_TABLES)
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(map(sql.Identifier, tables))))
    print(
        f"scan_hourly_summary: {rows:,} rows, the last {HOURLY_DAYS} days of {', '.join(orgs)}, "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def load(
    settings: Settings,
    database: str,
    scale: float,
    force: bool,
    seed: int,
    hour_orgs: int = 1,
    hours_a_row: int = 6,
    places_a_row: int = 4,
) -> str:
    admin = settings.database_url
    url = make_conninfo(admin, dbname=database)
    if not force and database_exists(admin, database):
        print(f"database {database} exists; use --force to rebuild it")
        return url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    migrate.apply(url, settings.schemas_dir / "sql")
    rng = random.Random(seed)
    started = time.perf_counter()
    orgs, brands, product_rows, products = catalog(rng, scale)
    today = datetime.now(UTC).date()
    days = [today - timedelta(days=i) for i in range(DAYS - 1, -1, -1)]
    with psycopg.connect(url) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur:
            with cur.copy("COPY organizations (organization_id, name) FROM STDIN") as cp:
                for row in orgs:
                    cp.write_row(row)
            with cur.copy("COPY brands (brand_id, organization_id, name) FROM STDIN") as cp:
                for row in brands:
                    cp.write_row(row)
            with cur.copy("COPY products (gtin, brand_id, name) FROM STDIN") as cp:
                for row in product_rows:
                    cp.write_row(row)
            cur.executemany(
                "INSERT INTO organization_memberships (user_id, organization_id, is_default)"
                " VALUES (%s, %s, %s)",
                [(BENCH_USER, org, org == "org-01") for org, _ in orgs],
            )
            indexes = [
                r[0]
                for r in cur.execute(
                    "SELECT pg_get_indexdef(indexrelid) FROM pg_index"
                    " WHERE indrelid = 'scan_daily_summary'::regclass AND NOT indisprimary"
                )
            ]
            pkey = cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = 'scan_daily_summary'::regclass AND contype = 'p'"
            ).fetchone()
            assert pkey is not None
            cur.execute("ALTER TABLE scan_daily_summary DISABLE TRIGGER USER")
            cur.execute(
                sql.SQL("ALTER TABLE scan_daily_summary DROP CONSTRAINT {}").format(sql.Identifier(pkey[0]))
            )
            for name in cur.execute(
                "SELECT indexrelid::regclass::text FROM pg_index"
                " WHERE indrelid = 'scan_daily_summary'::regclass"
            ).fetchall():
                cur.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name[0])))
            conn.commit()
            print(
                f"catalog: {len(orgs)} organizations, {len(brands)} brands, "
                f"{len(product_rows)} products ({len(products)} scanned GTINs)",
                flush=True,
            )
            rows = 0
            with cur.copy(
                "COPY scan_daily_summary (day, organization_id, brand_id, gtin, country_code,"
                " device_class, is_bot, traffic_class, scans) FROM STDIN"
            ) as cp:
                for i, day in enumerate(days):
                    chunk = list(day_lines(day, products, rng))
                    rows += len(chunk)
                    cp.write("".join(chunk).encode())
                    if i % 50 == 49:
                        print(
                            f"  {i + 1} days, {rows:,} rows, {time.perf_counter() - started:.0f} s",
                            flush=True,
                        )
            conn.commit()
            copied = time.perf_counter()
            print(f"copied {rows:,} rows in {copied - started:.0f} s", flush=True)
            cur.execute(
                sql.SQL("ALTER TABLE scan_daily_summary ADD CONSTRAINT {} {}").format(
                    sql.Identifier(pkey[0]), sql.SQL(pkey[1])
                )
            )
            for definition in indexes:
                cur.execute(sql.SQL(definition))  # type: ignore[arg-type]
            conn.commit()
            indexed = time.perf_counter()
            print(f"primary key and indexes built in {indexed - copied:.0f} s", flush=True)
            rebuild_rollups_in_arrival_order(cur)
            cur.execute("ALTER TABLE scan_daily_summary ENABLE TRIGGER USER")
            conn.commit()
            rolled = time.perf_counter()
            print(f"rollups rebuilt in {rolled - indexed:.0f} s", flush=True)
        conn.autocommit = True
        conn.execute(sql.SQL("VACUUM (ANALYZE) {}").format(sql.SQL(", ").join(map(sql.Identifier, TABLES))))
        counts = {
            t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()
            for t in TABLES
        }
        largest = conn.execute(
            "SELECT count(*) FROM scan_daily_summary WHERE organization_id = 'org-01'"
        ).fetchone()
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    if hour_orgs > 0:
        load_hours(url, hour_orgs, hours_a_row)
        load_places(url, hour_orgs, places_a_row)
    total = time.perf_counter() - started
    for table, n in counts.items():
        print(f"{table}: {n[0] if n else 0:,} rows")
    print(
        f"org-01 (largest): {largest[0] if largest else 0:,} rows; database size {size[0] if size else '?'}"
    )
    print(f"loaded {database} in {total:.0f} s (vacuum and analyze included)")
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="sa_bench", help="database to (re)create (default sa_bench)")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of each catalog to load")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument("--force", action="store_true", help="rebuild the database if it exists")
    parser.add_argument(
        "--hour-orgs",
        type=int,
        default=1,
        help="how many of the largest organizations get hourly and place rows",
    )
    parser.add_argument(
        "--hours-a-row", type=int, default=6, help="at most this many hours a daily row is split over"
    )
    parser.add_argument(
        "--hours-only", action="store_true", help="only (re)write the hourly rows of an existing database"
    )
    parser.add_argument(
        "--places-a-row", type=int, default=4, help="at most this many places a place-key row is spread over"
    )
    parser.add_argument(
        "--places-only", action="store_true", help="only (re)write the place rows of an existing database"
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.places_only:
        load_places(
            make_conninfo(settings.database_url, dbname=args.database), args.hour_orgs, args.places_a_row
        )
        return 0
    if args.hours_only:
        load_hours(
            make_conninfo(settings.database_url, dbname=args.database), args.hour_orgs, args.hours_a_row
        )
        return 0
    load(
        settings,
        args.database,
        args.scale,
        args.force,
        args.seed,
        args.hour_orgs,
        args.hours_a_row,
        args.places_a_row,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
