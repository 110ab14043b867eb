// The keys of a service in full exist only in the answer that made them (creation, regeneration). They
// travel to the service page in the navigation's state, which the page then clears, so a reload or the
// back button does not show them again.

import type { ServiceWithKeys } from '../../api/services'

export interface ShownKeys {
  primary: string | null
  secondary: string | null
}

interface KeysState {
  newKeys?: ShownKeys
}

export const keysState = (service: ServiceWithKeys): KeysState => ({
  newKeys: { primary: service.primary_key, secondary: service.secondary_key },
})

/** The keys handed over by the page that just made them, if any. */
export function keysFromState(state: unknown): ShownKeys | null {
  const keys = (state as KeysState | null | undefined)?.newKeys
  return keys && (typeof keys.primary === 'string' || typeof keys.secondary === 'string') ? keys : null
}
