import type { ExportContext } from './export-context.server.ts'
import { microdataColumns, segmentColumnName, type MicrodataOptions } from './export-microdata.server.ts'

/*
 * Reproducibility: an R script (base R + the survey package only) that recomputes the headline satisfaction
 * table from the microdata export and its weights, and the same numbers as the app computes them, in one
 * JSON layout, so anyone can check one against the other (cli/check-r-reproduction.ts does).
 *
 * The app's side comes from the insight report's exact estimates (report.estimates: the tables behind the
 * published figures), never recomputed here. It holds exact satisfied counts, so it is an analyst's tool that
 * goes with the microdata: it is not part of the evidence pack or any other published output.
 */

/** Headline numbers of one group for one rating. */
export interface HeadlineCell {
  n_valid: number
  n_satisfied: number
  p_unweighted: number | null
  p_weighted: number | null
  se_weights_only: number | null
  se_raked: number | null
}

export interface Headline {
  n_respondents: number
  weighted: boolean
  raked: boolean
  /** ratings[rating][by][group]; by = "all", "wave" or a segment name */
  ratings: Record<string, Record<string, Record<string, HeadlineCell>>>
}

/**
 * The app's headline numbers, from the insight report's exact estimates (before disclosure control): the
 * weighted table of the raked respondents when the report is weighted (R drops the respondents without a
 * weight, so it sees the same ones), else the unweighted table of every respondent.
 */
export function appHeadline(ctx: ExportContext, options: MicrodataOptions): Headline {
  const columns = new Set(microdataColumns(ctx, options).map((c) => c.name))
  const estimates = ctx.insight.report.estimates
  const table = ctx.weighting && estimates.weighted ? estimates.weighted : estimates.unweighted
  const bys = [
    'all',
    'wave',
    ...ctx.segments.map((s) => s.name).filter((s) => columns.has(segmentColumnName(s))),
  ]
  const out: Headline['ratings'] = {}
  for (const rating of ctx.ratings) {
    if (!columns.has(rating)) continue
    out[rating] = {}
    for (const by of bys) {
      const cells = table.cells[rating]?.[by] ?? {}
      const groups: Record<string, HeadlineCell> = {}
      for (const [group, cell] of Object.entries(cells)) {
        groups[group] = {
          n_valid: cell.unweighted.n_valid,
          n_satisfied: cell.unweighted.n_satisfied,
          p_unweighted: cell.unweighted.p_satisfied,
          p_weighted: cell.weighted?.p_satisfied ?? null,
          se_weights_only: cell.weighted?.se_weights_only ?? null,
          se_raked: cell.weighted?.se_raked ?? null,
        }
      }
      out[rating][by] = groups
    }
  }
  const raked =
    Boolean(ctx.weighting) &&
    (ctx.weighting?.variables.every((v) => columns.has(segmentColumnName(v))) ?? false)
  const respondents = ctx.weighting
    ? (estimates.cellWeights ?? []).reduce((a, c) => a + c.count, 0)
    : ctx.insight.report.meta.respondents
  return {
    n_respondents: respondents,
    weighted: Boolean(ctx.weighting),
    raked,
    ratings: out,
  }
}

function rString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`
}

function rVector(values: ReadonlyArray<string | number>): string {
  return `c(${values.map((v) => (typeof v === 'number' ? String(v) : rString(v))).join(', ')})`
}

/** The R script. It reads microdata.csv (or the file named on the command line) and writes JSON. */
export function rScript(ctx: ExportContext, options: MicrodataOptions): string {
  const columns = new Set(microdataColumns(ctx, options).map((c) => c.name))
  const ratings = ctx.ratings.filter((r) => columns.has(r))
  const bys = ctx.segments.filter((s) => columns.has(segmentColumnName(s.name)))
  const weighting = ctx.weighting
  const raked = weighting !== null && weighting.variables.every((v) => columns.has(segmentColumnName(v)))
  const ratingLines = ratings.map((r) => {
    const c = ctx.metadata.ratings[r]!.coding
    return `  ${rString(r)} = list(satisfied = ${rVector(c.satisfied)}, valid = ${rVector([...c.satisfied, ...c.neither, ...c.dissatisfied])})`
  })
  const byLines = [
    `  wave = "wave"`,
    ...bys.map((s) => `  ${rString(s.name)} = ${rString(segmentColumnName(s.name))}`),
  ]
  const rakeBlock = raked
    ? `# Raking: the same population margins, tolerance and pass limit as the app (survey::rake, Lumley 2010 s7.3).
population_margins <- list(
${weighting!.variables
  .map((v) => {
    const m = weighting!.margins[v]!
    const col = segmentColumnName(v)
    return `  data.frame(${col} = ${rVector(Object.keys(m))}, Freq = ${rVector(Object.values(m))}, check.names = FALSE)`
  })
  .join(',\n')}
)
des0 <- svydesign(ids = ~1, data = d)
des_raked <- rake(des0,
  sample.margins = list(${weighting!.variables.map((v) => `~${segmentColumnName(v)}`).join(', ')}),
  population.margins = population_margins,
  control = list(maxit = ${weighting!.maxPasses}, epsilon = ${weighting!.epsilon}))
max_weight_rel_diff <- max(abs(weights(des_raked) - d$weight) / d$weight)
cat(sprintf("Largest relative difference between R's raked weights and the exported weights: %.3g\\n", max_weight_rel_diff))
`
    : `# The raking variables are not in this export (equality answers left out, or no population profile), so
# only the weights-only design can be rebuilt; the calibration-adjusted (raked) SEs are not recomputed.
des_raked <- NULL
max_weight_rel_diff <- NA
`
  return `#!/usr/bin/env Rscript
# Reproduces the headline satisfaction table of "${ctx.survey.title.replace(/[\r\n]/g, ' ')}" (${ctx.organisationName.replace(/[\r\n]/g, ' ')})
# from the CSE Insight microdata export, with R's survey package. Generated ${ctx.generatedAt.toISOString()}.
#
# Usage:  Rscript reproduce.R [microdata.csv] [r-headline.json]
# Needs:  R >= 4.0 and the survey package (Debian: apt-get install r-base-core r-cran-survey).
#
# Definitions (as in the app):
#   satisfied = answer coded satisfied (4-5 on the 5-point scale); valid base = answers on the scale
#   ("don't know" and missing are outside the base).
#   p_unweighted = n_satisfied / n_valid.
#   p_weighted   = svymean(~sat, design, na.rm = TRUE), per group on the subset design (domain estimation).
#   se_weights_only: svydesign(ids = ~1, weights = ~weight) - ignores that the weights were calibrated.
#   se_raked: the raked design (survey::rake) - accounts for calibration; the honest SE after raking.
suppressPackageStartupMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
microdata <- if (length(args) >= 1) args[[1]] else "microdata.csv"
output <- if (length(args) >= 2) args[[2]] else "r-headline.json"

d <- read.csv(microdata, colClasses = "character", check.names = FALSE, na.strings = character(0),
              fileEncoding = "UTF-8-BOM")
has_weight <- "weight" %in% names(d)
if (has_weight) {
  d$weight <- suppressWarnings(as.numeric(d$weight))
  # Respondents outside the population's levels have no weight and are outside the weighted analysis.
  d <- d[!is.na(d$weight), , drop = FALSE]
} else {
  d$weight <- 1
}

ratings <- list(
${ratingLines.join(',\n')}
)
bys <- c(
${byLines.join(',\n')}
)
for (r in names(ratings)) {
  y <- suppressWarnings(as.numeric(d[[r]]))
  d[[paste0("sat_", r)]] <- ifelse(y %in% ratings[[r]]$valid, as.numeric(y %in% ratings[[r]]$satisfied), NA)
}

des_w <- svydesign(ids = ~1, weights = ~weight, data = d)
${rakeBlock}
estimate <- function(des, rows, formula) {
  if (is.null(des)) return(c(NA, NA))
  m <- tryCatch(svymean(formula, des[rows, ], na.rm = TRUE), error = function(e) NULL)
  if (is.null(m)) return(c(NA, NA))
  c(unname(coef(m))[1], unname(SE(m))[1])
}
cell <- function(r, rows) {
  sat <- d[[paste0("sat_", r)]][rows]
  n_valid <- sum(!is.na(sat))
  n_sat <- sum(sat == 1, na.rm = TRUE)
  if (n_valid == 0) {
    return(list(n_valid = 0, n_satisfied = 0, p_unweighted = NA, p_weighted = NA, se_weights_only = NA, se_raked = NA))
  }
  f <- as.formula(paste0("~sat_", r))
  w <- if (has_weight) estimate(des_w, rows, f) else c(NA, NA)
  k <- if (has_weight) estimate(des_raked, rows, f) else c(NA, NA)
  list(n_valid = n_valid, n_satisfied = n_sat, p_unweighted = n_sat / n_valid,
       p_weighted = w[1], se_weights_only = w[2], se_raked = k[2])
}

result <- list()
for (r in names(ratings)) {
  out <- list(all = list(all = cell(r, rep(TRUE, nrow(d)))))
  for (by in names(bys)) {
    column <- d[[bys[[by]]]]
    groups <- list()
    for (g in sort(unique(column))) groups[[g]] <- cell(r, column == g)
    out[[by]] <- groups
  }
  result[[r]] <- out
}

# A small JSON writer (base R only), numbers to 17 significant digits so nothing is lost.
to_json <- function(x) {
  if (is.list(x)) {
    if (length(x) == 0) return("{}")
    keys <- names(x)
    parts <- vapply(seq_along(x), function(i) paste0(encodeString(keys[[i]], quote = '"'), ":", to_json(x[[i]])), "")
    return(paste0("{", paste(parts, collapse = ","), "}"))
  }
  if (is.logical(x) && length(x) == 1 && !is.na(x)) return(if (x) "true" else "false")
  if (length(x) == 1 && (is.na(x) || (is.numeric(x) && !is.finite(x)))) return("null")
  if (is.numeric(x)) return(sprintf("%.17g", x))
  encodeString(as.character(x), quote = '"')
}
headline <- list(n_respondents = nrow(d), weighted = has_weight, raked = !is.null(des_raked),
                 max_weight_rel_diff = max_weight_rel_diff, ratings = result)
writeLines(to_json(headline), output, useBytes = TRUE)

cat(sprintf("%-18s %8s %10s %10s %12s %12s\\n", "rating (all)", "n_valid", "p_unwtd", "p_wtd", "se_wts_only", "se_raked"))
for (r in names(result)) {
  a <- result[[r]]$all$all
  cat(sprintf("%-18s %8d %10.4f %10.4f %12.6f %12.6f\\n", r, as.integer(a$n_valid), a$p_unweighted, a$p_weighted,
              a$se_weights_only, a$se_raked))
}
cat(sprintf("Wrote %s\\n", output))
`
}
