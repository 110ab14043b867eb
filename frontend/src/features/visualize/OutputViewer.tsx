import { useCallback, useEffect, useId, useRef, useState, type ReactNode } from 'react'
import { DEFAULT_API_BASE, downloadUrl, getOutputSummary, getVisualization, outputPageUrl, type OutputRef } from './api'
import { loadECharts, type RenderInfo } from './charts/EChart'
import { formatCount, humanize } from './format'
import type {
  ClusterVisualization,
  OutputSummary,
  SweepVisualization,
  TableSummary,
  TrainedModelSummary,
  UntrainedModelSummary,
  Visualization,
} from './types'
import { ErrorState, errorMessage, useLoad } from './viewerStates'
import { SaveAsDatasetButton } from './SaveAsDataset'
import { SaveAsModelButton } from './SaveAsModel'
import { ClusterView } from './views/ClusterView'
import { CompareView } from './views/CompareView'
import { ProfileView } from './views/ProfileView'
import { SilhouetteView } from './views/SilhouetteView'
import { TrainedModelView, UntrainedModelView } from './views/ModelView'
import { SweepView } from './views/SweepView'
import { TableView } from './views/TableView'
import './visualize.css'

export interface OutputViewerProps {
  runId: number
  nodeId: string
  port: string
  /** The port's type from the module catalogue (data_table, trained_cluster_model, …); '' if unknown. */
  portType: string
  onClose?: () => void
  /** "page" when it fills a page of its own (no "Open in new tab" link). */
  variant?: 'panel' | 'page'
  /**
   * API prefix of the run: "/api" (default) or "/api/public/<token>" for a read-only shared link
   * (no CSV download and no "Open in new tab" there: those need a signed-in user).
   */
  apiBase?: string
}

const MODEL_TYPES = new Set(['trained_cluster_model', 'untrained_cluster_model'])

function isModelSummary(summary: OutputSummary): summary is TrainedModelSummary | UntrainedModelSummary {
  return MODEL_TYPES.has(summary.type)
}

function Skeleton({ kind }: { kind: 'chart' | 'table' }) {
  return (
    <div className="viewer-skeleton" aria-busy="true" aria-live="polite" data-testid="output-loading">
      <span className="visually-hidden">Loading the output…</span>
      {kind === 'chart' ? (
        <div className="skeleton-layout">
          <div className="skeleton skeleton-chart" />
          <div className="skeleton-side">
            <div className="skeleton skeleton-block" />
            <div className="skeleton skeleton-block short" />
          </div>
        </div>
      ) : (
        <div className="skeleton-rows">
          {Array.from({ length: 9 }, (_, i) => (
            <div key={i} className="skeleton skeleton-row" style={{ opacity: 1 - i * 0.08 }} />
          ))}
        </div>
      )}
    </div>
  )
}

interface TabSpec {
  id: string
  label: string
  render: () => ReactNode
}

function Tabs({ tabs, label }: { tabs: TabSpec[]; label: string }) {
  const [active, setActive] = useState(tabs[0]?.id)
  const [visited, setVisited] = useState(() => new Set(tabs[0] ? [tabs[0].id] : []))
  const base = useId()
  const select = (id: string) => {
    setActive(id)
    setVisited((current) => (current.has(id) ? current : new Set([...current, id])))
  }
  const onKeyDown = (event: React.KeyboardEvent, index: number) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return
    const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length]
    select(next.id)
    document.getElementById(`${base}-tab-${next.id}`)?.focus()
  }
  return (
    <div className="viewer-tabs">
      <div role="tablist" aria-label={label} className="tablist">
        {tabs.map((tab, index) => (
          <button
            key={tab.id}
            id={`${base}-tab-${tab.id}`}
            type="button"
            role="tab"
            aria-selected={active === tab.id}
            aria-controls={`${base}-panel-${tab.id}`}
            tabIndex={active === tab.id ? 0 : -1}
            className="tab"
            onClick={() => select(tab.id)}
            onKeyDown={(event) => onKeyDown(event, index)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) =>
        visited.has(tab.id) ? (
          <div
            key={tab.id}
            id={`${base}-panel-${tab.id}`}
            role="tabpanel"
            aria-labelledby={`${base}-tab-${tab.id}`}
            hidden={active !== tab.id}
            className="tabpanel"
          >
            {tab.render()}
          </div>
        ) : null,
      )}
    </div>
  )
}

/** "K-Means, k = 3" (the algorithm's display name), or the node's name when the summary is not there yet. */
function suggestedModelName(model: TrainedModelSummary | undefined, nodeId: string): string {
  if (!model) return `${nodeId} model`
  return `${model.algorithm_name ?? 'Trained model'}, k = ${model.k}`
}

function kindLabel(summary: OutputSummary | undefined, viz: Visualization | undefined): string {
  if (summary?.type === 'trained_cluster_model') return 'Trained model'
  if (summary?.type === 'untrained_cluster_model') return 'Untrained model'
  if (viz?.kind === 'clusters') return 'Clustering results'
  if (viz?.kind === 'sweep') return 'Sweep results'
  return 'Table'
}

/**
 * Everything about one output port of a run: fetches the summary and the visualisation payload and
 * shows the right view (cluster chart, sweep chart, model, table grid), with loading and error states.
 */
export function OutputViewer({ runId, nodeId, port, portType, onClose, variant = 'panel', apiBase = DEFAULT_API_BASE }: OutputViewerProps) {
  const ref: OutputRef = { runId, nodeId, port, apiBase }
  const key = `${apiBase}/${runId}/${nodeId}/${port}`
  const isPublic = apiBase !== DEFAULT_API_BASE
  const headingId = useId()
  const isModelPort = MODEL_TYPES.has(portType)
  const [allPoints, setAllPoints] = useState(false)
  const [shownAllPoints, setShownAllPoints] = useState(false)
  const mountedAt = useRef(performance.now())
  const rootRef = useRef<HTMLElement>(null)

  // The visualisation comes first: the chart needs nothing else, and the server answers it faster
  // alone. Models come with it ({kind: "model", ...summary}); a plain table's statistics too. The table
  // summary (preview, per-column stats) is fetched after it, for the Table tab of clusters and sweeps.
  const vizKey = isModelPort ? null : `${key}?all=${allPoints}`
  const [vizLoad, reloadViz] = useLoad<Visualization>(vizKey, (signal) => getVisualization(ref, allPoints, signal))

  // Keep the last good visualisation on screen while the all-points version loads.
  const [lastViz, setLastViz] = useState<{ key: string; viz: Visualization } | null>(null)
  const [summaryWanted, setSummaryWanted] = useState<string | null>(null)
  useEffect(() => {
    if (vizLoad.state === 'ready') {
      setLastViz({ key, viz: vizLoad.data })
      setShownAllPoints(allPoints)
      if (vizLoad.data.kind === 'clusters' || vizLoad.data.kind === 'sweep') setSummaryWanted(key)
    } else if (vizLoad.state === 'error') {
      setSummaryWanted(key)
    }
  }, [vizLoad, key, allPoints])
  const viz = vizLoad.state === 'ready' ? vizLoad.data : lastViz?.key === key ? lastViz.viz : undefined
  const switching = vizLoad.state === 'loading' && viz !== undefined

  const summaryKey = isModelPort || summaryWanted === key ? key : null
  const [summary, reloadSummary] = useLoad<OutputSummary>(summaryKey, (signal) => getOutputSummary(ref, signal))

  useEffect(() => {
    setAllPoints(false)
    mountedAt.current = performance.now()
  }, [key])

  useEffect(() => {
    // Start fetching the chart library alongside the data (it is a separate chunk).
    if (portType !== 'untrained_cluster_model') loadECharts().catch(() => {})
  }, [portType])

  const onChartRendered = useCallback((info: RenderInfo) => {
    const root = rootRef.current
    if (!root || root.dataset.firstPaintMs) return
    root.dataset.firstPaintMs = (info.at - mountedAt.current).toFixed(1)
  }, [])

  const retry = () => {
    reloadViz()
    if (summaryKey !== null) reloadSummary()
  }

  const summaryData: OutputSummary | undefined =
    summary.state === 'ready'
      ? summary.data
      : viz?.kind === 'model'
        ? (viz as unknown as OutputSummary)
        : undefined
  const tableSummary: TableSummary | undefined =
    summaryData && !isModelSummary(summaryData)
      ? (summaryData as TableSummary)
      : viz?.kind === 'table'
        ? ({ ...viz, type: 'data_table' } as TableSummary)
        : undefined
  const isTable = !isModelPort && (tableSummary !== undefined || (viz !== undefined && viz.kind !== 'model'))

  let body: ReactNode
  const tableViewOf = (table: TableSummary) => (
    <TableView
      outputRef={ref}
      columns={table.columns}
      rowCount={table.n_rows}
      preview={table.preview}
      sampledRows={table.sampled_rows}
    />
  )
  if (summaryData && isModelSummary(summaryData)) {
    body =
      summaryData.type === 'trained_cluster_model' ? (
        <TrainedModelView model={summaryData as TrainedModelSummary} onChartRendered={onChartRendered} />
      ) : (
        <UntrainedModelView model={summaryData as UntrainedModelSummary} />
      )
  } else if (viz?.kind === 'clusters' || viz?.kind === 'sweep') {
    const tableTab: TabSpec = {
      id: 'table',
      label: 'Table',
      render: () =>
        tableSummary ? (
          tableViewOf(tableSummary)
        ) : summary.state === 'error' ? (
          <ErrorState error={summary.error} onRetry={reloadSummary} />
        ) : (
          <Skeleton kind="table" />
        ),
    }
    const chartTab: TabSpec =
      viz.kind === 'clusters'
        ? {
            id: 'clusters',
            label: 'Clusters',
            render: () => (
              <ClusterView
                viz={viz as ClusterVisualization}
                allPoints={allPoints}
                showingAllPoints={shownAllPoints}
                switching={switching}
                onAllPointsChange={setAllPoints}
                onChartRendered={onChartRendered}
              />
            ),
          }
        : {
            id: 'sweep',
            label: 'Metric vs k',
            render: () => <SweepView viz={viz as SweepVisualization} onChartRendered={onChartRendered} />,
          }
    const profileTab: TabSpec = {
      id: 'profiles',
      label: 'Profiles',
      render: () => <ProfileView outputRef={ref} canDownload={!isPublic} />,
    }
    const compareTab: TabSpec = { id: 'compare', label: 'Compare runs', render: () => <CompareView outputRef={ref} /> }
    const silhouetteTab: TabSpec = { id: 'silhouette', label: 'Silhouette', render: () => <SilhouetteView outputRef={ref} /> }
    body = (
      <>
        {vizLoad.state === 'error' ? (
          <p className="viewer-warning" role="alert">
            The chart could not be updated: {errorMessage(vizLoad.error).detail}
          </p>
        ) : null}
        <Tabs key={viz.kind} tabs={viz.kind === 'clusters' ? [chartTab, profileTab, silhouetteTab, ...(isPublic ? [] : [compareTab]), tableTab] : [chartTab, tableTab]} label="Views of this output" />
      </>
    )
  } else if (tableSummary) {
    body = (
      <>
        {vizLoad.state === 'error' ? (
          <p className="viewer-warning" role="alert">
            The charts of this table could not be computed: {errorMessage(vizLoad.error).detail}
          </p>
        ) : null}
        {tableViewOf(tableSummary)}
      </>
    )
  } else if (summary.state === 'error') {
    body = <ErrorState error={summary.error} onRetry={retry} />
  } else if (vizLoad.state === 'error' && (summary.state === 'ready' || summaryKey === null)) {
    body = <ErrorState error={vizLoad.error} onRetry={retry} />
  } else {
    body = <Skeleton kind={isModelPort ? 'table' : 'chart'} />
  }

  const title = humanize(port)
  const trainedModel = summaryData?.type === 'trained_cluster_model' ? (summaryData as TrainedModelSummary) : undefined
  const kind = summaryData || viz ? kindLabel(summaryData, viz) : null
  const rowCount = tableSummary?.n_rows ?? (viz?.kind === 'clusters' ? (viz as ClusterVisualization).n_rows : undefined)
  const columnCount = tableSummary ? (tableSummary.n_columns ?? tableSummary.columns.length) : undefined
  const size =
    rowCount !== undefined
      ? `${formatCount(rowCount)} rows${columnCount !== undefined ? ` × ${formatCount(columnCount)} columns` : ''}`
      : null

  return (
    <section
      ref={rootRef}
      className={`output-viewer is-${variant}`}
      aria-labelledby={headingId}
      data-testid="output-view"
      data-kind={viz?.kind ?? summaryData?.type ?? ''}
    >
      <header className="viewer-header">
        <div className="viewer-title">
          <h2 id={headingId}>{title}</h2>
          <p className="viewer-subtitle">
            {kind ? <span className="chip viewer-kind">{kind}</span> : null}
            <span>
              Run {runId} · node <code>{nodeId}</code>
            </span>
            {size ? <span>{size}</span> : null}
          </p>
        </div>
        <div className="viewer-actions">
          {isTable && !isPublic ? (
            <a className="btn btn-small" href={downloadUrl(ref)} download data-testid="download-csv">
              <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path d="M8 2.5v7.5M4.8 7l3.2 3.2L11.2 7M3 12.8h10" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" />
              </svg>
              Download CSV
            </a>
          ) : null}
          {isTable && !isPublic ? <SaveAsDatasetButton outputRef={ref} suggestedName={`${nodeId} ${port}`} /> : null}
          {(portType === 'trained_cluster_model' || trainedModel) && !isPublic ? (
            <SaveAsModelButton outputRef={ref} suggestedName={suggestedModelName(trainedModel, nodeId)} />
          ) : null}
          {variant === 'panel' && !isPublic ? (
            <a className="btn btn-small" href={outputPageUrl(ref)} target="_blank" rel="noopener noreferrer">
              Open in new tab
            </a>
          ) : null}
          {onClose ? (
            <button type="button" className="btn btn-small icon-only" onClick={onClose} aria-label="Close">
              <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
              </svg>
            </button>
          ) : null}
        </div>
      </header>
      <div className="viewer-body">{body}</div>
    </section>
  )
}
