import { useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react'
import { ApiError, isNotFound, isUnauthorized } from '../../api/client'
import type { ModuleSpec } from '../../api/types'
import type { Resource } from '../../api/useApiResource'
import { setModuleDragData } from '../canvas/dragData'
import { categoryTone } from './categoryTone'
import { filterModules, groupModulesByCategory, sectionGroups } from './groupModules'
import { ModuleIcon } from './ModuleIcon'
import './palette.css'

export interface PaletteProps {
  catalogue: Resource<ModuleSpec[]> & { reload: () => void }
  /** Adds a module to the canvas without dragging (double-click or Enter on an entry). */
  onAddModule?: (module: ModuleSpec) => void
}

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

function PaletteNotice({ title, text, action }: { title: string; text: string; action?: ReactNode }) {
  return (
    <div className="palette-notice" role="status">
      <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" className="palette-notice-icon">
        <rect x="3" y="4" width="8" height="7" rx="2" />
        <rect x="13" y="4" width="8" height="7" rx="2" />
        <rect x="3" y="13" width="8" height="7" rx="2" />
        <rect x="13" y="13" width="8" height="7" rx="2" strokeDasharray="2 2" />
      </svg>
      <p className="palette-notice-title">{title}</p>
      <p className="palette-notice-text">{text}</p>
      {action}
    </div>
  )
}

function CatalogueProblem({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  if (isNotFound(error)) {
    return (
      <PaletteNotice
        title="No module catalogue yet"
        text="This server does not publish its modules yet. They will be listed here as soon as it does."
      />
    )
  }
  if (isUnauthorized(error)) {
    return <PaletteNotice title="Sign in to see modules" text="The module catalogue is available to signed-in users." />
  }
  const reason = error instanceof ApiError && error.status > 0 ? ` (${error.message})` : ''
  return (
    <PaletteNotice
      title="Modules could not be loaded"
      text={`The server did not answer as expected${reason}.`}
      action={
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Try again
        </button>
      }
    />
  )
}

function ChevronIcon({ open }: { open: boolean }) {
  return (
    <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true" className={`chevron${open ? ' is-open' : ''}`}>
      <path d="M6 4l4 4-4 4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  )
}

export function Palette({ catalogue, onAddModule }: PaletteProps) {
  const [query, setQuery] = useState('')
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const searchRef = useRef<HTMLInputElement>(null)

  // "/" focuses the search box from anywhere on the page.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTypingTarget(event.target)) {
        event.preventDefault()
        searchRef.current?.focus()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const modules = catalogue.state === 'ready' && Array.isArray(catalogue.data) ? catalogue.data : []
  const sections = useMemo(
    () => sectionGroups(groupModulesByCategory(filterModules(modules, query))),
    [modules, query],
  )
  const searching = query.trim().length > 0

  const toggle = (category: string) =>
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (next.has(category)) next.delete(category)
      else next.add(category)
      return next
    })

  const onDragStart = (event: DragEvent, module: ModuleSpec) => setModuleDragData(event.dataTransfer, module.id)

  let body: ReactNode
  if (catalogue.state === 'loading') {
    body = (
      <div className="palette-loading" aria-busy="true" aria-label="Loading modules">
        {[72, 58, 84, 64, 76, 52].map((width, index) => (
          <span key={index} className="skeleton" style={{ width: `${width}%` }} />
        ))}
      </div>
    )
  } else if (catalogue.state === 'error') {
    body = <CatalogueProblem error={catalogue.error} onRetry={catalogue.reload} />
  } else if (modules.length === 0) {
    body = <PaletteNotice title="No modules installed" text="The server's module catalogue is empty." />
  } else if (sections.length === 0) {
    body = <PaletteNotice title="Nothing found" text={`No module matches “${query.trim()}”.`} />
  } else {
    body = sections.map((section) => (
      <section key={section.title} className="palette-section" aria-label={section.title}>
        <h3 className="palette-section-title">{section.title}</h3>
        {section.groups.map((group) => {
          const open = searching || group.label === null || !collapsed.has(group.category)
          return (
            <div key={group.category} className="palette-group" data-category={group.category}>
              {group.label !== null ? (
                <button
                  type="button"
                  className="palette-group-header"
                  aria-expanded={open}
                  onClick={() => toggle(group.category)}
                  title={group.category}
                >
                  <ChevronIcon open={open} />
                  <span className="palette-group-label">{group.label}</span>
                  <span className="palette-group-count">{group.modules.length}</span>
                </button>
              ) : null}
              {open ? (
                <ul className={`palette-list${group.label === null ? ' is-flat' : ''}`} role="list">
                  {group.modules.map((module) => (
                    <li
                      key={module.id}
                      className={`palette-item tone-${categoryTone(module.category)}`}
                      data-testid={`palette-item-${module.id}`}
                      draggable
                      tabIndex={0}
                      title={module.description || module.name}
                      onDragStart={(event) => onDragStart(event, module)}
                      onDoubleClick={() => onAddModule?.(module)}
                      onKeyDown={(event) => {
                        if (event.key === 'Enter') onAddModule?.(module)
                      }}
                    >
                      <ModuleIcon tone={categoryTone(module.category)} />
                      <span className="palette-item-name">{module.name}</span>
                      <svg className="palette-item-grip" viewBox="0 0 8 14" width="8" height="14" aria-hidden="true">
                        {[2, 7, 12].flatMap((y) => [
                          <circle key={`a${y}`} cx="2" cy={y} r="1.1" />,
                          <circle key={`b${y}`} cx="6" cy={y} r="1.1" />,
                        ])}
                      </svg>
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          )
        })}
      </section>
    ))
  }

  return (
    <aside className="panel palette" aria-label="Module palette">
      <div className="panel-header">
        <h2 className="panel-title">Modules</h2>
        {modules.length > 0 ? <span className="panel-badge">{modules.length}</span> : null}
      </div>
      <div className="palette-search">
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" className="palette-search-icon">
          <circle cx="7" cy="7" r="4.8" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M10.6 10.6L14 14" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
        </svg>
        <input
          ref={searchRef}
          type="search"
          placeholder="Search modules"
          aria-label="Search modules"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Escape') {
              setQuery('')
              event.currentTarget.blur()
            }
          }}
        />
        {query ? null : <kbd className="palette-search-hint" aria-hidden="true">/</kbd>}
      </div>
      <div className="palette-body">{body}</div>
    </aside>
  )
}
