/**
 * A coarse summary of a User-Agent header for the sessions page, such as "Firefox on Windows": enough for a
 * person to recognise their own devices, too little to fingerprint them. The full string is never stored.
 */
export function summariseUserAgent(header: string | null | undefined): string {
  const ua = (header ?? '').slice(0, 512)
  if (ua === '') return 'Unknown browser'
  const browser = /Edg(e|A|iOS)?\//.test(ua)
    ? 'Edge'
    : /OPR\/|Opera/.test(ua)
      ? 'Opera'
      : /Firefox\/|FxiOS\//.test(ua)
        ? 'Firefox'
        : /Chrome\/|CriOS\/|Chromium\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua)
            ? 'Safari'
            : 'Other browser'
  const os = /iPhone|iPad|iPod/.test(ua)
    ? 'iOS'
    : /Android/.test(ua)
      ? 'Android'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(ua)
          ? 'macOS'
          : /CrOS/.test(ua)
            ? 'ChromeOS'
            : /Linux/.test(ua)
              ? 'Linux'
              : null
  return os ? `${browser} on ${os}` : browser
}
