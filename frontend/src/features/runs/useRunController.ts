import { useCallback, useEffect, useRef, useState } from 'react'
import { getRun, runEventsUrl } from '../../api/endpoints'
import type { Run } from '../../api/types'
import { applyRunEvent, isFinal, runView, type RunEvent, type RunView } from './runState'

const POLL_MS = 1000

/**
 * Follows one run: the Server-Sent Events stream while it goes on (per-node status, progress,
 * durations, errors), falling back to polling if the stream breaks. `follow(run)` switches runs.
 */
export function useRunFollower(onFinished?: (run: RunView) => void) {
  const [run, setRun] = useState<RunView | null>(null)
  const onFinishedRef = useRef(onFinished)
  onFinishedRef.current = onFinished
  const cleanup = useRef<() => void>(() => {})

  const stop = useCallback(() => {
    cleanup.current()
    cleanup.current = () => {}
  }, [])

  const follow = useCallback(
    (initial: Run | null) => {
      stop()
      if (!initial) {
        setRun(null)
        return
      }
      let view = runView(initial)
      setRun(view)
      if (isFinal(initial.status)) return
      let closed = false
      let source: EventSource | null = null
      let timer: ReturnType<typeof setTimeout> | undefined

      const finish = async () => {
        if (closed) return
        closed = true
        source?.close()
        // The final state with every duration and output, from the run itself.
        try {
          const latest = await getRun(initial.id)
          view = runView(latest)
          setRun(view)
        } catch {
          /* keep what the stream said */
        }
        onFinishedRef.current?.(view)
      }

      const poll = async () => {
        if (closed) return
        try {
          const latest = await getRun(initial.id)
          if (closed) return
          view = runView(latest)
          setRun(view)
          if (isFinal(latest.status)) {
            closed = true
            onFinishedRef.current?.(view)
            return
          }
        } catch {
          /* try again */
        }
        timer = setTimeout(poll, POLL_MS)
      }

      const onEvent = (message: MessageEvent) => {
        let event: RunEvent
        try {
          event = JSON.parse(message.data) as RunEvent
        } catch {
          return
        }
        view = applyRunEvent(view, event)
        setRun(view)
        if ((event.type === 'run' && (event.final || isFinal(event.status))) || (event.type === 'snapshot' && isFinal(event.status))) {
          void finish()
        }
      }

      if (typeof EventSource === 'undefined') {
        void poll()
      } else {
        source = new EventSource(runEventsUrl(initial.id), { withCredentials: true })
        source.addEventListener('node', onEvent as EventListener)
        source.addEventListener('run', onEvent as EventListener)
        source.addEventListener('snapshot', onEvent as EventListener)
        source.onmessage = onEvent
        source.onerror = () => {
          if (closed) return
          // The stream broke (server restart, proxy): poll the run until it ends.
          source?.close()
          source = null
          void poll()
        }
      }
      cleanup.current = () => {
        closed = true
        source?.close()
        if (timer) clearTimeout(timer)
      }
    },
    [stop],
  )

  useEffect(() => stop, [stop])

  return { run, follow, setRun }
}
