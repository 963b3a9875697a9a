import { bilingual } from './catalogue.ts'

/**
 * The error pages (app/components/error-boundary.tsx). Respondents see them in the survey's language; staff
 * see the English ones, with the server's own explanation where it gives one.
 */
export const errorText = bilingual(
  'errors',
  {
    title400: 'Something in the request was not right',
    body400: 'Please go back and try again.',
    title403: 'You do not have access to this page',
    body403: 'Ask an administrator of your organisation for access.',
    title404: 'Page not found',
    body404: 'Check the web address, or go back to the page you came from.',
    title410: 'This survey is closed',
    body410: 'Thank you for your interest. It is no longer taking answers.',
    title429: 'Sorry, there have been too many requests',
    body429: 'Please wait a minute and try again. Nothing you sent was lost.',
    title500: 'Sorry, there is a problem with the service',
    body500: 'Please try again later.',
    title503: 'Sorry, the service is busy',
    body503: 'Please try again in a minute. Nothing you sent was lost.',
    home: 'Go to the home page',
  },
  {
    title400: "Roedd rhywbeth o'i le yn y cais",
    body400: 'Ewch yn ôl a rhowch gynnig arall arni.',
    title403: "Nid oes gennych fynediad i'r dudalen hon",
    body403: 'Gofynnwch i weinyddwr eich sefydliad am fynediad.',
    title404: "Heb ddod o hyd i'r dudalen",
    body404: "Gwiriwch y cyfeiriad gwe, neu ewch yn ôl i'r dudalen y daethoch ohoni.",
    title410: "Mae'r arolwg hwn wedi cau",
    body410: "Diolch am eich diddordeb. Nid yw'n derbyn atebion mwyach.",
    title429: "Mae'n ddrwg gennym, bu gormod o geisiadau",
    body429: "Arhoswch funud a rhowch gynnig arall arni. Ni chollwyd dim o'r hyn a anfonwyd gennych.",
    title500: "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth",
    body500: 'Rhowch gynnig arall arni yn nes ymlaen.',
    title503: "Mae'n ddrwg gennym, mae'r gwasanaeth yn brysur",
    body503: "Rhowch gynnig arall arni ymhen munud. Ni chollwyd dim o'r hyn a anfonwyd gennych.",
    home: "Ewch i'r hafan",
  },
)
