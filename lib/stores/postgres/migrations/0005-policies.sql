-- nestjs-durable-scheduler, PostgreSQL migration 0005-policies for "public"."scheduler_tasks".
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

-- Higher is claimed first among due tasks; -1000..1000 (checked by the library), 0 by default.
ALTER TABLE "public"."scheduler_tasks" ADD COLUMN IF NOT EXISTS priority smallint NOT NULL DEFAULT 0;
-- The key of the kind's per-key limit (keyConcurrency), computed when the task was created; NULL: none.
ALTER TABLE "public"."scheduler_tasks" ADD COLUMN IF NOT EXISTS concurrency_key text COLLATE "C";

-- Waiting tasks by priority level, then due time: claims skip-scan the levels of a kind, highest first.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_ready_idx"
  ON "public"."scheduler_tasks" (kind, priority, run_at)
  WHERE NOT paused AND NOT failed AND locked_by IS NULL;
DROP INDEX IF EXISTS "public"."scheduler_tasks_due_idx";

-- Starts of rate-limited kinds within their window (older rows are deleted by the next claim of the kind).
CREATE TABLE IF NOT EXISTS "public"."scheduler_tasks_starts" (
  kind       text COLLATE "C" NOT NULL,
  started_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS "scheduler_tasks_starts_kind_idx" ON "public"."scheduler_tasks_starts" (kind, started_at);

INSERT INTO "public"."scheduler_tasks_migrations" (version, name) VALUES (5, 'policies') ON CONFLICT (version) DO NOTHING;

COMMIT;
