declare module '@remix-run/node' {
  interface AppLoadContext {
    /** Per-response CSP nonce set by the production server (server/start.ts); empty in development. */
    cspNonce?: string
    /** Keyed hash of the client's address, for rate limits only: held in memory, never stored or logged. */
    clientKey?: string
  }
}
export {}
