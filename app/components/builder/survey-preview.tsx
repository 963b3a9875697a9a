import { useMemo } from 'react'
import { Model } from 'survey-core'
import { Survey } from 'survey-react-ui'

export interface SurveyPreviewProps {
  definition: Record<string, unknown>
  lang: string
}

/**
 * The draft rendered by survey-react-ui exactly as respondents will see it. Loaded only in the browser. Nothing
 * is sent anywhere: completing the preview just shows the completion text.
 */
export function SurveyPreview({ definition, lang }: SurveyPreviewProps) {
  const model = useMemo(() => {
    const m = new Model(definition)
    m.locale = lang === 'en' ? '' : lang
    m.completeText = lang === 'cy' ? 'Anfon fy atebion' : 'Send my answers'
    return m
  }, [definition, lang])
  return (
    <div className="survey-js-host" data-testid="survey-preview">
      <Survey model={model} />
    </div>
  )
}
