CREATE TABLE "response_driver_pairs" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"driver_set" text NOT NULL,
	"wave" text NOT NULL,
	"x" text NOT NULL,
	"y" text NOT NULL,
	"x_value" text NOT NULL,
	"y_value" text NOT NULL,
	"responses" bigint NOT NULL,
	CONSTRAINT "response_driver_pairs_pk" PRIMARY KEY("organisation_id","survey_id","driver_set","wave","x","y","x_value","y_value")
);
--> statement-breakpoint
CREATE TABLE "response_driver_sets" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"driver_set" text NOT NULL,
	"variables" text[] NOT NULL,
	"scale" text[] NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "response_driver_sets_pk" PRIMARY KEY("organisation_id","survey_id","driver_set")
);
--> statement-breakpoint
-- Key-driver pairs kept by the fold (docs/decisions/009-maintained-aggregates.md, "Key-driver pairs"). Hand-written
-- below drizzle-kit's tables.
--
-- Key drivers need, for one wave, the joint counts of every pair of the set's variables over the complete cases
-- (every variable answered on the scale). Read from response_answer_patterns that meant one row per distinct
-- pattern of the wave at every request (64,000 at 1M responses). Here the same counts are kept per registered
-- set: a few hundred rows per wave. Which set a survey's dashboard needs depends on its configuration (outcome,
-- drivers, scale), so a read registers its set on first use (cse_driver_set_register) and the fold keeps every
-- registered set from then on. Sets are stored per survey, as every aggregate row is, with organisation_id.
CREATE OR REPLACE FUNCTION cse_driver_set_key(p_variables text[], p_scale text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT md5(jsonb_build_array(to_jsonb(p_variables), to_jsonb(p_scale))::text)
$$;
--> statement-breakpoint
-- Adds (p_sign = 1) or subtracts (p_sign = -1) responses to the pairs of every set registered for their surveys.
-- A response counts for a set when every variable of the set has an answer whose text (`answers->>variable`) is
-- one of the set's scale values. Scale values are plain decimal numbers (cse_driver_set_register refuses others),
-- so that is exactly the complete case of response_answer_patterns (cse_numeric_answers keeps those texts as they
-- are), without building the numeric-answer object: referenced from several places of the query, the planner
-- evaluated that function once per use, about 1 s per 400 responses. Each response is reduced once to the
-- positions of its answers on the scale (MATERIALIZED), the complete ones counted by those positions, and only
-- then spread into pairs. Rows are written in key order (no deadlock between writers) and a count that reaches
-- zero is deleted, as in the other aggregate tables.
CREATE OR REPLACE FUNCTION cse_driver_pairs_apply(p_rows responses[], p_sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_rows IS NULL OR cardinality(p_rows) = 0 THEN RETURN; END IF;
  IF NOT EXISTS (SELECT 1 FROM response_driver_sets d JOIN unnest(p_rows) r
                   ON d.organisation_id = r.organisation_id AND d.survey_id = r.survey_id) THEN
    RETURN;
  END IF;
  INSERT INTO response_driver_pairs AS t (organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value, responses)
  WITH p AS MATERIALIZED (
    SELECT r.organisation_id AS o, r.survey_id AS s, r.wave AS w, d.driver_set AS k, d.variables, d.scale,
           array(SELECT array_position(d.scale, r.answers->>v) FROM unnest(d.variables) WITH ORDINALITY u(v, n) ORDER BY n) AS pos
      FROM unnest(p_rows) r
      JOIN response_driver_sets d ON d.organisation_id = r.organisation_id AND d.survey_id = r.survey_id
  ), complete AS (
    SELECT o, s, w, k, variables, scale, pos, count(*) AS n FROM p
     WHERE array_position(pos, NULL) IS NULL GROUP BY 1, 2, 3, 4, 5, 6, 7
  )
  SELECT o, s, k, w, variables[i], variables[j], scale[pos[i]], scale[pos[j]], p_sign * sum(n)
    FROM complete, generate_series(1, cardinality(variables)) i, generate_series(i + 1, cardinality(variables)) j
   GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
   ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value) DO UPDATE
    SET responses = t.responses + excluded.responses;
  IF p_sign < 0 THEN
    DELETE FROM response_driver_pairs t USING (SELECT DISTINCT organisation_id, survey_id FROM unnest(p_rows)) k
     WHERE t.organisation_id = k.organisation_id AND t.survey_id = k.survey_id AND t.responses = 0;
  END IF;
END
$$;
--> statement-breakpoint
-- Counts one registered set's pairs again from response_answer_patterns (which holds every counted response):
-- on registration and after a rebuild. The caller holds the organisation's aggregate lock (0012), so no fold
-- or erasure changes the patterns meanwhile. Each pattern is first reduced to the positions of the set's
-- variables on the scale (null when off the scale or unanswered), the complete ones summed by those positions,
-- and only then spread into pairs: 2.4 times faster at 1M responses than reading every pair's two values from
-- the JSONB of every pattern, with the same rows (docs/benchmarks.md, "Key-driver pairs kept by the fold").
CREATE OR REPLACE FUNCTION cse_driver_set_fill(p_organisation uuid, p_survey uuid, p_set text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM response_driver_pairs
   WHERE organisation_id = p_organisation AND survey_id = p_survey AND driver_set = p_set;
  INSERT INTO response_driver_pairs (organisation_id, survey_id, driver_set, wave, x, y, x_value, y_value, responses)
  WITH d AS (
    SELECT variables, scale, cardinality(variables) AS k FROM response_driver_sets
     WHERE organisation_id = p_organisation AND survey_id = p_survey AND driver_set = p_set
  ), p AS (
    SELECT a.wave, a.responses,
           array(SELECT array_position(d.scale, a.pattern->>v) FROM unnest(d.variables) WITH ORDINALITY u(v, n) ORDER BY n) AS pos
      FROM response_answer_patterns a, d
     WHERE a.organisation_id = p_organisation AND a.survey_id = p_survey
  ), complete AS (
    SELECT wave, pos, sum(responses) AS n FROM p WHERE array_position(pos, NULL) IS NULL GROUP BY 1, 2
  ), pairs AS (
    SELECT c.wave, i, j, c.pos[i] AS xi, c.pos[j] AS yi, sum(c.n) AS n
      FROM complete c, d, generate_series(1, d.k) i, generate_series(i + 1, d.k) j
     GROUP BY 1, 2, 3, 4, 5
  )
  SELECT p_organisation, p_survey, p_set, pairs.wave, d.variables[i], d.variables[j], d.scale[xi], d.scale[yi], pairs.n
    FROM pairs, d WHERE pairs.n <> 0;
END
$$;
--> statement-breakpoint
-- Registers a set for those of p_surveys that belong to p_organisation and lack it, filling its pairs, and returns
-- the set's key. When every survey has it already this is one index probe per survey and takes no lock. Otherwise
-- it takes the organisation's aggregate lock (as a fold does), so the fill and the fold never overlap. A survey
-- keeps its 8 most recently registered sets: the fold updates every registered set, so one left behind by a
-- changed configuration should not cost forever (a read that needs it again registers and fills it again).
CREATE OR REPLACE FUNCTION cse_driver_set_register(p_organisation uuid, p_surveys uuid[], p_variables text[], p_scale text[])
  RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  k text := cse_driver_set_key(p_variables, p_scale);
  s uuid;
BEGIN
  IF EXISTS (SELECT 1 FROM unnest(p_scale) x WHERE x !~ '^-?[0-9]{1,15}([.][0-9]{1,15})?$') THEN
    RAISE EXCEPTION 'cse_driver_set_register: scale values must be plain decimal numbers, got %', p_scale;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM unnest(p_surveys) u(id) JOIN surveys sv ON sv.id = u.id AND sv.organisation_id = p_organisation
                  WHERE NOT EXISTS (SELECT 1 FROM response_driver_sets d
                                     WHERE d.organisation_id = p_organisation AND d.survey_id = u.id AND d.driver_set = k)) THEN
    RETURN k;
  END IF;
  PERFORM pg_advisory_xact_lock(cse_aggregates_lock_key(p_organisation));
  FOR s IN SELECT u.id FROM unnest(p_surveys) u(id) JOIN surveys sv ON sv.id = u.id AND sv.organisation_id = p_organisation
            WHERE NOT EXISTS (SELECT 1 FROM response_driver_sets d
                               WHERE d.organisation_id = p_organisation AND d.survey_id = u.id AND d.driver_set = k)
            ORDER BY 1 LOOP
    -- Registered meanwhile by a transaction this one cannot see (a snapshot older than the lock): filled there.
    INSERT INTO response_driver_sets (organisation_id, survey_id, driver_set, variables, scale)
    VALUES (p_organisation, s, k, p_variables, p_scale) ON CONFLICT DO NOTHING;
    CONTINUE WHEN NOT FOUND;
    PERFORM cse_driver_set_fill(p_organisation, s, k);
    WITH old AS (
      DELETE FROM response_driver_sets d USING (
        SELECT driver_set FROM response_driver_sets
         WHERE organisation_id = p_organisation AND survey_id = s AND driver_set <> k
         ORDER BY registered_at DESC, driver_set OFFSET 7) x
       WHERE d.organisation_id = p_organisation AND d.survey_id = s AND d.driver_set = x.driver_set
      RETURNING d.driver_set
    )
    DELETE FROM response_driver_pairs p USING old
     WHERE p.organisation_id = p_organisation AND p.survey_id = s AND p.driver_set = old.driver_set;
  END LOOP;
  RETURN k;
END
$$;
--> statement-breakpoint
-- Counts every registered set of one organisation (all when null) again: after cse_aggregates_rebuild.
CREATE OR REPLACE FUNCTION cse_driver_sets_refill(p_organisation uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  d record;
BEGIN
  DELETE FROM response_driver_pairs WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  FOR d IN SELECT organisation_id, survey_id, driver_set FROM response_driver_sets
            WHERE p_organisation IS NULL OR organisation_id = p_organisation ORDER BY 1, 2, 3 LOOP
    PERFORM cse_driver_set_fill(d.organisation_id, d.survey_id, d.driver_set);
  END LOOP;
END
$$;
--> statement-breakpoint
-- The fold and the queue trigger of 0012, unchanged but for the pairs, applied wherever the other aggregates are.
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
  PERFORM cse_driver_pairs_apply(folded, 1);
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
             response_day_cells, response_calendar_cells, response_driver_pairs;
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
  PERFORM cse_driver_pairs_apply(removed, -1);
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
    PERFORM cse_driver_pairs_apply(added, 1);
    PERFORM cse_calendar_apply(added, 1);
  END IF;
  RETURN NULL;
END
$$;
