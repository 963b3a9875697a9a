CREATE TABLE "response_answer_patterns" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"wave" text NOT NULL,
	"pattern" jsonb NOT NULL,
	"pattern_key" text GENERATED ALWAYS AS (md5(pattern::text)) STORED NOT NULL,
	"responses" bigint NOT NULL,
	CONSTRAINT "response_answer_patterns_pk" PRIMARY KEY("organisation_id","survey_id","wave","pattern_key")
);
--> statement-breakpoint
CREATE TABLE "response_day_cells" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"wave" text NOT NULL,
	"day" date NOT NULL,
	"segments" jsonb NOT NULL,
	"segments_key" text GENERATED ALWAYS AS (md5(segments::text)) STORED NOT NULL,
	"pattern" jsonb NOT NULL,
	"pattern_key" text GENERATED ALWAYS AS (md5(pattern::text)) STORED NOT NULL,
	"responses" bigint NOT NULL,
	CONSTRAINT "response_day_cells_pk" PRIMARY KEY("organisation_id","survey_id","wave","day","segments_key","pattern_key")
);
--> statement-breakpoint
CREATE TABLE "response_fieldwork" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"survey_version_id" uuid NOT NULL,
	"wave" text NOT NULL,
	"day" date NOT NULL,
	"responses" bigint NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "response_fieldwork_pk" PRIMARY KEY("organisation_id","survey_id","wave","day","survey_version_id")
);
--> statement-breakpoint
CREATE TABLE "response_segment_cells" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"wave" text NOT NULL,
	"segments" jsonb NOT NULL,
	"segments_key" text GENERATED ALWAYS AS (md5(segments::text)) STORED NOT NULL,
	"responses" bigint NOT NULL,
	"answers" jsonb NOT NULL,
	CONSTRAINT "response_segment_cells_pk" PRIMARY KEY("organisation_id","survey_id","wave","segments_key")
);
--> statement-breakpoint
-- Maintained aggregates: how a response is turned into aggregate keys, and the triggers that keep the four
-- tables above equal to a count over `responses` in the same transaction as every insert, delete and update
-- (docs/decisions/009-maintained-aggregates.md). Hand-written below drizzle-kit's tables.
--
-- Segments as an object of text values (`segments->>name` reads the same text as on the response); anything
-- but an object reads as no segments, as `->>` on it would.
CREATE OR REPLACE FUNCTION cse_text_object(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(j) = 'object' THEN coalesce(
    (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each_text(j) e WHERE e.value IS NOT NULL), '{}'::jsonb)
  ELSE '{}'::jsonb END
$$;
--> statement-breakpoint
-- The numeric answers of a response, { question: text }: every answer whose text (`answers->>question`) is a
-- plain decimal number. Ratings are stored as such; free text, choices and "dont_know" are left out, so a
-- read that compares the text with a scale value (String(5) = '5') counts exactly what a scan would.
CREATE OR REPLACE FUNCTION cse_numeric_answers(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(j) = 'object' THEN coalesce(
    (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each_text(j) e
      WHERE e.value ~ '^-?[0-9]{1,15}([.][0-9]{1,15})?$'), '{}'::jsonb)
  ELSE '{}'::jsonb END
$$;
--> statement-breakpoint
-- Adds map b to map a, both { question: { value: count } }, dropping the counts that reach zero. Walks b only
-- (one response's handful of answers on the submission path), editing a in place.
CREATE OR REPLACE FUNCTION cse_count_map_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  q text;
  answers jsonb;
  v text;
  n bigint;
  total bigint;
BEGIN
  FOR q, answers IN SELECT key, value FROM jsonb_each(b) LOOP
    FOR v, n IN SELECT key, value::bigint FROM jsonb_each_text(answers) LOOP
      total := coalesce((a -> q ->> v)::bigint, 0) + n;
      IF total = 0 THEN
        a := a #- ARRAY[q, v];
        IF a -> q = '{}'::jsonb THEN a := a - q; END IF;
      ELSIF a ? q THEN
        a := jsonb_set(a, ARRAY[q, v], to_jsonb(total));
      ELSE
        a := a || jsonb_build_object(q, jsonb_build_object(v, total));
      END IF;
    END LOOP;
  END LOOP;
  RETURN a;
END
$$;
--> statement-breakpoint
-- Adds (p_sign = 1) or subtracts (p_sign = -1) a set of responses to the four aggregate tables. Rows are
-- written in key order, so concurrent writers lock shared aggregate rows in the same order (no deadlock).
CREATE OR REPLACE FUNCTION cse_aggregates_apply(p_rows responses[], p_sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  written bigint;
  v_row responses;
  v_seg jsonb;
  v_pat jsonb;
  v_day date;
BEGIN
  IF p_rows IS NULL OR cardinality(p_rows) = 0 THEN RETURN; END IF;

  IF cardinality(p_rows) = 1 AND p_sign > 0 THEN
    -- One new response (every submission): plain upserts of its keys, in the same table order as below.
    v_row := p_rows[1];
    v_seg := cse_text_object(v_row.segments);
    v_pat := cse_numeric_answers(v_row.answers);
    v_day := (v_row.submitted_at AT TIME ZONE 'UTC')::date;
    INSERT INTO response_fieldwork AS f (organisation_id, survey_id, survey_version_id, wave, day, responses, first_at, last_at)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.survey_version_id, v_row.wave, v_day, 1, v_row.submitted_at, v_row.submitted_at)
    ON CONFLICT (organisation_id, survey_id, wave, day, survey_version_id) DO UPDATE
      SET responses = f.responses + 1, first_at = least(f.first_at, excluded.first_at),
          last_at = greatest(f.last_at, excluded.last_at);
    INSERT INTO response_segment_cells AS t (organisation_id, survey_id, wave, segments, responses, answers)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.wave, v_seg, 1,
            coalesce((SELECT jsonb_object_agg(e.key, jsonb_build_object(e.value, 1)) FROM jsonb_each_text(v_pat) e), '{}'::jsonb))
    ON CONFLICT (organisation_id, survey_id, wave, segments_key) DO UPDATE
      SET responses = t.responses + 1, answers = cse_count_map_add(t.answers, excluded.answers);
    INSERT INTO response_answer_patterns AS t (organisation_id, survey_id, wave, pattern, responses)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.wave, v_pat, 1)
    ON CONFLICT (organisation_id, survey_id, wave, pattern_key) DO UPDATE SET responses = t.responses + 1;
    INSERT INTO response_day_cells AS t (organisation_id, survey_id, wave, day, segments, pattern, responses)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.wave, v_day, v_seg, v_pat, 1)
    ON CONFLICT (organisation_id, survey_id, wave, day, segments_key, pattern_key) DO UPDATE
      SET responses = t.responses + 1;
    RETURN;
  END IF;

  -- One statement: each response's keys are computed once (d), then each table is upserted from them.
  WITH d AS MATERIALIZED (
    SELECT r.organisation_id AS o, r.survey_id AS s, r.survey_version_id AS v, r.wave AS w,
           (r.submitted_at AT TIME ZONE 'UTC')::date AS day, r.submitted_at AS at,
           cse_text_object(r.segments) AS seg, cse_numeric_answers(r.answers) AS pat
      FROM unnest(p_rows) r
  ), fieldwork AS (
    INSERT INTO response_fieldwork AS f (organisation_id, survey_id, survey_version_id, wave, day, responses, first_at, last_at)
    SELECT o, s, v, w, day, p_sign * count(*), min(at), max(at) FROM d GROUP BY o, s, v, w, day ORDER BY o, s, w, day, v
    ON CONFLICT (organisation_id, survey_id, wave, day, survey_version_id) DO UPDATE
      SET responses = f.responses + excluded.responses,
          first_at = CASE WHEN p_sign > 0 THEN least(f.first_at, excluded.first_at) ELSE f.first_at END,
          last_at = CASE WHEN p_sign > 0 THEN greatest(f.last_at, excluded.last_at) ELSE f.last_at END
    RETURNING 1
  ), c AS (
    SELECT o, s, w, seg, count(*) AS n FROM d GROUP BY o, s, w, seg
  ), m AS (
    SELECT o, s, w, seg, jsonb_object_agg(q, vals) AS answers FROM (
      SELECT o, s, w, seg, q, jsonb_object_agg(v, p_sign * n) AS vals FROM (
        SELECT d.o, d.s, d.w, d.seg, e.key AS q, e.value AS v, count(*) AS n
          FROM d, jsonb_each_text(d.pat) e GROUP BY 1, 2, 3, 4, 5, 6
      ) e GROUP BY 1, 2, 3, 4, 5
    ) x GROUP BY 1, 2, 3, 4
  ), cells AS (
    INSERT INTO response_segment_cells AS t (organisation_id, survey_id, wave, segments, responses, answers)
    SELECT c.o, c.s, c.w, c.seg, p_sign * c.n, coalesce(m.answers, '{}'::jsonb)
      FROM c LEFT JOIN m USING (o, s, w, seg)
     ORDER BY c.o, c.s, c.w, md5(c.seg::text)
    ON CONFLICT (organisation_id, survey_id, wave, segments_key) DO UPDATE
      SET responses = t.responses + excluded.responses, answers = cse_count_map_add(t.answers, excluded.answers)
    RETURNING 1
  ), patterns AS (
    INSERT INTO response_answer_patterns AS t (organisation_id, survey_id, wave, pattern, responses)
    SELECT o, s, w, pat, p_sign * count(*) FROM d GROUP BY o, s, w, pat ORDER BY o, s, w, md5(pat::text)
    ON CONFLICT (organisation_id, survey_id, wave, pattern_key) DO UPDATE SET responses = t.responses + excluded.responses
    RETURNING 1
  ), days AS (
    INSERT INTO response_day_cells AS t (organisation_id, survey_id, wave, day, segments, pattern, responses)
    SELECT o, s, w, day, seg, pat, p_sign * count(*) FROM d GROUP BY o, s, w, day, seg, pat
     ORDER BY o, s, w, day, md5(seg::text), md5(pat::text)
    ON CONFLICT (organisation_id, survey_id, wave, day, segments_key, pattern_key) DO UPDATE
      SET responses = t.responses + excluded.responses
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM fieldwork) + (SELECT count(*) FROM cells) + (SELECT count(*) FROM patterns)
       + (SELECT count(*) FROM days) INTO STRICT written;

  IF p_sign < 0 THEN
    DELETE FROM response_fieldwork f USING (
      SELECT DISTINCT organisation_id, survey_id, survey_version_id, wave, (submitted_at AT TIME ZONE 'UTC')::date AS day
        FROM unnest(p_rows)) k
     WHERE f.organisation_id = k.organisation_id AND f.survey_id = k.survey_id AND f.wave = k.wave AND f.day = k.day
       AND f.survey_version_id = k.survey_version_id AND f.responses = 0;
    -- min and max cannot be subtracted: where a removed response was the first or last of its day, read the
    -- day's remaining responses again (one survey-day through responses_org_survey_submitted_idx).
    UPDATE response_fieldwork f SET first_at = x.first_at, last_at = x.last_at FROM (
      SELECT k.organisation_id, k.survey_id, k.survey_version_id, k.wave, k.day,
             min(r.submitted_at) AS first_at, max(r.submitted_at) AS last_at
        FROM (SELECT DISTINCT f2.organisation_id, f2.survey_id, f2.survey_version_id, f2.wave, f2.day
                FROM unnest(p_rows) d JOIN response_fieldwork f2
                  ON f2.organisation_id = d.organisation_id AND f2.survey_id = d.survey_id AND f2.wave = d.wave
                 AND f2.day = (d.submitted_at AT TIME ZONE 'UTC')::date AND f2.survey_version_id = d.survey_version_id
               WHERE d.submitted_at <= f2.first_at OR d.submitted_at >= f2.last_at) k
        JOIN responses r ON r.organisation_id = k.organisation_id AND r.survey_id = k.survey_id
         AND r.submitted_at >= (k.day::timestamp AT TIME ZONE 'UTC')
         AND r.submitted_at < ((k.day + 1)::timestamp AT TIME ZONE 'UTC')
         AND r.wave = k.wave AND r.survey_version_id = k.survey_version_id
       GROUP BY 1, 2, 3, 4, 5) x
     WHERE f.organisation_id = x.organisation_id AND f.survey_id = x.survey_id AND f.wave = x.wave
       AND f.day = x.day AND f.survey_version_id = x.survey_version_id;
    DELETE FROM response_segment_cells t USING (
      SELECT DISTINCT organisation_id, survey_id, wave, md5(cse_text_object(segments)::text) AS k FROM unnest(p_rows)) k
     WHERE t.organisation_id = k.organisation_id AND t.survey_id = k.survey_id AND t.wave = k.wave
       AND t.segments_key = k.k AND t.responses = 0;
    DELETE FROM response_answer_patterns t USING (
      SELECT DISTINCT organisation_id, survey_id, wave, md5(cse_numeric_answers(answers)::text) AS k FROM unnest(p_rows)) k
     WHERE t.organisation_id = k.organisation_id AND t.survey_id = k.survey_id AND t.wave = k.wave
       AND t.pattern_key = k.k AND t.responses = 0;
    DELETE FROM response_day_cells t USING (
      SELECT DISTINCT organisation_id, survey_id, wave, (submitted_at AT TIME ZONE 'UTC')::date AS day,
             md5(cse_text_object(segments)::text) AS sk, md5(cse_numeric_answers(answers)::text) AS pk
        FROM unnest(p_rows)) k
     WHERE t.organisation_id = k.organisation_id AND t.survey_id = k.survey_id AND t.wave = k.wave AND t.day = k.day
       AND t.segments_key = k.sk AND t.pattern_key = k.pk AND t.responses = 0;
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cse_responses_aggregates_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed responses[];
  added responses[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE response_fieldwork, response_segment_cells, response_answer_patterns, response_day_cells;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    SELECT array_agg(o::responses) INTO removed FROM old_rows o;
    PERFORM cse_aggregates_apply(removed, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT array_agg(n::responses) INTO added FROM new_rows n;
    PERFORM cse_aggregates_apply(added, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_aggregates_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_aggregates_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_aggregates_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_aggregates_truncate AFTER TRUNCATE ON responses
  FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_aggregates_trigger();
--> statement-breakpoint
-- Empties the aggregates of one organisation (all when null) and counts its responses again, set-based: one
-- pass over the responses into a temporary table, then one GROUP BY per aggregate table. It is written apart
-- from cse_aggregates_apply on purpose: tests/integration/aggregates-maintained.test.ts checks that the
-- incremental tables equal a rebuild, so the two implementations check each other. Callers lock `responses`
-- against writes first (db/queries/aggregates-maintenance.ts) so that no insert lands in between.
CREATE OR REPLACE FUNCTION cse_aggregates_rebuild(p_organisation uuid) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  total bigint;
BEGIN
  DELETE FROM response_fieldwork WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  DELETE FROM response_segment_cells WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  DELETE FROM response_answer_patterns WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  DELETE FROM response_day_cells WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  -- Hash aggregates over millions of rows: give them memory for this transaction rather than spill to disk.
  PERFORM set_config('work_mem', '256MB', true);
  DROP TABLE IF EXISTS cse_rebuild_source;
  CREATE TEMP TABLE cse_rebuild_source ON COMMIT DROP AS
    SELECT r.organisation_id AS o, r.survey_id AS s, r.survey_version_id AS v, r.wave AS w,
           (r.submitted_at AT TIME ZONE 'UTC')::date AS day, r.submitted_at AS at,
           cse_text_object(r.segments) AS seg, cse_numeric_answers(r.answers) AS pat
      FROM responses r WHERE p_organisation IS NULL OR r.organisation_id = p_organisation;
  SELECT count(*) INTO total FROM cse_rebuild_source;

  INSERT INTO response_fieldwork (organisation_id, survey_id, survey_version_id, wave, day, responses, first_at, last_at)
  SELECT o, s, v, w, day, count(*), min(at), max(at) FROM cse_rebuild_source GROUP BY o, s, v, w, day;

  INSERT INTO response_segment_cells (organisation_id, survey_id, wave, segments, responses, answers)
  WITH c AS (
    SELECT o, s, w, seg, count(*) AS n FROM cse_rebuild_source GROUP BY o, s, w, seg
  ), m AS (
    SELECT o, s, w, seg, jsonb_object_agg(q, vals) AS answers FROM (
      SELECT o, s, w, seg, q, jsonb_object_agg(v, n) AS vals FROM (
        SELECT x.o, x.s, x.w, x.seg, e.key AS q, e.value AS v, count(*) AS n
          FROM cse_rebuild_source x, jsonb_each_text(x.pat) e GROUP BY 1, 2, 3, 4, 5, 6
      ) e GROUP BY 1, 2, 3, 4, 5
    ) y GROUP BY 1, 2, 3, 4
  )
  SELECT c.o, c.s, c.w, c.seg, c.n, coalesce(m.answers, '{}'::jsonb) FROM c LEFT JOIN m USING (o, s, w, seg);

  INSERT INTO response_answer_patterns (organisation_id, survey_id, wave, pattern, responses)
  SELECT o, s, w, pat, count(*) FROM cse_rebuild_source GROUP BY o, s, w, pat;

  INSERT INTO response_day_cells (organisation_id, survey_id, wave, day, segments, pattern, responses)
  SELECT o, s, w, day, seg, pat, count(*) FROM cse_rebuild_source GROUP BY o, s, w, day, seg, pat;

  DROP TABLE cse_rebuild_source;
  RETURN total;
END
$$;
--> statement-breakpoint
-- Databases that already hold responses (the demo seed, earlier imports) get their aggregates now.
SELECT cse_aggregates_rebuild(NULL);
