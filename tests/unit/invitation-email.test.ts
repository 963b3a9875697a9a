import { describe, expect, it } from 'vitest'
import { MAX_RECIPIENTS_PER_BATCH, parseAddressList } from '#app/services/invitation-addresses.ts'
import { composeInvitationEmail } from '#app/services/invitation-email.ts'

describe('the address list (app/services/invitation-addresses.ts)', () => {
  it('reads pasted lines, drops repeats whatever their case, and keeps the chosen language', () => {
    expect(parseAddressList('\uFEFFa@example.org\r\n\r\n  b@example.org  \nA@EXAMPLE.ORG\n', 'cy')).toEqual({
      ok: true,
      recipients: [
        { email: 'a@example.org', language: 'cy' },
        { email: 'b@example.org', language: 'cy' },
      ],
      duplicates: 1,
    })
  })

  it('reads a CSV with its own columns in any order, and language words in English or Welsh', () => {
    const csv = 'Name,Language,E-mail address\r\nAnn,English,ann@example.org\r\nDewi,Cymraeg,dewi@example.org\r\nCai,,cai@example.org\r\n'
    const result = parseAddressList(csv, 'en')
    expect(result).toMatchObject({ ok: true, duplicates: 0 })
    expect(result.ok && result.recipients.map((r) => `${r.email}:${r.language}`)).toEqual(['ann@example.org:en', 'dewi@example.org:cy', 'cai@example.org:en'])
  })

  it('names each bad line, and lists at most 20 of them', () => {
    const result = parseAddressList(Array.from({ length: 25 }, (_, i) => `bad${i}`).join('\n'), 'en')
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems).toHaveLength(21)
    expect(result.problems[0]).toBe('Line 1: “bad0” is not an e-mail address.')
    expect(result.problems[20]).toBe('…and 5 more lines like these.')
  })

  it('refuses an empty list and one over the limit', () => {
    expect(parseAddressList('\n \n', 'en')).toEqual({ ok: false, problems: ['There are no e-mail addresses in the list.'] })
    const many = Array.from({ length: MAX_RECIPIENTS_PER_BATCH + 1 }, (_, i) => `p${i}@example.org`).join('\n')
    expect(parseAddressList(many, 'en').ok).toBe(false)
  })
})

describe('the message (app/services/invitation-email.ts)', () => {
  const input = {
    kind: 'invitation' as const,
    organisationName: 'Tom & Jerry <script>alert(1)</script>\r\nBorough',
    link: 'https://insight.example.gov.uk/s/demo?invitation=abc&lang=cy',
    optOutUrl: 'https://insight.example.gov.uk/s/demo/opt-out?invitation=abc&lang=cy',
    closesAt: new Date('2026-12-31T12:00:00Z'),
  }

  it('escapes every value in the HTML and keeps names on one line', () => {
    const mail = composeInvitationEmail({ ...input, lang: 'en' })
    expect(mail.html).not.toContain('<script>')
    expect(mail.html).toContain('Tom &amp; Jerry &lt;script&gt;')
    expect(mail.html).toContain('href="https://insight.example.gov.uk/s/demo?invitation=abc&amp;lang=cy"')
    expect(mail.subject).toBe('Tom & Jerry <script>alert(1)</script> Borough would like your views')
    expect(mail.text).toContain('The survey closes on 31 December 2026.')
    expect(mail.text).toContain(input.link)
  })

  it('writes the reminder in Welsh with a Welsh date', () => {
    const mail = composeInvitationEmail({ ...input, kind: 'reminder', lang: 'cy', organisationName: 'Cyngor Sir Ynys Môn' })
    expect(mail.subject).toBe('Nodyn atgoffa: hoffai Cyngor Sir Ynys Môn gael eich barn')
    expect(mail.text).toContain('Mae’r arolwg yn cau ar 31 Rhagfyr 2026.')
    expect(mail.html).toContain('<html lang="cy">')
  })
})
