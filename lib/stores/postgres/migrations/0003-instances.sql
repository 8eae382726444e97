-- nestjs-durable-scheduler, PostgreSQL migration 0003-instances for "public"."scheduler_tasks".
-- Generated from the library source; PostgresStore.migrate() runs the same statements.
BEGIN;

-- Instances that migrate together apply each migration once: the others wait here.
SELECT pg_advisory_xact_lock(1852076909, 1479360303);

-- The schema, only if missing (CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even when it exists).
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'public') THEN
    CREATE SCHEMA "public";
  END IF;
END $$;

CREATE TABLE IF NOT EXISTS "public"."scheduler_tasks_migrations" (
  version    integer PRIMARY KEY,
  name       text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);

-- The instance registry: what each running scheduler last published about itself.
-- A handful of rows (one per instance), read whole: no index besides the primary key.
CREATE TABLE IF NOT EXISTS "public"."scheduler_tasks_instances" (
  instance_id  text COLLATE "C" PRIMARY KEY,
  hostname     text NOT NULL,
  pid          integer NOT NULL,
  started_at   timestamptz NOT NULL,
  -- Stamped with the database clock (now()) by every write, and compared with it by every read.
  last_seen_at timestamptz NOT NULL,
  kinds        text[] NOT NULL,
  in_flight    integer NOT NULL,
  -- {"running":…,"lastPollAt":…,"lastStoreError":…,"consecutiveStoreErrors":…}
  health       jsonb NOT NULL
);

INSERT INTO "public"."scheduler_tasks_migrations" (version, name) VALUES (3, 'instances') ON CONFLICT (version) DO NOTHING;

COMMIT;
