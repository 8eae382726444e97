-- nestjs-durable-scheduler, PostgreSQL migration 0002-incarnation for "public"."scheduler_tasks".
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

-- Set anew by every create and replace, never by a claim or an update: a run of a task that was
-- replaced (or deleted and created again) meanwhile is never taken for a run of its successor.
ALTER TABLE "public"."scheduler_tasks" ADD COLUMN IF NOT EXISTS incarnation text;
INSERT INTO "public"."scheduler_tasks_migrations" (version, name) VALUES (2, 'incarnation') ON CONFLICT (version) DO NOTHING;

COMMIT;
