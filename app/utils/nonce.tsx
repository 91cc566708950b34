import { createContext, useContext } from "react";

/** The per-request CSP nonce, given by the server (app/server/security.ts) to every script tag. */
const NonceContext = createContext<string>("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
