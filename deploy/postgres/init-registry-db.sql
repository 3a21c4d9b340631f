-- Runs once when the postgres container initialises its data directory:
-- the schema registry keeps its schemas in a database of its own.
CREATE DATABASE apicurio_registry OWNER scan_analytics;
