"""The catalog (organizations, brands, products): read from files, written to PostgreSQL, exported.

Parsing and checking are pure (`readers`, `parse`, `fields`, `writers`); the
database is touched only by `store`, and `operations` ties files, progress and
the database together for the `scan-analytics catalog` commands.
"""
