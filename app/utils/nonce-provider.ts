import * as React from 'react'

/** The CSP nonce of this response, for every inline script Remix renders. From the Epic Stack. */
export const NonceContext = React.createContext<string>('')
export const NonceProvider = NonceContext.Provider
export const useNonce = () => React.useContext(NonceContext)
