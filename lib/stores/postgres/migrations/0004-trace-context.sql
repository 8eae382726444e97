-- nestjs-durable-scheduler, PostgreSQL migration 0004-trace-context for "public"."scheduler_tasks".
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

-- {"traceparent":"00-…","tracestate":"…"} of the scheduling call, at most 1 KiB; NULL: none.
ALTER TABLE "public"."scheduler_tasks" ADD COLUMN IF NOT EXISTS trace_context jsonb;
INSERT INTO "public"."scheduler_tasks_migrations" (version, name) VALUES (4, 'trace-context') ON CONFLICT (version) DO NOTHING;

COMMIT;
