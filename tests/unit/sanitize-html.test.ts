import { describe, expect, it } from 'vitest'
import { requireTemplate } from '#templates/index.ts'
import {
  sanitizeAuthoredHtml,
  sanitizeDefinition,
  sanitizePlainText,
} from '#app/utils/sanitize-html.server.ts'

// Payloads from the usual XSS cheat sheets: every one must come out with nothing that can run.
const XSS_CORPUS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;avascript:alert(1)">click</a>',
  '<a href="java\tscript:alert(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<a href="vbscript:msgbox(1)">x</a>',
  '<p onclick="alert(1)" onmouseover="alert(1)">hover</p>',
  '<p style="background:url(javascript:alert(1))">styled</p>',
  '<style>body{background:url("javascript:alert(1)")}</style>',
  '<body onload=alert(1)>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<input autofocus onfocus=alert(1)>',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '"><script>alert(1)</script>',
  '<a href="https://ok.example" onclick="alert(1)" style="x" target="_blank">ok</a>',
  '<h1 onclick=alert(1)>big</h1><h5>five</h5>',
  '<template><img src=x onerror=alert(1)></template>',
]

/** Anything in the output that a browser would execute or that loads content. */
function dangerous(html: string): string[] {
  const found: string[] = []
  if (
    /<\s*(script|style|iframe|object|embed|svg|math|img|input|form|meta|base|body|details|template|button)\b/i.test(
      html,
    )
  )
    found.push('tag')
  if (/\son[a-z]+\s*=/i.test(html)) found.push('event handler')
  if (/\sstyle\s*=/i.test(html)) found.push('style attribute')
  for (const m of html.matchAll(/href\s*=\s*"([^"]*)"/gi))
    if (!/^(https?:|mailto:)/i.test(m[1]!)) found.push(`href ${m[1]}`)
  return found
}

describe('sanitizeAuthoredHtml', () => {
  it.each(XSS_CORPUS)('neutralises %s', (payload) => {
    const out = sanitizeAuthoredHtml(payload)
    expect(dangerous(out)).toEqual([])
    // Also safe when parsed a second time (sanitising twice must not reassemble a payload).
    expect(dangerous(sanitizeAuthoredHtml(out))).toEqual([])
  })

  it('keeps the allow-listed markup an author needs', () => {
    const html =
      '<h2>Thank you</h2><p>Your answers <strong>help</strong> us <em>improve</em>.<br />More:</p><ul><li>one</li></ul><ol><li>two</li></ol><h3>a</h3><h4>b</h4><p><a href="https://council.example/privacy">Privacy</a> or <a href="mailto:insight@council.example">email us</a></p>'
    expect(sanitizeAuthoredHtml(html)).toBe(html)
  })

  it('drops attributes other than href, and links with other schemes lose their href', () => {
    expect(
      sanitizeAuthoredHtml(
        '<a href="https://ok.example" onclick="alert(1)" style="x" target="_blank">ok</a>',
      ),
    ).toBe('<a href="https://ok.example">ok</a>')
    expect(sanitizeAuthoredHtml('<a href="javascript:alert(1)">click</a>')).toBe('<a>click</a>')
    expect(sanitizeAuthoredHtml('<a href="//evil.example">x</a>')).toBe('<a>x</a>')
  })

  it('removes script content entirely rather than showing it', () => {
    expect(sanitizeAuthoredHtml('<p>Hi</p><script>alert("x")</script>')).toBe('<p>Hi</p>')
    expect(sanitizeAuthoredHtml('<h1>Big</h1><div>in a div</div>')).toBe('Bigin a div')
  })
})

describe('sanitizePlainText', () => {
  it.each(XSS_CORPUS)('leaves no markup from %s', (payload) => {
    const out = sanitizePlainText(payload)
    // Whatever is left is shown as text; re-sanitising it (as the respondent page does) leaves no tags at all.
    expect(sanitizeAuthoredHtml(sanitizePlainText(out))).not.toMatch(/<\s*[a-z]/i)
    expect(dangerous(out)).toEqual([])
  })

  it('keeps ordinary punctuation as characters, not entities', () => {
    expect(sanitizePlainText('Bins & recycling: "good" or <b>bad</b>?')).toBe(
      'Bins & recycling: "good" or bad?',
    )
    expect(sanitizePlainText("Don't know / 5 > 4")).toBe("Don't know / 5 > 4")
  })

  it('is stable when applied twice', () => {
    for (const s of ['Tom & Jerry', 'a < b', 'Dywedwch wrthym beth yw eich barn']) {
      expect(sanitizePlainText(sanitizePlainText(s))).toBe(sanitizePlainText(s))
    }
  })
})

describe('sanitizeDefinition', () => {
  it('cleans titles, descriptions, choice labels and completion HTML in every locale, and keeps names and values', () => {
    const definition = {
      title: { default: 'Survey <img src=x onerror=alert(1)>', cy: '<script>alert(2)</script>Arolwg' },
      description: '<b>Intro</b>',
      completedHtml: { default: '<p onclick="x()">Thanks</p><script>steal()</script>', cy: '<p>Diolch</p>' },
      navigateToUrl: 'javascript:alert(1)',
      navigateToUrlOnCondition: [{ expression: 'true', url: 'javascript:alert(1)' }],
      privacyNotice: { default: 'We keep <iframe src=x></iframe>answers' },
      pages: [
        {
          name: 'p1',
          title: '<svg onload=alert(1)></svg>Page',
          elements: [
            {
              type: 'radiogroup',
              name: 'q1',
              title: { default: '"><script>alert(1)</script>Question' },
              choices: [{ value: 'a', text: { default: '<img src=x onerror=alert(1)>A', cy: 'A' } }, 'b', 3],
              visibleIf: "{x} = 'y'",
            },
            { type: 'html', name: 'h', html: '<a href="javascript:alert(1)">x</a><p>ok</p>' },
          ],
        },
      ],
    }
    const clean = sanitizeDefinition(definition)
    expect(clean.title).toEqual({ default: 'Survey', cy: 'Arolwg' })
    expect(clean.description).toBe('Intro')
    expect(clean.completedHtml).toEqual({ default: '<p>Thanks</p>', cy: '<p>Diolch</p>' })
    expect(clean).not.toHaveProperty('navigateToUrl')
    expect(clean).not.toHaveProperty('navigateToUrlOnCondition')
    expect(clean.privacyNotice).toEqual({ default: 'We keep answers' })
    const page = clean.pages[0]!
    expect(page.title).toBe('Page')
    expect(page.elements[0]!.title).toEqual({ default: '">Question' })
    expect(page.elements[0]!.choices).toEqual([{ value: 'a', text: { default: 'A', cy: 'A' } }, 'b', 3])
    expect(page.elements[0]!.visibleIf).toBe("{x} = 'y'")
    expect(page.elements[1]!.html).toBe('<a>x</a><p>ok</p>')
    // The input is not modified.
    expect(definition.title.default).toContain('onerror')
  })

  it('leaves every template unchanged: our own wording needs no cleaning', () => {
    for (const id of ['core-satisfaction', 'equality-monitoring', 'after-contact']) {
      const { definition } = requireTemplate(id)
      expect(sanitizeDefinition(definition)).toEqual(definition)
    }
  })
})

describe('sanitizePlainText never stores markup, even entity-encoded', () => {
  it.each([
    '&lt;img src=x onerror=alert(1)&gt;',
    '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;',
    '&amp;amp;lt;svg onload=alert(1)&amp;amp;gt;',
    'Residents <img src=x onerror="window.__xss=1"> &lt;img src=x onerror=window.__xss=2&gt;',
  ])('%s', (payload) => {
    const out = sanitizePlainText(payload)
    expect(out).not.toMatch(/onerror|onload|<\s*[a-z]/i)
  })
})
