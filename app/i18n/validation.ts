import { bilingual } from './catalogue.ts'

/**
 * Messages of app/services/validate-answers.server.ts. `q` is the question's title, quoted, in the page's
 * language. The JSON API keeps the English ones unless the request asks for Welsh (`?lang=cy`, or
 * Accept-Language preferring `cy`: app/routes/api.v1.surveys.$slug.server.ts).
 */
export const validationText = bilingual(
  'validation',
  {
    answersNotObject: 'answers must be an object of question name to answer',
    segmentsNotObject: 'segments must be an object of parameter to value',
    unknownQuestion: (name: string) => `There is no question called "${name}" in this survey`,
    required: (q: string) => `Answer ${q}`,
    oneFromList: (q: string) => `${q} needs one answer from the list`,
    notOffered: (q: string, value: string) => `${q}: "${value}" is not one of the answers offered`,
    needsList: (q: string) => `${q} needs a list of answers`,
    tickedTwice: (q: string) => `${q}: an answer is ticked twice`,
    noneWithOthers: (q: string) => `${q}: "None" cannot be combined with other answers`,
    yesOrNo: (q: string) => `${q} needs yes or no`,
    number: (q: string) => `${q} needs a number`,
    atLeast: (q: string, min: number) => `${q} must be at least ${min}`,
    atMost: (q: string, max: number) => `${q} must be at most ${max}`,
    text: (q: string) => `${q} needs text`,
    tooLong: (q: string, max: number) => `${q} is too long: keep it under ${max} characters`,
    badCharacters: (q: string) => `${q} contains characters that cannot be stored`,
    unknownSegment: (param: string) => `"${param}" is not a segment this survey accepts`,
    badSegment: (value: string, label: string) => `"${value}" is not an allowed value for ${label}`,
    blank: 'You have not answered any questions. Answer at least one question before you send your response.',
    /** The JSON API's summary of a 422. */
    invalidAnswers: 'Some answers are not valid.',
  },
  {
    answersNotObject: "rhaid i answers fod yn wrthrych o enw cwestiwn i ateb",
    segmentsNotObject: "rhaid i segments fod yn wrthrych o baramedr i werth",
    unknownQuestion: (name: string) => `Nid oes cwestiwn o'r enw "${name}" yn yr arolwg hwn`,
    required: (q: string) => `Atebwch ${q}`,
    oneFromList: (q: string) => `Mae angen un ateb o'r rhestr ar gyfer ${q}`,
    notOffered: (q: string, value: string) => `${q}: nid yw "${value}" yn un o'r atebion a gynigir`,
    needsList: (q: string) => `Mae angen rhestr o atebion ar gyfer ${q}`,
    tickedTwice: (q: string) => `${q}: mae ateb wedi'i dicio ddwywaith`,
    noneWithOthers: (q: string) => `${q}: ni ellir cyfuno "Dim" ag atebion eraill`,
    yesOrNo: (q: string) => `Mae angen ateb ydw neu nac ydw ar gyfer ${q}`,
    number: (q: string) => `Mae angen rhif ar gyfer ${q}`,
    atLeast: (q: string, min: number) => `Rhaid i ${q} fod yn ${min} o leiaf`,
    atMost: (q: string, max: number) => `Rhaid i ${q} fod yn ${max} ar y mwyaf`,
    text: (q: string) => `Mae angen testun ar gyfer ${q}`,
    tooLong: (q: string, max: number) => `Mae ${q} yn rhy hir: cadwch ef o dan ${max} nod`,
    badCharacters: (q: string) => `Mae ${q} yn cynnwys nodau na ellir eu cadw`,
    unknownSegment: (param: string) => `Nid yw "${param}" yn segment y mae'r arolwg hwn yn ei dderbyn`,
    badSegment: (value: string, label: string) => `Nid yw "${value}" yn werth a ganiateir ar gyfer ${label}`,
    blank: "Nid ydych wedi ateb unrhyw gwestiynau. Atebwch o leiaf un cwestiwn cyn anfon eich ymateb.",
    invalidAnswers: "Nid yw rhai atebion yn ddilys.",
  },
)
