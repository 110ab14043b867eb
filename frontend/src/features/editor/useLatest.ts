import { useRef } from 'react'

/**
 * A ref holding the value of the latest render, for handlers that outlive a render (window listeners,
 * work that awaits): they read what is current when they run, and need not be re-created for it.
 */
export function useLatest<T>(value: T) {
  const ref = useRef(value)
  ref.current = value
  return ref
}
