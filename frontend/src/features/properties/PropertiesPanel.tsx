import { useEffect, useState } from 'react'
import { getDataset } from '../../api/endpoints'
import type { SavedModel } from '../../api/models'
import type { ColumnInfo, Dataset, ModuleSpec, ParamSpec } from '../../api/types'
import { Icon } from '../../ui/icons'
import { StatusPill } from '../../ui/StatusPill'
import { useEditor } from '../editor/EditorContext'
import type { Doc, ModuleNode } from '../editor/graphDoc'
import { useNodeRuntime } from '../editor/runtimeStore'
import { categoryTone } from '../palette/categoryTone'
import { ModuleIcon } from '../palette/ModuleIcon'
import { describeTimings, formatDuration } from '../runs/runState'
import { fieldKey, shortMessage, type Issue, type IssueMap } from '../validation/mapIssues'
import { ParamField } from './ParamField'
import type { ColumnsInfo } from './paramFieldTypes'
import { paramProblem, visibleParams } from './paramSchema'
import { upstreamDataset } from './upstream'
import './properties.css'

export interface PropertiesPanelProps {
  doc: Doc
  selection: ModuleNode[]
  datasets: Dataset[]
  /** The saved models a trained model node offers. */
  models?: SavedModel[]
  issues: IssueMap
  onParamChange: (nodeId: string, paramId: string, value: unknown, coalesce: boolean) => void
  onCommentChange: (nodeId: string, comment: string) => void
  /** Ends the open undo step (a field lost focus). */
  onSeal: () => void
  onSelectNode: (nodeId: string) => void
  onRunSelected?: () => void
  onDeleteSelection?: () => void
  onDuplicateSelection?: () => void
}

function EmptyState({ title, text, children }: { title: string; text: string; children?: React.ReactNode }) {
  return (
    <div className="properties-empty" role="status">
      <svg viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" className="properties-empty-icon">
        <rect x="6" y="8" width="28" height="24" rx="4" />
        <path d="M12 16h10M12 21h16M12 26h7" />
        <circle cx="29" cy="16" r="2" />
      </svg>
      <p className="properties-empty-title">{title}</p>
      <p className="properties-empty-text">{text}</p>
      {children}
    </div>
  )
}

const datasetCache = new Map<string, Promise<Dataset>>()

/** The table arriving at `port` of `nodeId` as the server's validation inferred it, with where it comes from. */
export function inferredColumns(doc: Doc, nodeId: string, port: string, portColumns: Record<string, ColumnInfo[]> | undefined, specOf: (id: string) => ModuleSpec | undefined) {
  const edge = doc.edges.find((e) => e.target === nodeId && e.targetHandle === port)
  const columns = edge && portColumns?.[`${edge.source}.${edge.sourceHandle}`]
  if (!edge || !columns) return null
  const source = doc.nodes.find((n) => n.id === edge.source)
  const spec = source ? specOf(source.data.moduleId) : undefined
  const portName = spec?.outputs.find((p) => p.id === edge.sourceHandle)?.name ?? edge.sourceHandle
  return { columns, source: `${spec?.name ?? 'the upstream module'} — ${portName}` }
}

/** The columns a `column` / `column_set` parameter picks from: the table feeding its input, as the
 * server inferred it (so columns added upstream, like Assignments, are offered), else the dataset's. */
function useColumns(doc: Doc, node: ModuleNode, param: ParamSpec, specOf: (id: string) => ModuleSpec | undefined, datasetOf: (id: string) => Dataset | undefined, portColumns?: Record<string, ColumnInfo[]>): ColumnsInfo | undefined {
  const port = param.columns_from
  const source = port ? upstreamDataset(doc, node.id, port, specOf) : null
  const listed = source ? datasetOf(source.datasetId) : undefined
  const [fetched, setFetched] = useState<Dataset | null>(null)
  const missingId = source && !listed ? source.datasetId : null
  useEffect(() => {
    if (!missingId) return
    let live = true
    let promise = datasetCache.get(missingId)
    if (!promise) {
      promise = getDataset(missingId)
      datasetCache.set(missingId, promise)
      promise.catch(() => datasetCache.delete(missingId))
    }
    promise.then((d) => live && setFetched(d), () => live && setFetched(null))
    return () => {
      live = false
    }
  }, [missingId])
  if (!port) return undefined
  const inferred = inferredColumns(doc, node.id, port, portColumns, specOf)
  if (inferred) return inferred
  if (!source) return { columns: null, source: null }
  const dataset = listed ?? (fetched?.id === source.datasetId ? fetched : null)
  if (!dataset) return { columns: null, source: null, loading: true }
  return {
    columns: dataset.columns,
    source: source.transformed ? `${dataset.name} (as it enters the chain)` : dataset.name,
  }
}

function NodeRunCard({ node, spec }: { node: ModuleNode; spec: ModuleSpec | undefined }) {
  const { runtime, actions } = useEditor()
  const { run } = useNodeRuntime(runtime, node.id)
  if (run.status === 'idle') return null
  const outputs = (spec?.outputs ?? []).filter((port) => run.outputs[port.id])
  return (
    <section className={`run-card is-${run.status}`} aria-label="Last run of this module">
      <div className="run-card-head">
        <StatusPill status={run.status} />
        {run.durationMs !== null && run.status !== 'cached' ? <span className="run-card-duration">{formatDuration(run.durationMs)}</span> : null}
        <button type="button" className="link-btn run-card-log" onClick={() => actions.openLog(node.id)}>
          View log
        </button>
      </div>
      {run.timings && run.status !== 'cached' ? <p className="run-card-timings">{describeTimings(run.timings)}</p> : null}
      {run.error ? (
        <p className="run-card-error">
          <span className="run-card-code">{run.error.code}</span> {run.error.message}
        </p>
      ) : null}
      {outputs.length ? (
        <div className="run-card-outputs">
          {outputs.map((port) => (
            <button key={port.id} type="button" className="btn btn-small" onClick={() => actions.openOutput(node.id, port.id)}>
              <Icon name="chart" size={12} />
              Visualize {port.name}
            </button>
          ))}
        </div>
      ) : null}
    </section>
  )
}

function IssueList({ issues, onSelectNode, nodeName }: { issues: readonly Issue[]; onSelectNode?: (id: string) => void; nodeName?: (id: string) => string }) {
  if (issues.length === 0) return null
  return (
    <ul className="issue-list">
      {issues.map((issue, index) => (
        <li key={index} className={`issue is-${issue.severity}`}>
          <span className="issue-code">{issue.code}</span>
          <span className="issue-message">
            {issue.node_id && onSelectNode && nodeName ? (
              <button type="button" className="link-btn" onClick={() => onSelectNode(issue.node_id as string)}>
                {nodeName(issue.node_id)}
              </button>
            ) : null}
            {issue.node_id && onSelectNode ? ': ' : ''}
            {shortMessage(issue.message)}
          </span>
        </li>
      ))}
    </ul>
  )
}

function SingleNode({ node, props }: { node: ModuleNode; props: PropertiesPanelProps }) {
  const { specOf, datasetOf, readOnly } = useEditor()
  const spec = specOf(node.data.moduleId)
  const { issues, datasets, models, doc, onParamChange, onCommentChange, onSeal } = props
  if (!spec) {
    return (
      <EmptyState title={`Unknown module “${node.data.moduleId}”`} text="This server's catalogue has no such module. Delete the node or import a graph made for this server." />
    )
  }
  const tone = categoryTone(spec.category)
  const params = node.data.params
  const shown = visibleParams(spec, params)
  const nodeIssues = issues.byNode.get(node.id) ?? []
  const fieldIds = new Set(shown.map((p) => p.id))
  const otherIssues = nodeIssues.filter((issue) => !issue.param || !fieldIds.has(issue.param))

  return (
    <div className="properties-module" key={node.id}>
      <div className="properties-module-head">
        <ModuleIcon tone={tone} />
        <div>
          <h3 className="properties-module-name">{spec.name}</h3>
          <p className="properties-module-category">{spec.category}</p>
        </div>
      </div>
      <NodeRunCard node={node} spec={spec} />
      <IssueList issues={otherIssues} />
      <h4 className="properties-section-title">Parameters</h4>
      {shown.length ? (
        <div className="properties-fields" onBlur={onSeal}>
          {shown.map((param) => (
            <ParamFieldFor key={param.id} node={node} param={param} doc={doc} datasets={datasets} models={models} issues={issues} onParamChange={onParamChange} onSeal={onSeal} specOf={specOf} datasetOf={datasetOf} readOnly={readOnly} />
          ))}
        </div>
      ) : (
        <p className="properties-muted">This module has no parameters.</p>
      )}
      <h4 className="properties-section-title">Notes</h4>
      <div className="field">
        <label className="field-label" htmlFor={`comment-${node.id}`}>
          Comment
        </label>
        <textarea
          id={`comment-${node.id}`}
          className="textarea"
          rows={2}
          maxLength={2000}
          placeholder="Shown on the node"
          value={node.data.comment}
          disabled={readOnly}
          onChange={(event) => onCommentChange(node.id, event.target.value)}
          onBlur={onSeal}
        />
      </div>
      <details className="properties-about">
        <summary>About this module</summary>
        {spec.description ? <p className="properties-module-description">{spec.description}</p> : null}
        <ul className="properties-ports">
          {(spec.inputs ?? []).map((port) => (
            <li key={`in-${port.id}`}>
              <span className="port-direction">In</span>
              <span className="port-label">
                {port.name}
                {port.optional ? <span className="port-optional"> (optional)</span> : null}
                <code>{port.type}</code>
              </span>
            </li>
          ))}
          {(spec.outputs ?? []).map((port) => (
            <li key={`out-${port.id}`}>
              <span className="port-direction is-out">Out</span>
              <span className="port-label">
                {port.name}
                <code>{port.type}</code>
              </span>
            </li>
          ))}
        </ul>
      </details>
    </div>
  )
}

function ParamFieldFor({
  node,
  param,
  doc,
  datasets,
  models,
  issues,
  onParamChange,
  onSeal,
  specOf,
  datasetOf,
  readOnly,
}: {
  node: ModuleNode
  param: ParamSpec
  doc: Doc
  datasets: Dataset[]
  models?: SavedModel[]
  issues: IssueMap
  onParamChange: PropertiesPanelProps['onParamChange']
  onSeal: () => void
  specOf: (id: string) => ModuleSpec | undefined
  datasetOf: (id: string) => Dataset | undefined
  readOnly: boolean
}) {
  const { portColumns } = useEditor()
  const columns = useColumns(doc, node, param, specOf, datasetOf, portColumns)
  const value = node.data.params[param.id]
  const server = (issues.byField.get(fieldKey(node.id, param.id)) ?? []).map((issue) => shortMessage(issue.message))
  return (
    <ParamField
      param={param}
      value={value === undefined ? param.default : value}
      problem={paramProblem(param, value)}
      serverMessages={server}
      onChange={(next, options) => onParamChange(node.id, param.id, next, !!options?.coalesce)}
      onCommit={onSeal}
      columns={columns}
      datasets={datasets}
      models={models}
      params={node.data.params}
      readOnly={readOnly}
    />
  )
}

export function PropertiesPanel(props: PropertiesPanelProps) {
  const { selection, issues, doc, onSelectNode } = props
  const { specOf, readOnly } = useEditor()
  if (selection.length === 1) return <SingleNode node={selection[0]} props={props} />
  if (selection.length > 1) {
    return (
      <EmptyState title={`${selection.length} modules selected`} text="Select a single module to edit its parameters.">
        {!readOnly ? (
          <div className="properties-multi-actions">
            {props.onRunSelected ? (
              <button type="button" className="btn btn-small" onClick={props.onRunSelected}>
                <Icon name="run" size={12} /> Run these
              </button>
            ) : null}
            {props.onDuplicateSelection ? (
              <button type="button" className="btn btn-small" onClick={props.onDuplicateSelection}>
                <Icon name="copy" size={12} /> Duplicate
              </button>
            ) : null}
            {props.onDeleteSelection ? (
              <button type="button" className="btn btn-small" onClick={props.onDeleteSelection}>
                <Icon name="trash" size={12} /> Delete
              </button>
            ) : null}
          </div>
        ) : null}
      </EmptyState>
    )
  }
  const nodeName = (id: string) => {
    const node = doc.nodes.find((n) => n.id === id)
    return node ? (specOf(node.data.moduleId)?.name ?? node.data.moduleId) : id
  }
  const all: Issue[] = [...issues.general, ...[...issues.byNode.values()].flat(), ...[...issues.byEdge.values()].flat().filter((i) => !i.node_id)]
  return (
    <div className="properties-overview">
      <EmptyState
        title="Select a module to see its properties"
        text={doc.nodes.length === 0 ? 'Drag a dataset and modules from the palette, then connect outputs (bottom) to inputs (top).' : 'Click a module on the canvas to edit its parameters. Shift-drag selects several.'}
      />
      {doc.nodes.length > 0 ? (
        <section className="properties-check" aria-label="Graph check">
          <h4 className="properties-section-title">Graph check</h4>
          {all.length === 0 ? (
            <p className="properties-ok">
              <Icon name="check" size={12} /> No problems found — ready to run.
            </p>
          ) : (
            <IssueList issues={all} onSelectNode={onSelectNode} nodeName={nodeName} />
          )}
        </section>
      ) : null}
      <section className="properties-shortcuts" aria-label="Keyboard shortcuts">
        <h4 className="properties-section-title">Shortcuts</h4>
        <dl>
          {[
            ['Ctrl S', 'Save'],
            ['Ctrl Z / Ctrl ⇧ Z', 'Undo / redo'],
            ['Ctrl C / V / D', 'Copy / paste / duplicate'],
            ['Del', 'Delete selection'],
            ['Ctrl A', 'Select all'],
            ['⇧ drag', 'Box select'],
            ['/', 'Search modules'],
          ].map(([keys, what]) => (
            <div key={keys}>
              <dt>{keys}</dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </section>
    </div>
  )
}
