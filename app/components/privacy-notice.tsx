/** The privacy promise shown on every survey (UK GDPR transparency). */
export function PrivacyNotice({
  lang,
  organisationName,
  retentionDays,
  custom,
}: {
  lang: 'en' | 'cy'
  organisationName: string
  retentionDays: number
  /** The survey's own notice from the builder, shown instead of the standard wording. */
  custom?: string | null
}) {
  const months = Math.round(retentionDays / 30)
  if (custom) {
    return (
      <aside className="privacy" aria-label={lang === 'cy' ? 'Hysbysiad preifatrwydd' : 'Privacy notice'}>
        <h2>{lang === 'cy' ? 'Eich preifatrwydd' : 'Your privacy'}</h2>
        {custom.split(/\n{2,}/).map((paragraph, i) => (
          <p key={i}>{paragraph}</p>
        ))}
      </aside>
    )
  }
  if (lang === 'cy') {
    return (
      <aside className="privacy" aria-label="Hysbysiad preifatrwydd">
        <h2>Eich preifatrwydd</h2>
        <p>
          Mae {organisationName} yn defnyddio eich atebion i wella ei wasanaethau. Nid ydym yn cadw eich
          cyfeiriad IP na manylion eich dyfais gyda'ch atebion. Mae pob cwestiwn am amdanoch chi yn ddewisol.
          Rydym yn cadw atebion am tua {months} mis, ac yna'n eu dileu.
        </p>
      </aside>
    )
  }
  return (
    <aside className="privacy" aria-label="Privacy notice">
      <h2>Your privacy</h2>
      <p>
        {organisationName} uses your answers to improve its services. We do not keep your IP address or
        details of your device with your answers. Every question about you is optional. We keep answers for
        about {months} months, then delete them.
      </p>
    </aside>
  )
}
