CREATE TABLE "response_calendar_cells" (
	"organisation_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"wave" text NOT NULL,
	"period" text NOT NULL,
	"period_start" date NOT NULL,
	"segments" jsonb NOT NULL,
	"segments_key" text GENERATED ALWAYS AS (md5(segments::text)) STORED NOT NULL,
	"responses" bigint NOT NULL,
	"answers" jsonb NOT NULL,
	CONSTRAINT "response_calendar_cells_pk" PRIMARY KEY("organisation_id","survey_id","wave","period","period_start","segments_key")
);
--> statement-breakpoint
-- Calendar cells: the counts of response_segment_cells per UTC day and per UTC month, so that a date filter
-- reads whole months plus edge days instead of response_day_cells' row per response
-- (docs/decisions/009-maintained-aggregates.md). Hand-written below drizzle-kit's table. Kept by their own
-- statement triggers on `responses`, in the writing transaction like the four tables of 0001 (whose triggers
-- fire first: PostgreSQL fires triggers in name order, so every writer locks the tables in the same order).
-- Each response counts in two rows: its day ('day', the UTC day) and its month ('month', first day of the UTC
-- month); rows are written in key order ('day' before 'month'), so concurrent writers do not deadlock.
CREATE OR REPLACE FUNCTION cse_calendar_apply(p_rows responses[], p_sign integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_row responses;
  v_seg jsonb;
  v_answers jsonb;
  v_day date;
BEGIN
  IF p_rows IS NULL OR cardinality(p_rows) = 0 THEN RETURN; END IF;

  IF cardinality(p_rows) = 1 AND p_sign > 0 THEN
    -- One new response (every submission): two plain upserts.
    v_row := p_rows[1];
    v_seg := cse_text_object(v_row.segments);
    v_answers := coalesce((SELECT jsonb_object_agg(e.key, jsonb_build_object(e.value, 1))
                             FROM jsonb_each_text(cse_numeric_answers(v_row.answers)) e), '{}'::jsonb);
    v_day := (v_row.submitted_at AT TIME ZONE 'UTC')::date;
    INSERT INTO response_calendar_cells AS t (organisation_id, survey_id, wave, period, period_start, segments, responses, answers)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.wave, 'day', v_day, v_seg, 1, v_answers)
    ON CONFLICT (organisation_id, survey_id, wave, period, period_start, segments_key) DO UPDATE
      SET responses = t.responses + 1, answers = cse_count_map_add(t.answers, excluded.answers);
    INSERT INTO response_calendar_cells AS t (organisation_id, survey_id, wave, period, period_start, segments, responses, answers)
    VALUES (v_row.organisation_id, v_row.survey_id, v_row.wave, 'month', date_trunc('month', v_day)::date, v_seg, 1, v_answers)
    ON CONFLICT (organisation_id, survey_id, wave, period, period_start, segments_key) DO UPDATE
      SET responses = t.responses + 1, answers = cse_count_map_add(t.answers, excluded.answers);
    RETURN;
  END IF;

  INSERT INTO response_calendar_cells AS t (organisation_id, survey_id, wave, period, period_start, segments, responses, answers)
  WITH d AS MATERIALIZED (
    SELECT r.organisation_id AS o, r.survey_id AS s, r.wave AS w, p.period, p.start,
           cse_text_object(r.segments) AS seg, cse_numeric_answers(r.answers) AS pat
      FROM unnest(p_rows) r,
           LATERAL (VALUES ('day', (r.submitted_at AT TIME ZONE 'UTC')::date),
                           ('month', date_trunc('month', (r.submitted_at AT TIME ZONE 'UTC')::date)::date)) p(period, start)
  ), c AS (
    SELECT o, s, w, period, start, seg, count(*) AS n FROM d GROUP BY 1, 2, 3, 4, 5, 6
  ), m AS (
    SELECT o, s, w, period, start, seg, jsonb_object_agg(q, vals) AS answers FROM (
      SELECT o, s, w, period, start, seg, q, jsonb_object_agg(v, p_sign * n) AS vals FROM (
        SELECT d.o, d.s, d.w, d.period, d.start, d.seg, e.key AS q, e.value AS v, count(*) AS n
          FROM d, jsonb_each_text(d.pat) e GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
      ) e GROUP BY 1, 2, 3, 4, 5, 6, 7
    ) x GROUP BY 1, 2, 3, 4, 5, 6
  )
  SELECT c.o, c.s, c.w, c.period, c.start, c.seg, p_sign * c.n, coalesce(m.answers, '{}'::jsonb)
    FROM c LEFT JOIN m USING (o, s, w, period, start, seg)
   ORDER BY c.o, c.s, c.w, c.period, c.start, md5(c.seg::text)
  ON CONFLICT (organisation_id, survey_id, wave, period, period_start, segments_key) DO UPDATE
    SET responses = t.responses + excluded.responses, answers = cse_count_map_add(t.answers, excluded.answers);

  IF p_sign < 0 THEN
    DELETE FROM response_calendar_cells t USING (
      SELECT DISTINCT r.organisation_id, r.survey_id, r.wave, p.period, p.start, md5(cse_text_object(r.segments)::text) AS k
        FROM unnest(p_rows) r,
             LATERAL (VALUES ('day', (r.submitted_at AT TIME ZONE 'UTC')::date),
                             ('month', date_trunc('month', (r.submitted_at AT TIME ZONE 'UTC')::date)::date)) p(period, start)) k
     WHERE t.organisation_id = k.organisation_id AND t.survey_id = k.survey_id AND t.wave = k.wave
       AND t.period = k.period AND t.period_start = k.start AND t.segments_key = k.k AND t.responses = 0;
  END IF;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION cse_responses_calendar_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  removed responses[];
  added responses[];
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE response_calendar_cells;
    RETURN NULL;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    SELECT array_agg(o::responses) INTO removed FROM old_rows o;
    PERFORM cse_calendar_apply(removed, -1);
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    SELECT array_agg(n::responses) INTO added FROM new_rows n;
    PERFORM cse_calendar_apply(added, 1);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER responses_calendar_insert AFTER INSERT ON responses
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_calendar_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_calendar_delete AFTER DELETE ON responses
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_calendar_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_calendar_update AFTER UPDATE ON responses
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_calendar_trigger();
--> statement-breakpoint
CREATE TRIGGER responses_calendar_truncate AFTER TRUNCATE ON responses
  FOR EACH STATEMENT EXECUTE FUNCTION cse_responses_calendar_trigger();
--> statement-breakpoint
-- Rebuild of the calendar cells of one organisation (all when null), set-based and apart from
-- cse_calendar_apply on purpose (the property test compares the two): derived from response_day_cells, which
-- already hold every response's UTC day, segments and numeric answers. Run it after cse_aggregates_rebuild, in
-- the same transaction (rebuildAggregates in db/queries/aggregates-maintenance.ts does both). Returns the
-- responses counted in the day rows.
CREATE OR REPLACE FUNCTION cse_calendar_rebuild(p_organisation uuid) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  total bigint;
BEGIN
  DELETE FROM response_calendar_cells WHERE p_organisation IS NULL OR organisation_id = p_organisation;
  PERFORM set_config('work_mem', '256MB', true);
  -- Days first, from the day cells; then months, from the day rows just written (far fewer rows).
  INSERT INTO response_calendar_cells (organisation_id, survey_id, wave, period, period_start, segments, responses, answers)
  WITH src AS (
    SELECT organisation_id AS o, survey_id AS s, wave AS w, day, segments AS seg, pattern AS pat, responses AS n
      FROM response_day_cells WHERE p_organisation IS NULL OR organisation_id = p_organisation
  ), c AS (
    SELECT o, s, w, day, seg, sum(n) AS n FROM src GROUP BY 1, 2, 3, 4, 5
  ), m AS (
    SELECT o, s, w, day, seg, jsonb_object_agg(q, vals) AS answers FROM (
      SELECT o, s, w, day, seg, q, jsonb_object_agg(v, n) AS vals FROM (
        SELECT src.o, src.s, src.w, src.day, src.seg, e.key AS q, e.value AS v, sum(src.n)::bigint AS n
          FROM src, jsonb_each_text(src.pat) e GROUP BY 1, 2, 3, 4, 5, 6, 7
      ) e GROUP BY 1, 2, 3, 4, 5, 6
    ) x GROUP BY 1, 2, 3, 4, 5
  )
  SELECT c.o, c.s, c.w, 'day', c.day, c.seg, c.n, coalesce(m.answers, '{}'::jsonb)
    FROM c LEFT JOIN m USING (o, s, w, day, seg);

  INSERT INTO response_calendar_cells (organisation_id, survey_id, wave, period, period_start, segments, responses, answers)
  WITH src AS (
    SELECT organisation_id AS o, survey_id AS s, wave AS w, date_trunc('month', period_start)::date AS month,
           segments AS seg, responses AS n, answers
      FROM response_calendar_cells
     WHERE period = 'day' AND (p_organisation IS NULL OR organisation_id = p_organisation)
  ), c AS (
    SELECT o, s, w, month, seg, sum(n) AS n FROM src GROUP BY 1, 2, 3, 4, 5
  ), m AS (
    SELECT o, s, w, month, seg, jsonb_object_agg(q, vals) AS answers FROM (
      SELECT o, s, w, month, seg, q, jsonb_object_agg(v, n) AS vals FROM (
        SELECT src.o, src.s, src.w, src.month, src.seg, a.key AS q, v.key AS v, sum(v.value::bigint)::bigint AS n
          FROM src, jsonb_each(src.answers) a, jsonb_each_text(a.value) v GROUP BY 1, 2, 3, 4, 5, 6, 7
      ) e GROUP BY 1, 2, 3, 4, 5, 6
    ) x GROUP BY 1, 2, 3, 4, 5
  )
  SELECT c.o, c.s, c.w, 'month', c.month, c.seg, c.n, coalesce(m.answers, '{}'::jsonb)
    FROM c LEFT JOIN m USING (o, s, w, month, seg);

  SELECT coalesce(sum(responses), 0) INTO total FROM response_calendar_cells
   WHERE period = 'day' AND (p_organisation IS NULL OR organisation_id = p_organisation);
  RETURN total;
END
$$;
--> statement-breakpoint
-- Databases that already hold responses get their calendar cells now, from their day cells.
SELECT cse_calendar_rebuild(NULL);
