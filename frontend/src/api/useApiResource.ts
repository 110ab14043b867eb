import { useCallback, useEffect, useState } from 'react'

export type Resource<T> =
  | { state: 'loading'; data?: undefined; error?: undefined }
  | { state: 'ready'; data: T; error?: undefined }
  | { state: 'error'; data?: undefined; error: unknown }

/**
 * Loads one API resource when the component mounts (and again on `reload`, or every
 * `refreshMs` milliseconds when given). Aborts the request when the component unmounts.
 */
export function useApiResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  options: { refreshMs?: number } = {},
): Resource<T> & { reload: () => void } {
  const [resource, setResource] = useState<Resource<T>>({ state: 'loading' })
  const [generation, setGeneration] = useState(0)
  const reload = useCallback(() => setGeneration((g) => g + 1), [])
  const { refreshMs } = options

  useEffect(() => {
    const controller = new AbortController()
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResource({ state: 'ready', data })
      },
      (error: unknown) => {
        if (!controller.signal.aborted) setResource({ state: 'error', error })
      },
    )
    let timer: ReturnType<typeof setTimeout> | undefined
    if (refreshMs) timer = setTimeout(reload, refreshMs)
    return () => {
      controller.abort()
      if (timer) clearTimeout(timer)
    }
    // `load` is expected to be a stable module-level function.
  }, [load, generation, refreshMs, reload])

  return { ...resource, reload }
}
