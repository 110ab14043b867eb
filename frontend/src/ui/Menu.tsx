import { useEffect, useId, useRef, useState, type ReactNode } from 'react'
import './ui.css'

export interface MenuItem {
  label: string
  onSelect: () => void
  disabled?: boolean
  hint?: string
  danger?: boolean
  icon?: ReactNode
}

export interface MenuProps {
  /** The trigger's accessible name. */
  label: string
  trigger: ReactNode
  items: (MenuItem | 'separator')[]
  align?: 'left' | 'right'
  className?: string
  triggerClassName?: string
  title?: string
}

/** A button that opens a list of actions (role="menu"); arrows move, Enter picks, Escape closes. */
export function Menu({ label, trigger, items, align = 'right', className, triggerClassName = 'btn', title }: MenuProps) {
  const [open, setOpen] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  const menuId = useId()

  useEffect(() => {
    if (!open) return
    const onDown = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false)
    }
    document.addEventListener('mousedown', onDown)
    root.current?.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])')?.focus()
    return () => document.removeEventListener('mousedown', onDown)
  }, [open])

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (!open) return
    const entries = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? [])]
    const index = entries.indexOf(document.activeElement as HTMLElement)
    if (event.key === 'Escape') {
      event.stopPropagation()
      setOpen(false)
    } else if (event.key === 'ArrowDown') {
      event.preventDefault()
      entries[(index + 1) % entries.length]?.focus()
    } else if (event.key === 'ArrowUp') {
      event.preventDefault()
      entries[(index - 1 + entries.length) % entries.length]?.focus()
    }
  }

  return (
    <div ref={root} className={`menu${className ? ` ${className}` : ''}`} onKeyDown={onKeyDown}>
      <button
        type="button"
        className={triggerClassName}
        aria-label={label}
        title={title ?? label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={(event) => {
          event.stopPropagation()
          setOpen((value) => !value)
        }}
      >
        {trigger}
      </button>
      {open ? (
        <div id={menuId} role="menu" aria-label={label} className={`menu-list align-${align}`}>
          {items.map((item, index) =>
            item === 'separator' ? (
              <div key={`sep-${index}`} role="separator" className="menu-separator" />
            ) : (
              <button
                key={item.label}
                type="button"
                role="menuitem"
                className={`menu-item${item.danger ? ' is-danger' : ''}`}
                aria-disabled={item.disabled ? 'true' : undefined}
                tabIndex={-1}
                onClick={(event) => {
                  event.stopPropagation()
                  if (item.disabled) return
                  setOpen(false)
                  item.onSelect()
                }}
              >
                {item.icon ? <span className="menu-item-icon">{item.icon}</span> : null}
                <span className="menu-item-label">{item.label}</span>
                {item.hint ? <span className="menu-item-hint">{item.hint}</span> : null}
              </button>
            ),
          )}
        </div>
      ) : null}
    </div>
  )
}
