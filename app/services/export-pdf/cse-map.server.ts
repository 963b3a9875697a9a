import type { ExportContext } from '../export-context.server.ts'
import type { PdfSection } from './sections.server.ts'

/*
 * The CSE map of the PDF evidence pack: each Customer Service Excellence element the pack speaks to, with the
 * sections (and so the pages) that evidence it. The elements are the customer-insight elements the product is
 * built for (1.1.1, 1.1.3, 1.2.2, 1.2.3, 1.3.1–1.3.5), every element a section of the pack declares (the export
 * tables' `cseElements`, app/services/export-tables.server.ts), and every element the survey's templates cover
 * (the published metadata's `cseElements`, survey-templates/*\/meta.ts). A template element no section declares
 * is evidenced by the survey's own questions, so it points at the satisfaction tables and the questions used;
 * an element with nothing behind it says so rather than pointing anywhere.
 */

export const CORE_ELEMENTS = ['1.1.1', '1.1.3', '1.2.2', '1.2.3', '1.3.1', '1.3.2', '1.3.3', '1.3.4', '1.3.5']

/** Where the survey's own questions are reported: the sections a template-only element points at. */
const QUESTION_SECTIONS = ['satisfaction-overall', 'methods']

export interface CseMapEntry {
  element: string
  sections: Array<{ id: string; title: string }>
  /** why the element points where it does, when not declared by a section */
  note: string | null
}

/** "1.3.10" after "1.3.2": compares element numbers part by part. */
function byElement(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1)
    if (d !== 0) return d
  }
  return 0
}

export function cseMap(ctx: ExportContext, sections: PdfSection[]): CseMapEntry[] {
  const fromTemplates = new Set(ctx.metadata.cseElements)
  const elements = new Set([...CORE_ELEMENTS, ...fromTemplates, ...sections.flatMap((s) => s.cseElements)])
  return [...elements].sort(byElement).map((element) => {
    const declared = sections.filter((s) => s.cseElements.includes(element))
    if (declared.length > 0)
      return { element, sections: declared.map((s) => ({ id: s.id, title: s.title })), note: null }
    if (fromTemplates.has(element)) {
      const questions = sections.filter((s) => QUESTION_SECTIONS.includes(s.id))
      return {
        element,
        sections: questions.map((s) => ({ id: s.id, title: s.title })),
        note: "Covered by the survey's template: its questions are reported in",
      }
    }
    return { element, sections: [], note: 'Not evidenced by this survey.' }
  })
}

export function cseMapSection(entries: () => CseMapEntry[]): PdfSection {
  return {
    id: 'cse-map',
    title: 'Where each CSE element is evidenced',
    cseElements: [],
    render(out, pages) {
      out.heading('cse-map', 'Where each CSE element is evidenced', 2)
      out.paragraph(
        "Each Customer Service Excellence element this pack speaks to, with the sections of this document that evidence it and the page each starts on. The elements are those of customer insight (criterion 1) and those the survey's templates cover.",
      )
      out.table({
        caption: 'CSE elements and the pages that evidence them',
        header: ['CSE element', 'Evidenced in (section: page)'],
        rows: entries().map((e) => [
          e.element,
          [e.note, ...e.sections.map((s) => `${s.title}: page ${pages(s.id)}`)].filter(Boolean).join('\n'),
        ]),
        widths: [1, 6],
      })
    },
  }
}
