import { useEffect, useMemo, useRef, useState, type DragEvent, type ReactNode } from 'react'
import { Link } from 'react-router'
import { ApiError, isNotFound, isUnauthorized } from '../../api/client'
import type { SavedModel } from '../../api/models'
import type { Dataset, ModuleSpec } from '../../api/types'
import type { Resource } from '../../api/useApiResource'
import { Icon } from '../../ui/icons'
import { formatBytes } from '../../ui/time'
import { setDatasetDragData, setModuleDragData } from '../canvas/dragData'
import { categoryTone } from './categoryTone'
import { categoryPath, filterModules, groupModulesByCategory, sectionGroups } from './groupModules'
import { ModuleIcon } from './ModuleIcon'
import { matchesModel, PaletteModelGroups } from './PaletteModels'
import { ChevronIcon, Grip } from './PaletteParts'
import { findTrainedModelModule } from './sourceModules'
import type { UploadItem } from './useUploads'
import './palette.css'

export const DATASETS_CATEGORY = 'Saved Datasets'

export interface PaletteProps {
  catalogue: Resource<ModuleSpec[]> & { reload: () => void }
  datasets?: Resource<Dataset[]> & { reload: () => void }
  /** The saved models listed under the trained model module's section (own and shared). */
  models?: Resource<SavedModel[]>
  uploads?: UploadItem[]
  onUploadFiles?: (files: File[]) => void
  onDismissUpload?: (key: number) => void
  onDeleteDataset?: (dataset: Dataset) => void
  /** Adds a module to the canvas without dragging (double-click or Enter on an entry). */
  onAddModule?: (module: ModuleSpec) => void
  onAddDataset?: (dataset: Dataset) => void
  onAddModel?: (model: SavedModel) => void
  /** Read-only (viewing a past run): entries cannot be dragged. */
  disabled?: boolean
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

function matchesDataset(dataset: Dataset, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const haystack = `${dataset.name} ${dataset.description ?? ''} dataset`.toLowerCase()
  return words.every((word) => haystack.includes(word))
}

function datasetSummary(dataset: Dataset): string {
  return `${dataset.n_rows.toLocaleString('en')} rows × ${dataset.n_columns} columns · ${formatBytes(dataset.size_bytes)}`
}

export function Palette({
  catalogue,
  datasets,
  uploads = [],
  onUploadFiles,
  onDismissUpload,
  onDeleteDataset,
  onAddModule,
  onAddDataset,
  models,
  onAddModel,
  disabled = false,
}: PaletteProps) {
  const [query, setQuery] = useState('')
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set())
  const searchRef = useRef<HTMLInputElement>(null)
  const fileRef = useRef<HTMLInputElement>(null)

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

  const catalogueData = catalogue.data
  const modules = useMemo(() => (Array.isArray(catalogueData) ? catalogueData : []), [catalogueData])
  const sections = useMemo(() => sectionGroups(groupModulesByCategory(filterModules(modules, query))), [modules, query])
  const searching = query.trim().length > 0
  const allDatasets = datasets?.state === 'ready' && Array.isArray(datasets.data) ? datasets.data : []
  const shownDatasets = searching ? allDatasets.filter((d) => matchesDataset(d, query)) : allDatasets
  const mine = shownDatasets.filter((d) => !d.sample)
  const samples = shownDatasets.filter((d) => d.sample)
  // Saved models are listed in the section of the module that loads them ("Trained Models").
  const modelSection = useMemo(() => {
    const found = findTrainedModelModule(modules)
    return found ? categoryPath(found.spec.category)[0] : null
  }, [modules])
  const shownModelCount =
    modelSection && models?.state === 'ready' ? (searching ? models.data.filter((m) => matchesModel(m, query)).length : models.data.length) : 0

  const toggle = (category: string) =>
    setCollapsed((previous) => {
      const next = new Set(previous)
      if (next.has(category)) next.delete(category)
      else next.add(category)
      return next
    })

  const onDragStart = (event: DragEvent, module: ModuleSpec) => {
    if (disabled) return event.preventDefault()
    setModuleDragData(event.dataTransfer, module.id)
  }

  const groupHeader = (category: string, label: string, count: number, open: boolean) => (
    <button type="button" className="palette-group-header" aria-expanded={open} onClick={() => toggle(category)} title={category}>
      <ChevronIcon open={open} />
      <span className="palette-group-label">{label}</span>
      <span className="palette-group-count">{count}</span>
    </button>
  )

  const datasetItem = (dataset: Dataset) => (
    <li
      key={dataset.id}
      className="palette-item tone-data palette-dataset"
      data-testid={`palette-dataset-${dataset.name}`}
      draggable={!disabled}
      tabIndex={0}
      title={`${dataset.name}\n${datasetSummary(dataset)}${dataset.description ? `\n${dataset.description}` : ''}`}
      onDragStart={(event) => {
        if (disabled) return event.preventDefault()
        setDatasetDragData(event.dataTransfer, dataset.id)
      }}
      onDoubleClick={() => !disabled && onAddDataset?.(dataset)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && !disabled) onAddDataset?.(dataset)
      }}
    >
      <ModuleIcon tone="data" />
      <span className="palette-item-text">
        <span className="palette-item-name">{dataset.name}</span>
        <span className="palette-item-meta">
          {dataset.n_rows.toLocaleString('en')} rows × {dataset.n_columns} columns
        </span>
      </span>
      {!dataset.sample && onDeleteDataset ? (
        <button
          type="button"
          className="icon-btn palette-item-delete"
          aria-label={`Delete dataset ${dataset.name}`}
          title="Delete dataset"
          onClick={(event) => {
            event.stopPropagation()
            onDeleteDataset(dataset)
          }}
        >
          <Icon name="trash" size={12} />
        </button>
      ) : (
        <Grip />
      )}
    </li>
  )

  const moduleItem = (module: ModuleSpec) => (
    <li
      key={module.id}
      className={`palette-item tone-${categoryTone(module.category)}`}
      data-testid={`palette-item-${module.id}`}
      draggable={!disabled}
      tabIndex={0}
      title={module.description || module.name}
      onDragStart={(event) => onDragStart(event, module)}
      onDoubleClick={() => !disabled && onAddModule?.(module)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && !disabled) onAddModule?.(module)
      }}
    >
      <ModuleIcon tone={categoryTone(module.category)} />
      <span className="palette-item-name">{module.name}</span>
      <Grip />
    </li>
  )

  const datasetsSection = () => {
    const mineKey = `${DATASETS_CATEGORY} / My datasets`
    const samplesKey = `${DATASETS_CATEGORY} / Samples`
    const mineOpen = searching || !collapsed.has(mineKey)
    const samplesOpen = searching || !collapsed.has(samplesKey)
    const showMine = !searching || mine.length > 0 || uploads.length > 0
    const showSamples = !searching || samples.length > 0
    return (
      <>
        {showMine ? (
          <div className="palette-group" data-category={mineKey}>
            {groupHeader(mineKey, 'My datasets', mine.length, mineOpen)}
            {mineOpen ? (
              <ul className="palette-list" role="list">
                {uploads.map((upload) => (
                  <li key={`upload-${upload.key}`} className={`palette-upload is-${upload.state}`} data-testid="palette-upload">
                    <div className="palette-upload-row">
                      <Icon name={upload.state === 'error' ? 'alert' : 'upload'} size={13} />
                      <span className="palette-upload-name">{upload.fileName}</span>
                      {upload.state === 'error' ? (
                        <button type="button" className="icon-btn" aria-label={`Dismiss ${upload.fileName}`} onClick={() => onDismissUpload?.(upload.key)}>
                          <Icon name="x" size={11} />
                        </button>
                      ) : (
                        <span className="palette-upload-pct">{upload.state === 'processing' ? 'Reading…' : `${Math.round(upload.progress * 100)}%`}</span>
                      )}
                    </div>
                    {upload.state === 'error' ? (
                      <p className="palette-upload-error" role="alert">
                        {upload.error}
                      </p>
                    ) : (
                      <div
                        className="progress"
                        role="progressbar"
                        aria-label={`Uploading ${upload.fileName}`}
                        aria-valuemin={0}
                        aria-valuemax={100}
                        aria-valuenow={Math.round(upload.progress * 100)}
                      >
                        <span className={`progress-bar${upload.state === 'processing' ? ' is-indeterminate' : ''}`} style={{ width: `${Math.round(upload.progress * 100)}%` }} />
                      </div>
                    )}
                  </li>
                ))}
                {mine.map(datasetItem)}
                {mine.length === 0 && uploads.length === 0 ? (
                  <li className="palette-empty-hint">
                    Upload a CSV, TSV or Parquet file — or drop one anywhere on the page.
                  </li>
                ) : null}
              </ul>
            ) : null}
          </div>
        ) : null}
        {showSamples ? (
          <div className="palette-group" data-category={samplesKey}>
            {groupHeader(samplesKey, 'Samples', samples.length, samplesOpen)}
            {samplesOpen ? (
              <ul className="palette-list" role="list">
                {samples.map(datasetItem)}
                {datasets?.state === 'loading' ? <li className="palette-empty-hint">Loading datasets…</li> : null}
                {datasets?.state === 'error' ? <li className="palette-empty-hint">Datasets could not be loaded.</li> : null}
              </ul>
            ) : null}
          </div>
        ) : null}
      </>
    )
  }

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
  } else if (sections.length === 0 && shownDatasets.length === 0 && shownModelCount === 0) {
    body = <PaletteNotice title="Nothing found" text={`No module, dataset or model matches “${query.trim()}”.`} />
  } else {
    const hasDatasetSection = sections.some((section) => section.title === DATASETS_CATEGORY)
    let ordered = hasDatasetSection || !datasets ? sections : [{ title: DATASETS_CATEGORY, groups: [] }, ...sections]
    if (modelSection && models && shownModelCount > 0 && !ordered.some((section) => section.title === modelSection)) {
      // A search that matches saved models but not the module that loads them: the section still shows them.
      const at = ordered[0]?.title === DATASETS_CATEGORY ? 1 : 0
      ordered = [...ordered.slice(0, at), { title: modelSection, groups: [] }, ...ordered.slice(at)]
    }
    body = ordered.map((section) => (
      <section key={section.title} className="palette-section" aria-label={section.title}>
        <div className="palette-section-head">
          <h3 className="palette-section-title">{section.title}</h3>
          {section.title === DATASETS_CATEGORY && onUploadFiles ? (
            <>
              <button
                type="button"
                className="btn btn-small btn-ghost palette-upload-btn"
                onClick={() => fileRef.current?.click()}
                disabled={disabled}
                title="Upload a CSV, TSV or Parquet file"
              >
                <Icon name="upload" size={12} />
                Upload
              </button>
              <input
                ref={fileRef}
                type="file"
                hidden
                multiple
                accept=".csv,.tsv,.txt,.tab,.parquet,.pq,text/csv,text/tab-separated-values"
                aria-label="Upload dataset file"
                data-testid="dataset-file-input"
                onChange={(event) => {
                  const files = [...(event.target.files ?? [])]
                  event.target.value = ''
                  if (files.length) onUploadFiles(files)
                }}
              />
            </>
          ) : null}
          {section.title === modelSection && models ? (
            <Link className="btn btn-small btn-ghost palette-upload-btn" to="/models" title="Rename, delete, export, import or deploy your trained models">
              Manage
            </Link>
          ) : null}
        </div>
        {section.groups.map((group) => {
          const open = searching || group.label === null || !collapsed.has(group.category)
          return (
            <div key={group.category} className="palette-group" data-category={group.category}>
              {group.label !== null ? groupHeader(group.category, group.label, group.modules.length, open) : null}
              {open ? (
                <ul className={`palette-list${group.label === null ? ' is-flat' : ''}`} role="list">
                  {group.modules.map(moduleItem)}
                </ul>
              ) : null}
            </div>
          )
        })}
        {section.title === DATASETS_CATEGORY && datasets ? datasetsSection() : null}
        {section.title === modelSection && models ? (
          <PaletteModelGroups
            models={models}
            query={query}
            isOpen={(key) => searching || !collapsed.has(key)}
            groupHeader={groupHeader}
            onAddModel={onAddModel}
            disabled={disabled}
          />
        ) : null}
      </section>
    ))
  }

  return (
    <aside className={`panel palette${disabled ? ' is-disabled' : ''}`} aria-label="Module palette">
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
          placeholder="Search"
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
        {query ? null : (
          <kbd className="palette-search-hint" aria-hidden="true">
            /
          </kbd>
        )}
      </div>
      <div className="palette-body">{body}</div>
    </aside>
  )
}
