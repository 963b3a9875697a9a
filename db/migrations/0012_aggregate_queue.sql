CREATE TABLE "response_aggregate_queue" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"response_id" uuid NOT NULL,
	CONSTRAINT "response_aggregate_queue_pk" PRIMARY KEY("organisation_id","survey_id","response_id")
);
--> statement-breakpoint
-- Aggregates folded from a queue instead of upserted in every writing transaction
-- (docs/decisions/009-maintained-aggregates.md, "Since migration 0012"). Hand-written below drizzle-kit's table.
--
-- Before: the statement triggers of 0001 and 0009 upserted six aggregate rows in the transaction of every
-- submission, and writers with the same survey, wave and segments waited for each other's commit on those rows.
-- Now an INSERT only appends the new responses to response_aggregate_queue (rows nobody else writes), and
-- cse_aggregates_fold moves queued responses into the aggregates: in the background (the server, every second)
-- and before every aggregate read (resolveAggregateScope in db/queries/aggregates.ts), so reads stay exact.
--
-- Concurrency: one lock per organisation (an advisory transaction lock).
-- - A fold takes it exclusively, then claims queued rows and reads their responses in later statements, so it
--   sees every delete or update that committed before it.
-- - A DELETE or UPDATE of responses takes it shared before it looks at the queue, so a response is either still
--   queued (taken off the queue: it was never counted) or already counted (subtracted), never half-way in a fold.
--   Without the lock, a transaction that erases in two statements could hold aggregate rows (first statement)
--   and wait for a fold's claim on the queue (second), while the fold waits for those aggregate rows: a deadlock
--   (tests/integration/aggregates-maintained.test.ts shows it).
-- - An INSERT takes no lock: its queue rows are invisible to a fold until it commits, and then complete.
-- A reader's fold that finds nothing queued returns at once; rows claimed by a fold still running stay visible to
-- it until that fold commits, so it waits for that fold rather than reading without its rows.
CREATE OR REPLACE FUNCTION cse_aggregates_lock_key(p_organisation uuid) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT hashtextextended('cse_aggregates:' || p_organisation::text, 0)
$$;
--> statement-breakpoint
-- Counts queued responses of one organisation (of the listed surveys, or all when null; at most p_limit, or all
-- when null) into the aggregate tables and takes them off the queue. Returns how many were taken off.
CREATE OR REPLACE FUNCTION cse_aggregates_fold(p_organisation uuid, p_surveys uuid[], p_limit integer) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  claimed uuid[];
  folded responses[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM response_aggregate_queue q
                  WHERE q.organisation_id = p_organisation AND (p_surveys IS NULL OR q.survey_id = ANY (p_surveys))) THEN
    RETURN 0;
  END IF;
  PERFORM pg_advisory_xact_lock(cse_aggregates_lock_key(p_organisation));
  -- New statements from here on: each sees what committed while this one waited for the lock.
  WITH picked AS (
    SELECT q.survey_id, q.response_id FROM response_aggregate_queue q
     WHERE q.organisation_id = p_organisation AND (p_surveys IS NULL OR q.survey_id = ANY (p_surveys))
     LIMIT p_limit
  ), taken AS (
    DELETE FROM response_aggregate_queue q USING picked p
     WHERE q.organisation_id = p_organisation AND q.survey_id = p.survey_id AND q.response_id = p.response_id
    RETURNING q.response_id
  )
  SELECT array_agg(response_id) INTO claimed FROM taken;
  IF claimed IS NULL THEN RETURN 0; END IF;
  SELECT array_agg(r ORDER BY r.id) INTO folded FROM responses r
   WHERE r.organisation_id = p_organisation AND r.id = ANY (claimed);
  PERFORM cse_aggregates_apply(folded, 1);
  PERFORM cse_calendar_apply(folded, 1);
  RETURN cardinality(claimed);
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cse_responses_queue_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  queued uuid[];
  removed responses[];
  added responses[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE response_aggregate_queue, response_fieldwork, response_segment_cells, response_answer_patterns,
             response_day_cells, response_calendar_cells;
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO response_aggregate_queue (organisation_id, survey_id, response_id)
    SELECT n.organisation_id, n.survey_id, n.id FROM new_rows n;
    RETURN NULL;
  END IF;
  -- DELETE or UPDATE: no fold of these organisations may be half-way (see above); keys in order, no deadlock.
  IF TG_OP = 'UPDATE' THEN
    PERFORM pg_advisory_xact_lock_shared(k) FROM (
      SELECT cse_aggregates_lock_key(o.organisation_id) AS k FROM old_rows o
      UNION SELECT cse_aggregates_lock_key(n.organisation_id) FROM new_rows n ORDER BY 1) x;
  ELSE
    PERFORM pg_advisory_xact_lock_shared(k) FROM (
      SELECT DISTINCT cse_aggregates_lock_key(o.organisation_id) AS k FROM old_rows o ORDER BY 1) x;
  END IF;
  -- Responses still queued were never counted: off the queue they go, nothing to subtract.
  WITH taken AS (
    DELETE FROM response_aggregate_queue q USING old_rows o
     WHERE q.organisation_id = o.organisation_id AND q.survey_id = o.survey_id AND q.response_id = o.id
    RETURNING q.response_id
  )
  SELECT coalesce(array_agg(response_id), '{}') INTO queued FROM taken;
  SELECT array_agg(o::responses) INTO removed FROM old_rows o
   WHERE NOT EXISTS (SELECT 1 FROM unnest(queued) u(id) WHERE u.id = o.id);
  PERFORM cse_aggregates_apply(removed, -1);
  PERFORM cse_calendar_apply(removed, -1);
  IF TG_OP = 'UPDATE' THEN
    -- A queued response is queued again under its new keys (the fold reads its new values); a counted one is
    -- counted again with its new values now.
    INSERT INTO response_aggregate_queue (organisation_id, survey_id, response_id)
    SELECT n.organisation_id, n.survey_id, n.id FROM new_rows n
     WHERE EXISTS (SELECT 1 FROM unnest(queued) u(id) WHERE u.id = n.id);
    SELECT array_agg(n::responses) INTO added FROM new_rows n
     WHERE NOT EXISTS (SELECT 1 FROM unnest(queued) u(id) WHERE u.id = n.id);
    PERFORM cse_aggregates_apply(added, 1);
    PERFORM cse_calendar_apply(added, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_aggregates_insert ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_aggregates_delete ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_aggregates_update ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_aggregates_truncate ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_calendar_insert ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_calendar_delete ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_calendar_update ON responses;
--> statement-breakpoint
DROP TRIGGER IF EXISTS responses_calendar_truncate ON responses;
--> statement-breakpoint
DROP FUNCTION IF EXISTS cse_responses_aggregates_trigger();
--> statement-breakpoint
DROP FUNCTION IF EXISTS cse_responses_calendar_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_queue_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_queue_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_queue_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_truncate AFTER TRUNCATE ON responses
  FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_queue_trigger();
