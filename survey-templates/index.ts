/**
 * The template registry. Each template is a SurveyJS JSON definition plus metadata (see metadata.ts). The JSON files
 * are imported statically, so this module works inside the Vite-bundled server and under tsx and vitest alike.
 */
import afterContactJson from './after-contact/survey.json'
import complaintOutcomeJson from './complaint-outcome/survey.json'
import coreSatisfactionJson from './core-satisfaction/survey.json'
import digitalAccessJson from './digital-access/survey.json'
import equalityMonitoringJson from './equality-monitoring/survey.json'
import informationQualityJson from './information-quality/survey.json'
import { metadata as afterContactMeta } from './after-contact/meta'
import { metadata as complaintOutcomeMeta } from './complaint-outcome/meta'
import { metadata as coreSatisfactionMeta } from './core-satisfaction/meta'
import { metadata as digitalAccessMeta } from './digital-access/meta'
import { metadata as equalityMonitoringMeta } from './equality-monitoring/meta'
import { metadata as informationQualityMeta } from './information-quality/meta'
import {
  templateMetadataSchema,
  urlSegmentSchema,
  type TemplateMetadata,
  type TemplateMetadataInput,
} from './metadata'
import type { z } from 'zod'
import type { PageJSON, SurveyJSON } from './definition'

export * from './metadata'
export * from './definition'
export { AGREE_5, EASE_5 } from './scales'
export {
  checkTemplate,
  looksLikeRating,
  PREFER_NOT_TO_SAY,
  PROBLEM_CODES,
  type ProblemCode,
  type TemplateProblem,
} from './check'
export {
  ETHNIC_GROUP_CATEGORIES,
  ETHNIC_GROUP_HEADINGS,
  ethnicGroupHeading,
  type EthnicGroupHeading,
} from './equality-monitoring/meta'

export interface Template {
  metadata: TemplateMetadata
  definition: SurveyJSON
}

/** Template ids in the order the builder lists them. */
export const TEMPLATE_IDS = [
  'core-satisfaction',
  'after-contact',
  'complaint-outcome',
  'digital-access',
  'information-quality',
  'equality-monitoring',
] as const
export type TemplateId = (typeof TEMPLATE_IDS)[number]

/** The equality block: meant to be appended to another template with composeSurvey. */
export const EQUALITY_BLOCK_ID: TemplateId = 'equality-monitoring'

/** The demo survey: core satisfaction followed by the equality block. */
export const DEMO_TEMPLATE_IDS: readonly TemplateId[] = ['core-satisfaction', 'equality-monitoring']

const SOURCES: Record<TemplateId, { json: unknown; meta: TemplateMetadataInput }> = {
  'core-satisfaction': { json: coreSatisfactionJson, meta: coreSatisfactionMeta },
  'after-contact': { json: afterContactJson, meta: afterContactMeta },
  'complaint-outcome': { json: complaintOutcomeJson, meta: complaintOutcomeMeta },
  'digital-access': { json: digitalAccessJson, meta: digitalAccessMeta },
  'information-quality': { json: informationQualityJson, meta: informationQualityMeta },
  'equality-monitoring': { json: equalityMonitoringJson, meta: equalityMonitoringMeta },
}

// Parsed once; every accessor hands out a deep copy so callers may edit what they get.
const REGISTRY = new Map<string, Template>(
  TEMPLATE_IDS.map((id) => {
    const source = SOURCES[id]
    const metadata = templateMetadataSchema.parse(source.meta)
    if (metadata.id !== id) throw new Error(`Template ${id}: metadata id is "${metadata.id}"`)
    return [id, { metadata, definition: source.json as SurveyJSON }] as const
  }),
)

export function isTemplateId(id: string): id is TemplateId {
  return REGISTRY.has(id)
}

/** Metadata of every template, in TEMPLATE_IDS order. */
export function listTemplates(): TemplateMetadata[] {
  return TEMPLATE_IDS.map((id) => structuredClone(REGISTRY.get(id)!.metadata))
}

/** A fresh copy of one template, or undefined for an unknown id. */
export function getTemplate(id: string): Template | undefined {
  const template = REGISTRY.get(id)
  return template === undefined ? undefined : structuredClone(template)
}

/** Like getTemplate, but throws for an unknown id. */
export function requireTemplate(id: string): Template {
  const template = getTemplate(id)
  if (template === undefined)
    throw new Error(`Unknown survey template "${id}". Known: ${TEMPLATE_IDS.join(', ')}`)
  return template
}

export interface ComposeOptions {
  /** Metadata id of the result; defaults to the template ids joined with `--`. */
  id?: string
  /** Metadata title and description (for staff). The respondent-facing survey title stays the first template's. */
  title?: string
  description?: string
  /** URL-parameter segments the survey link may carry (e.g. `?channel=phone`); added after the templates' own. */
  urlSegments?: Array<z.input<typeof urlSegmentSchema>>
}

/**
 * One survey made of several templates: the first template's survey settings and pages, then the pages of each
 * following template (for example `['core-satisfaction', 'equality-monitoring']`). Metadata is merged: ratings,
 * comments, segments and equality questions are combined, CSE elements are united, and only locales that every
 * part carries are kept. Question names are not renamed: run checkTemplate on the result to catch clashes.
 */
export function composeSurvey(templateIds: readonly string[], options: ComposeOptions = {}): Template {
  const [first, ...rest] = templateIds.map(requireTemplate)
  if (first === undefined) throw new Error('composeSurvey needs at least one template id')

  const definition: SurveyJSON = first.definition
  const pageNames = new Set(definition.pages.map((p) => p.name))
  const meta: TemplateMetadataInput = {
    ...first.metadata,
    id: options.id ?? templateIds.join('--').slice(0, 63).replace(/-+$/, ''),
    title: options.title ?? first.metadata.title,
    description: options.description ?? first.metadata.description,
  }
  const cse = new Set(first.metadata.cseElements)
  const ratings = { ...first.metadata.ratings }
  const comments = [...first.metadata.comments]
  const segments = [...first.metadata.segments]
  const urlSegments = [...first.metadata.urlSegments]
  const equality = [...first.metadata.equalityQuestions]
  let locales = [...first.metadata.locales]

  for (const part of rest) {
    for (const page of part.definition.pages) {
      const copy: PageJSON = { ...page }
      if (pageNames.has(copy.name)) copy.name = `${part.metadata.id.replace(/-/g, '_')}_${copy.name}`
      pageNames.add(copy.name)
      definition.pages.push(copy)
    }
    part.metadata.cseElements.forEach((e) => cse.add(e))
    for (const [name, rating] of Object.entries(part.metadata.ratings))
      if (!(name in ratings)) ratings[name] = rating
    comments.push(...part.metadata.comments)
    for (const s of part.metadata.segments)
      if (!segments.some((x) => x.question === s.question)) segments.push(s)
    for (const u of part.metadata.urlSegments)
      if (!urlSegments.some((x) => x.param === u.param)) urlSegments.push(u)
    for (const q of part.metadata.equalityQuestions) if (!equality.includes(q)) equality.push(q)
    locales = locales.filter((l) => part.metadata.locales.includes(l))
  }
  for (const u of options.urlSegments ?? []) {
    const at = urlSegments.findIndex((x) => x.param === u.param)
    const parsed = urlSegmentSchema.parse(u)
    if (at >= 0) urlSegments[at] = parsed
    else urlSegments.push(parsed)
  }

  const metadata = templateMetadataSchema.parse({
    ...meta,
    cseElements: [...cse].sort(),
    ratings,
    comments,
    segments,
    urlSegments,
    equalityQuestions: equality,
    locales,
  })
  return { metadata, definition }
}

/** The demo survey (core satisfaction + equality block) that the seed publishes. */
export function demoSurvey(): Template {
  return composeSurvey(DEMO_TEMPLATE_IDS, { id: 'demo-core-with-equality' })
}
