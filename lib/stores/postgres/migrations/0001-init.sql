-- nestjs-durable-scheduler, PostgreSQL migration 0001-init for "public"."scheduler_tasks".
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

-- Tasks: one row per scheduled task, named by its slug.
CREATE TABLE IF NOT EXISTS "public"."scheduler_tasks" (
  -- COLLATE "C": slug order is code point order whatever the database locale (listing pages by slug).
  slug          text COLLATE "C" PRIMARY KEY,
  kind          text COLLATE "C" NOT NULL,
  -- A JSON payload, as its exact text: json (not jsonb) keeps key order and \u0000 escapes.
  payload       json,
  -- A Buffer payload. Exactly one of payload and payload_bytes is set.
  payload_bytes bytea,
  run_at        timestamptz NOT NULL,
  -- Fencing token: bumped by every claim and every redefinition.
  version       bigint NOT NULL DEFAULT 1,
  retry         integer NOT NULL DEFAULT 0,
  result        text,
  failed        boolean NOT NULL DEFAULT false,
  paused        boolean NOT NULL DEFAULT false,
  -- The stored trigger of a recurring task ({"type":"cron",...} or {"type":"interval",...}).
  schedule      jsonb,
  -- The lease: who runs the task and until when (void after locked_until even if locked_by is set).
  locked_by     text,
  locked_until  timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT scheduler_tasks_payload_check CHECK ((payload IS NULL) <> (payload_bytes IS NULL))
);

-- Tasks waiting for their time, not held by anyone: the claim takes the first entries of a kind
-- up to now(), and "when is the next task of kind K due" is the first entry for K.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_due_idx"
  ON "public"."scheduler_tasks" (kind, run_at)
  WHERE NOT paused AND NOT failed AND locked_by IS NULL;

-- Tasks held under a lease, by the time they become claimable again: greatest(run_at, locked_until)
-- is when the lease ends (greatest ignores NULL). Small (the tasks being run, and leases whose
-- holder died); it keeps claims from walking over tasks being run and finds expired leases at once.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_leased_idx"
  ON "public"."scheduler_tasks" (kind, (greatest(run_at, locked_until)))
  WHERE NOT paused AND NOT failed AND locked_by IS NOT NULL;

-- Paused and failed tasks, by kind: resuming a kind, listing the paused or the failed. Every task is
-- in exactly one of the three partial indexes (waiting, held, parked), so a kind's tasks are always
-- found through an index, while the hot path (create, claim, settle) never writes to this one.
-- There is deliberately no full (kind, slug) index: claims rewrite the row (the lease changes which
-- partial index it is in), and every further index would cost one more insert per claimed task.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_parked_idx"
  ON "public"."scheduler_tasks" (kind, slug)
  WHERE paused OR failed;

-- Execution history: one row per execution, kept after the task is gone.
CREATE TABLE IF NOT EXISTS "public"."scheduler_tasks_history" (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  slug         text COLLATE "C" NOT NULL,
  kind         text COLLATE "C" NOT NULL,
  scheduled_at timestamptz NOT NULL,
  started_at   timestamptz NOT NULL,
  finished_at  timestamptz NOT NULL,
  outcome      text NOT NULL,
  error        text,
  attempt      integer NOT NULL,
  instance_id  text NOT NULL
);

-- A task's history, newest first.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_history_slug_idx" ON "public"."scheduler_tasks_history" (slug, finished_at DESC, id DESC);

-- Pruning by age.
CREATE INDEX IF NOT EXISTS "scheduler_tasks_history_finished_idx" ON "public"."scheduler_tasks_history" (finished_at);

INSERT INTO "public"."scheduler_tasks_migrations" (version, name) VALUES (1, 'init') ON CONFLICT (version) DO NOTHING;

COMMIT;
