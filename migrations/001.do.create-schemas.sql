-- Schemas: app (product data), mart (gold aggregates), etl (pipeline ledger).
CREATE SCHEMA IF NOT EXISTS app;
CREATE SCHEMA IF NOT EXISTS mart;
CREATE SCHEMA IF NOT EXISTS etl;
