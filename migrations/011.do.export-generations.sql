-- The generation of what the exports show (the mart and the current silver files), counted up by
-- every publication that changes them, in its transaction; and, per export, the generation it
-- was written from. A run whose mart export was made from the generation just before its own
-- patches that export with the mart rows it changed; an export further behind (a run stopped
-- between its publish and its exports) is written whole by the next run, whatever that run
-- absorbs.
CREATE TABLE etl.publication (
  only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  generation bigint NOT NULL
);
INSERT INTO etl.publication (generation) VALUES (0);

CREATE TABLE etl.exports (
  object_key      text PRIMARY KEY,
  generation      bigint NOT NULL,
  bytes           bigint NOT NULL,
  rows            bigint NOT NULL,
  sha256          text NOT NULL,
  generated_at    timestamptz NOT NULL
);
