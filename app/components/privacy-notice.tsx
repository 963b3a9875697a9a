import type { Lang } from '#app/i18n/catalogue.ts'
import { emailMessages } from '#app/i18n/email.ts'
import { privacyText } from '#app/i18n/privacy.ts'
import { ADDRESS_KEEP_DAYS } from '#app/services/invitation-email.ts'

/**
 * The privacy promise shown on every survey (UK GDPR transparency), from the catalogue (app/i18n/privacy.ts;
 * the sentence on e-mail addresses is with the e-mail messages, app/i18n/email.ts).
 */
export function PrivacyNotice({
  lang,
  organisationName,
  retentionDays,
  custom,
}: {
  lang: Lang
  organisationName: string
  retentionDays: number
  /** The survey's own notice from the builder, shown instead of the standard wording. */
  custom?: string | null
}) {
  const text = privacyText[lang]
  const months = Math.round(retentionDays / 30)
  return (
    <aside className="privacy" aria-label={text.label}>
      <h2>{text.heading}</h2>
      {custom ? (
        custom.split(/\n{2,}/).map((paragraph, i) => <p key={i}>{paragraph}</p>)
      ) : (
        <>
          <p>
            {[text.purpose(organisationName), text.noTracking, text.optional, text.keeping(months)].join(' ')}
          </p>
          <p>{emailMessages[lang].privacyAddresses(String(ADDRESS_KEEP_DAYS))}</p>
        </>
      )}
      {/* Ours, not the survey's: shown under a custom notice too (app/services/respondent-lang.server.ts). */}
      <p>{text.languageCookie}</p>
    </aside>
  )
}
