/**
 * The input of the statistics engine: counts, never rows.
 *
 * After raking on categorical variables every respondent in the same raking cell (combination of
 * raking-variable levels, e.g. age_band × gender) has the same weight, so every weighted estimate, both
 * standard errors, Kish and the Rao-Scott test reduce to sums over (raking cell × group × answer value).
 * Key drivers need, on complete cases of one wave, the joint counts of each pair of ratings.
 * A PostgreSQL GROUP BY produces all of it directly; `countAggregatesFromRows` produces the same from rows
 * (the CSV path).
 *
 * Conventions
 * - `rakingCell` lists the levels of the raking variables in `rakingVariables` order (empty array when
 *   there is no raking). Labels are strings exactly as stored (waves too, e.g. "2026").
 * - `by` is "all" (with group "all"), "wave", or a segment column name; `group` is that column's value.
 * - `value` is the integer rating, or null for don't know / not applicable / missing.
 * - Rows with count 0 may be omitted. Several rows with the same key are added together.
 *
 * How a SQL loader produces it (table `responses` with one column per rating / segment):
 * ```sql
 * -- cells: all respondents per raking cell
 * SELECT age_band, gender, count(*) FROM responses WHERE survey_id = $1 GROUP BY 1, 2;
 * -- groupCells: all respondents per (by, group, raking cell); one query per by, or UNION ALL
 * SELECT 'channel' AS by, channel AS "group", age_band, gender, count(*) FROM responses WHERE ... GROUP BY 2, 3, 4;
 * -- tallies: per rating x by x group x raking cell x value (value NULL = don't know)
 * SELECT r.rating, b.by, b.grp, age_band, gender, r.value, count(*)
 *   FROM responses
 *   CROSS JOIN LATERAL (VALUES ('overall', overall), ('delivery', delivery), ...) AS r(rating, value)
 *   CROSS JOIN LATERAL (VALUES ('all', 'all'), ('wave', wave::text), ('channel', channel), ...) AS b(by, grp)
 *  WHERE survey_id = $1 GROUP BY 1, 2, 3, 4, 5, 6;
 * -- keyDrivers.pairs: complete cases of the latest wave, each pair (i < j in `variables` order)
 * SELECT 'overall' AS x, 'delivery' AS y, overall, delivery, count(*) FROM responses
 *  WHERE wave = $2 AND overall IS NOT NULL AND delivery IS NOT NULL AND ... (all variables NOT NULL)
 *  GROUP BY 3, 4;   -- repeat (or UNION ALL) for every pair
 * ```
 */
export interface AnalysisAggregates {
  /** raking variable names; the order of the levels in every `rakingCell` */
  rakingVariables: string[]
  /** rating columns, in report order */
  ratings: string[]
  /** "all", "wave", then the segment columns: the keys of the tables */
  bys: string[]
  /** waves present, in chronological order (latest last) */
  waves: string[]
  /** all respondents per raking cell (the n of the design is their sum) */
  cells: RakingCellCount[]
  /** all respondents per (by, group, raking cell), including don't-know answers (n_rows, Kish) */
  groupCells: GroupCellCount[]
  /** answer counts per (rating, by, group, raking cell, value) */
  tallies: RatingTally[]
  /** joint counts for key-driver analysis (absent when there is no outcome / driver) */
  keyDrivers?: KeyDriverAggregates
  /**
   * optional question wording per rating and wave (wording[rating][wave]); the trend warns when the latest
   * and previous waves differ (PRODUCT.md §4 "Trends")
   */
  wording?: Record<string, Record<string, string>>
}

/** Respondents of one raking cell. */
export interface RakingCellCount {
  rakingCell: string[]
  count: number
}

/** Respondents of one group in one raking cell. */
export interface GroupCellCount {
  by: string
  group: string
  rakingCell: string[]
  count: number
}

/** Count of one answer value to one rating in one group and raking cell. */
export interface RatingTally {
  rating: string
  by: string
  group: string
  rakingCell: string[]
  /** the rating, null = don't know / missing (outside the valid base) */
  value: number | null
  count: number
}

/** Joint counts of two ratings on complete cases. */
export interface PairTally {
  x: string
  y: string
  xValue: number
  yValue: number
  count: number
}

/** Complete cases (every variable answered) of one wave, as pairwise joint counts. */
export interface KeyDriverAggregates {
  /** the wave analysed (the latest) */
  wave: string
  /** outcome first, then the drivers */
  variables: string[]
  /** respondents in that wave */
  nWave: number
  /** joint counts for every pair i < j of `variables` (x = variables[i], y = variables[j]) */
  pairs: PairTally[]
}
