import { applyNodeChanges, ReactFlowProvider, useReactFlow, type Edge, type NodeChange } from '@xyflow/react'
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react'
import type { ModuleSpec, PublicExperiment } from '../../api/types'
import { useHealth } from '../../app/apiResources'
import { StatusBar } from '../../app/StatusBar'
import { Dialog } from '../../ui/Dialog'
import { Icon } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { absoluteTime, relativeTime } from '../../ui/time'
import { EditorCanvas, fitViewOptions } from '../canvas/EditorCanvas'
import type { GraphEdgeData } from '../canvas/GraphEdgeView'
import { EditorContext, type EditorContextValue } from '../editor/EditorContext'
import { fromApiGraph, type ModuleNode } from '../editor/graphDoc'
import { useRuntimeStore } from '../editor/runtimeStore'
import { OutputDialog } from '../runs/OutputDialog'
import { runView } from '../runs/runState'
import { EMPTY_ISSUES } from '../validation/mapIssues'
import { specsFromGraph, withoutDatasetParams } from './publicSpecs'
import './sharing.css'
import '../editor/editor.css'

export interface ReadOnlyExperimentProps {
  experiment: PublicExperiment
  /** The module catalogue; null when it could not be loaded: specs made from the graph. */
  catalogue: readonly ModuleSpec[] | null
  /** API prefix of the run's outputs ("/api/public/<token>"); null when only their summaries can be read. */
  apiBase: string | null
  /** The header (with its crumb and actions). */
  header: ReactNode
  /** The strip under the header (whose it is, Open in Studio). */
  strip: ReactNode
  /** Shown at the top of the side panel (the gallery entry's summary). */
  about?: ReactNode
  /** The side panel's heading (default: the experiment's name). */
  title?: string
}

type OutputRef = { nodeId: string; port: string; portType: string; title: string }

const noop = () => {}

/** A read-only experiment: the graph on the canvas, the latest run's statuses, its outputs. */
export function ReadOnlyExperiment(props: ReadOnlyExperimentProps) {
  return (
    <ReactFlowProvider>
      <ReadOnlyExperimentInner {...props} />
    </ReactFlowProvider>
  )
}

function ReadOnlyExperimentInner({ experiment, catalogue, apiBase, header, strip, about, title }: ReadOnlyExperimentProps) {
  const health = useHealth()
  const run = experiment.run
  const specs = useMemo(
    () => {
      // With the datasets' descriptions, dataset nodes show their name and size; without, just "Dataset".
      const known = catalogue ? (experiment.datasets ? catalogue : withoutDatasetParams(catalogue)) : specsFromGraph(experiment.graph, run)
      return new Map(known.map((spec) => [spec.id, spec]))
    },
    [catalogue, experiment.datasets, experiment.graph, run],
  )
  const specOf = useCallback((moduleId: string) => specs.get(moduleId), [specs])
  const view = useMemo(() => (run ? runView(run) : null), [run])

  const runtime = useRuntimeStore(view?.nodes ?? null, EMPTY_ISSUES)

  const [nodes, setNodes] = useState<ModuleNode[]>(() => fromApiGraph(experiment.graph).nodes)
  useEffect(() => setNodes(fromApiGraph(experiment.graph).nodes), [experiment.graph])
  // Fit at once (no animation) when every node has its size: a fit before that centres nothing.
  const { fitView } = useReactFlow()
  const fitted = useRef(false)
  useEffect(() => {
    if (fitted.current || nodes.length === 0 || !nodes.every((n) => n.measured?.width)) return
    fitted.current = true
    const frame = requestAnimationFrame(() => void fitView(fitViewOptions))
    return () => cancelAnimationFrame(frame)
  }, [nodes, fitView])
  // Selecting and measuring only: nothing here changes the graph.
  const onNodesChange = useCallback((changes: NodeChange<ModuleNode>[]) => {
    const allowed = changes.filter((c) => c.type === 'select' || c.type === 'dimensions')
    if (allowed.length) setNodes((current) => applyNodeChanges(allowed, current))
  }, [])

  const flowNodes = useMemo(
    () =>
      nodes.map((node) => ({
        ...node,
        draggable: false,
        connectable: false,
        deletable: false,
        domAttributes: { 'data-module': node.data.moduleId, 'data-status': view?.nodes[node.id]?.status ?? 'idle' } as ModuleNode['domAttributes'],
      })),
    [nodes, view],
  )
  const flowEdges = useMemo<Edge[]>(() => {
    const moduleOf = new Map(nodes.map((n) => [n.id, n.data.moduleId]))
    return fromApiGraph(experiment.graph).edges.map((edge) => {
      const portType = specs.get(moduleOf.get(edge.source) ?? '')?.outputs.find((p) => p.id === edge.sourceHandle)?.type ?? 'other'
      return { ...edge, type: 'graph', selectable: false, deletable: false, data: { portType } satisfies GraphEdgeData }
    })
  }, [experiment.graph, nodes, specs])

  const titleOf = useCallback(
    (nodeId: string) => {
      const node = experiment.graph.nodes.find((n) => n.id === nodeId)
      return node ? (specOf(node.module)?.name ?? node.module) : nodeId
    },
    [experiment.graph.nodes, specOf],
  )

  const [output, setOutput] = useState<OutputRef | null>(null)
  const openOutput = useCallback(
    (nodeId: string, port: string) => {
      const portType = view?.nodes[nodeId]?.outputs[port]
      if (!portType) return
      const spec = specOf(experiment.graph.nodes.find((n) => n.id === nodeId)?.module ?? '')
      const portName = spec?.outputs.find((p) => p.id === port)?.name ?? port
      setOutput({ nodeId, port, portType, title: `${titleOf(nodeId)} — ${portName}` })
    },
    [experiment.graph.nodes, specOf, titleOf, view],
  )
  const onNodeDoubleClick = useCallback(
    (node: ModuleNode) => {
      const first = specOf(node.data.moduleId)?.outputs.find((port) => view?.nodes[node.id]?.outputs[port.id])
      if (first) openOutput(node.id, first.id)
    },
    [openOutput, specOf, view],
  )

  const context = useMemo<EditorContextValue>(
    () => ({
      specOf,
      datasetOf: (id: string) => experiment.datasets?.[id],
      runtime,
      actions: { openOutput, openLog: noop, duplicateNode: noop, deleteNode: noop, runNode: noop },
      readOnly: true,
      running: false,
    }),
    [specOf, runtime, openOutput, experiment.datasets],
  )

  const outputs = useMemo(() => {
    if (!view) return []
    return experiment.graph.nodes.flatMap((node) => {
      const produced = view.nodes[node.id]?.outputs ?? {}
      const spec = specOf(node.module)
      const ports = spec?.outputs.filter((p) => produced[p.id]) ?? []
      return ports.length ? [{ nodeId: node.id, title: titleOf(node.id), ports }] : []
    })
  }, [experiment.graph.nodes, specOf, titleOf, view])

  return (
    <EditorContext.Provider value={context}>
      <div className="app-shell is-read-only has-share-strip public-view" data-testid="read-only-experiment">
        {header}
        {strip}
        <main className="public-workspace">
          <EditorCanvas
            nodes={flowNodes}
            edges={flowEdges}
            onNodesChange={onNodesChange}
            onEdgesChange={noop}
            onConnect={noop}
            check={() => ({ ok: false, reason: 'This experiment is read-only' })}
            onNodeDoubleClick={onNodeDoubleClick}
          />
          <aside className="panel public-side" aria-label="About this experiment">
            <div className="public-side-body">
              <section className="public-about">
                <h1 className="public-title">{title ?? experiment.name}</h1>
                <p className="public-byline">
                  by <strong>{experiment.owner.username}</strong> · saved <span title={absoluteTime(experiment.updated_at)}>{relativeTime(experiment.updated_at)}</span> · version {experiment.version}
                </p>
                {experiment.description ? <p className="public-description">{experiment.description}</p> : null}
              </section>
              {about}
              <section className="public-section">
                <h2 className="public-section-title">Latest run</h2>
                {run ? (
                  <p className="public-run" data-testid="public-run" data-run-status={run.status}>
                    <StatusPill status={run.status} />
                    <span>
                      Run #{run.id} · <span title={absoluteTime(run.created_at)}>{relativeTime(run.created_at)}</span>
                    </span>
                  </p>
                ) : (
                  <p className="public-muted">Not run yet: there are no outputs to look at.</p>
                )}
              </section>
              {outputs.length ? (
                <section className="public-section">
                  <h2 className="public-section-title">Outputs</h2>
                  <ul className="public-outputs">
                    {outputs.map((entry) => (
                      <li key={entry.nodeId} className="public-output">
                        <span className="public-output-node">{entry.title}</span>
                        <span className="public-output-ports">
                          {entry.ports.map((port) => (
                            <button
                              key={port.id}
                              type="button"
                              className="btn btn-small"
                              onClick={() => openOutput(entry.nodeId, port.id)}
                              aria-label={`Visualize ${entry.title} ${port.name}`}
                            >
                              <Icon name="chart" size={12} />
                              {port.name}
                            </button>
                          ))}
                        </span>
                      </li>
                    ))}
                  </ul>
                  <p className="public-muted public-hint">Or click an output port on the canvas, or double-click a module.</p>
                </section>
              ) : null}
            </div>
          </aside>
        </main>
        <StatusBar health={health} nodeCount={nodes.length} edgeCount={flowEdges.length} readOnly hints={false} />
      </div>
      {output && run && apiBase ? (
        <OutputDialog runId={run.id} nodeId={output.nodeId} port={output.port} portType={output.portType} apiBase={apiBase} title={output.title} subtitle={`Run #${run.id}`} onClose={() => setOutput(null)} />
      ) : null}
      {output && !apiBase ? (
        <OutputSummaryDialog title={output.title} summary={experiment.output_summaries[output.nodeId]?.[output.port]} onClose={() => setOutput(null)} />
      ) : null}
    </EditorContext.Provider>
  )
}

// ---- an output known only by its summary (the gallery: no output endpoints there) -------------------

function cell(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en') : value.toPrecision(4)
  return String(value)
}

export function OutputSummaryDialog({ title, summary, onClose }: { title: string; summary: Record<string, unknown> | undefined; onClose: () => void }) {
  return (
    <Dialog title={title} size="large" onClose={onClose} className="output-summary-dialog">
      <div data-testid="output-summary">
        <OutputSummary summary={summary} />
        <p className="public-muted public-hint">Open in Studio and run it for the charts and the full table.</p>
      </div>
    </Dialog>
  )
}

function OutputSummary({ summary }: { summary: Record<string, unknown> | undefined }) {
  if (!summary) return <p className="public-muted">This output is no longer available.</p>
  if (summary.type === 'data_table') {
    const columns = (summary.columns as { name: string; type: string }[] | undefined) ?? []
    const preview = ((summary.preview as unknown[][] | undefined) ?? []).slice(0, 12)
    return (
      <>
        <p className="summary-facts">
          <strong>{cell(summary.n_rows)}</strong> rows × <strong>{cell(summary.n_columns)}</strong> columns
          {preview.length ? ` · the first ${preview.length}` : ''}
        </p>
        <div className="summary-table-wrap">
          <table className="summary-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.name} scope="col">
                    {c.name}
                    <span className="summary-type">{c.type}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {preview.map((row, i) => (
                <tr key={i}>
                  {row.map((value, j) => (
                    <td key={j}>{cell(value)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    )
  }
  if (summary.type === 'trained_cluster_model') {
    const sizes = (summary.cluster_sizes as number[] | undefined) ?? []
    const total = sizes.reduce((a, b) => a + b, 0) || 1
    return (
      <>
        <p className="summary-facts">
          Trained model · <strong>{cell(summary.k)}</strong> clusters on {((summary.features as string[] | undefined) ?? []).join(', ')}
        </p>
        <ul className="summary-sizes">
          {sizes.map((size, i) => (
            <li key={i}>
              <span>Cluster {i}</span>
              <span className="summary-bar">
                <span style={{ width: `${(size / total) * 100}%` }} />
              </span>
              <span>{size.toLocaleString('en')}</span>
            </li>
          ))}
        </ul>
      </>
    )
  }
  const facts = Object.entries(summary).filter(([, value]) => value === null || ['string', 'number', 'boolean'].includes(typeof value))
  return (
    <dl className="summary-list">
      {facts.map(([key, value]) => (
        <div key={key}>
          <dt>{key.replace(/_/g, ' ')}</dt>
          <dd>{cell(value)}</dd>
        </div>
      ))}
    </dl>
  )
}
