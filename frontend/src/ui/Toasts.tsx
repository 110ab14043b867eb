import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react'
import './ui.css'

export type ToastTone = 'info' | 'success' | 'error' | 'warning'

export interface ToastInput {
  tone?: ToastTone
  title: string
  text?: string
  /** Milliseconds; 0 keeps it until dismissed. */
  duration?: number
}

interface ToastItem extends Required<Omit<ToastInput, 'text'>> {
  id: number
  text?: string
}

const ToastContext = createContext<(toast: ToastInput) => void>(() => {})

export const useToast = () => useContext(ToastContext)

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<ToastItem[]>([])
  const nextId = useRef(1)

  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), [])

  const push = useCallback(
    (input: ToastInput) => {
      const id = nextId.current++
      const item: ToastItem = { tone: 'info', duration: input.tone === 'error' ? 8000 : 4000, ...input, id }
      setToasts((list) => [...list.slice(-3), item])
      if (item.duration > 0) setTimeout(() => dismiss(id), item.duration)
    },
    [dismiss],
  )

  const value = useMemo(() => push, [push])
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((toast) => (
          <div key={toast.id} className={`toast tone-${toast.tone}`} data-testid="toast">
            <span className="toast-icon" aria-hidden="true" />
            <div className="toast-content">
              <p className="toast-title">{toast.title}</p>
              {toast.text ? <p className="toast-text">{toast.text}</p> : null}
            </div>
            <button type="button" className="icon-btn toast-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)}>
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
                <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
              </svg>
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  )
}
