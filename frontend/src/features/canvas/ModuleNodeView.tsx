import { Handle, Position, useConnection, type NodeProps } from '@xyflow/react'
import { memo, useCallback } from 'react'
import type { ModuleSpec, PortSpec } from '../../api/types'
import { Icon, Spinner } from '../../ui/icons'
import { Menu, type MenuItem } from '../../ui/Menu'
import { useEditor } from '../editor/EditorContext'
import type { ModuleNode } from '../editor/graphDoc'
import { useNodeRuntime } from '../editor/runtimeStore'
import { categoryTone } from '../palette/categoryTone'
import { sourceLabel } from '../palette/sourceModules'
import { ModuleIcon } from '../palette/ModuleIcon'
import { formatDuration } from '../runs/runState'
import { shortMessage } from '../validation/mapIssues'

function portOffset(index: number, count: number): string {
  return `${((index + 1) / (count + 1)) * 100}%`
}

/** The port type of the handle a connection is being dragged from ("source:data_table"), or null. */
function useDraggedPort(specOf: (id: string) => ModuleSpec | undefined): string | null {
  return useConnection((connection) => {
    if (!connection.inProgress || !connection.fromHandle) return null
    const moduleId = (connection.fromNode?.data as { moduleId?: string } | undefined)?.moduleId
    const spec = moduleId ? specOf(moduleId) : undefined
    const side = connection.fromHandle.type === 'source' ? spec?.outputs : spec?.inputs
    const port = side?.find((p) => p.id === connection.fromHandle?.id)
    return port ? `${connection.fromHandle.type}:${port.type}:${connection.fromNode?.id}` : null
  })
}

function handleClass(port: PortSpec, side: 'source' | 'target', dragged: string | null, nodeId: string, extra = ''): string {
  let state = ''
  if (dragged) {
    const [fromSide, type, fromNode] = dragged.split(':')
    if (fromNode === nodeId || fromSide === side) state = ' is-dimmed'
    else state = type === port.type ? ' is-compatible' : ' is-dimmed'
  }
  return `port port-${port.type}${state}${extra}`
}

function ModuleNodeViewImpl({ id, data, selected }: NodeProps<ModuleNode>) {
  const { specOf, datasetOf, modelOf, runtime, actions, readOnly, running } = useEditor()
  const spec = specOf(data.moduleId)
  const { run, issues, severity } = useNodeRuntime(runtime, id)
  const dragged = useDraggedPort(specOf)
  const status = run.status

  // A dataset or saved model node is titled by what it loads.
  const source = sourceLabel(spec, data.params, datasetOf, modelOf)
  const title = source?.name ?? spec?.name ?? data.moduleId
  const subtitle = source?.subtitle ?? null
  const inputs = spec?.inputs ?? []
  const outputs = spec?.outputs ?? []
  const tone = spec ? categoryTone(spec.category) : 'other'

  const openOutput = useCallback(
    (port: string) => {
      if (run.outputs[port]) actions.openOutput(id, port)
    },
    [actions, id, run.outputs],
  )

  const menuItems: (MenuItem | 'separator')[] = [
    ...outputs.map((port) => ({
      label: `Visualize ${port.name}`,
      icon: <Icon name="chart" />,
      disabled: !run.outputs[port.id],
      hint: run.outputs[port.id] ? undefined : 'run first',
      onSelect: () => actions.openOutput(id, port.id),
    })),
    {
      label: 'View log',
      icon: <Icon name="log" />,
      disabled: run.apiStatus === 'idle' || run.apiStatus === 'queued',
      onSelect: () => actions.openLog(id),
    },
  ]
  if (!readOnly) {
    menuItems.push(
      'separator',
      { label: 'Run this module', icon: <Icon name="run" />, disabled: running, onSelect: () => actions.runNode(id) },
      { label: 'Duplicate', icon: <Icon name="copy" />, hint: 'Ctrl+D', onSelect: () => actions.duplicateNode(id) },
      { label: 'Delete', icon: <Icon name="trash" />, hint: 'Del', danger: true, onSelect: () => actions.deleteNode(id) },
    )
  }

  const issueText = issues.map((issue) => `${issue.code}: ${shortMessage(issue.message)}`).join('\n')

  return (
    <div
      className={`module-node tone-${tone} status-${status}${selected ? ' is-selected' : ''}${severity ? ` has-${severity}` : ''}${spec ? '' : ' is-unknown'}`}
    >
      {inputs.map((port, index) => (
        <Handle
          key={port.id}
          id={port.id}
          type="target"
          position={Position.Top}
          className={handleClass(port, 'target', dragged, id)}
          style={{ left: portOffset(index, inputs.length) }}
          aria-label={`${port.name} input`}
        >
          <span className="port-tip port-tip-top">
            {port.name}
            {port.optional ? ' (optional)' : ''}
          </span>
        </Handle>
      ))}
      <div className="module-node-body">
        <span className="module-node-accent" aria-hidden="true" />
        <ModuleIcon tone={tone} />
        <div className="module-node-titles">
          <span className="module-node-name">{title}</span>
          {subtitle ? <span className="module-node-subtitle">{subtitle}</span> : null}
        </div>
        {severity ? (
          <span className={`module-node-issue is-${severity}`} title={issueText} aria-label={`${issues.length} problem${issues.length === 1 ? '' : 's'}`}>
            !
          </span>
        ) : null}
        <Menu
          label={`Actions for ${title}`}
          title="Actions"
          className="module-node-menu nodrag"
          triggerClassName="icon-btn module-node-menu-btn nodrag"
          trigger={<Icon name="more" />}
          items={menuItems}
          align="left"
        />
      </div>
      {data.comment ? <div className="module-node-comment">{data.comment}</div> : null}
      {!spec ? <div className="module-node-line is-failed">Unknown module “{data.moduleId}”</div> : null}
      <NodeStatusLine nodeId={id} />
      {severity && status === 'idle' && issues[0] ? (
        <div className={`module-node-line is-${severity}`} title={issueText}>
          <Icon name="alert" size={11} />
          <span className="module-node-line-text">{shortMessage(issues[0].message)}</span>
        </div>
      ) : null}
      {outputs.map((port, index) => {
        const ready = !!run.outputs[port.id]
        return (
          <Handle
            key={port.id}
            id={port.id}
            type="source"
            position={Position.Bottom}
            className={handleClass(port, 'source', dragged, id, ready ? ' has-output' : '')}
            style={{ left: portOffset(index, outputs.length) }}
            aria-label={`${port.name} output`}
            onClick={ready ? () => openOutput(port.id) : undefined}
          >
            <span className="port-tip port-tip-bottom">
              {port.name}
              {ready ? ' — click to visualize' : ''}
            </span>
          </Handle>
        )
      })}
    </div>
  )
}

function NodeStatusLine({ nodeId }: { nodeId: string }) {
  const { runtime, actions } = useEditor()
  const { run } = useNodeRuntime(runtime, nodeId)
  switch (run.status) {
    case 'queued':
      return (
        <div className="module-node-line is-queued">
          <Icon name="clock" size={11} /> Queued
        </div>
      )
    case 'running': {
      const pct = Math.round(Math.max(0, Math.min(1, run.progress)) * 100)
      return (
        <div className="module-node-line is-running">
          <Spinner size={10} />
          <span className="module-node-line-text">Running{pct > 0 ? ` · ${pct}%` : '…'}</span>
          <span className="module-node-progress" role="progressbar" aria-label="Progress" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
            <span style={{ width: `${Math.max(pct, 4)}%` }} />
          </span>
        </div>
      )
    }
    case 'succeeded':
      return (
        <div className="module-node-line is-succeeded">
          <Icon name="check" size={11} />
          <span className="module-node-line-text">Succeeded</span>
          <span className="module-node-duration">{formatDuration(run.durationMs)}</span>
        </div>
      )
    case 'cached':
      return (
        <div className="module-node-line is-cached" title="Module, parameters and inputs unchanged: the earlier output was reused">
          <Icon name="cache" size={11} />
          <span className="module-node-line-text">Cached</span>
          <span className="module-node-duration">reused</span>
        </div>
      )
    case 'failed':
      return (
        <button
          type="button"
          className="module-node-line is-failed nodrag"
          title={run.error ? `${run.error.code}: ${run.error.message}\nClick for the log` : 'Click for the log'}
          onClick={(event) => {
            event.stopPropagation()
            actions.openLog(nodeId)
          }}
        >
          <Icon name="alert" size={11} />
          <span className="module-node-error-code">{run.error?.code ?? 'Failed'}</span>
          <span className="module-node-line-text">{run.error?.message ?? 'Failed'}</span>
        </button>
      )
    case 'cancelled':
      return (
        <div className="module-node-line is-cancelled">
          <Icon name="stop" size={10} /> {run.apiStatus === 'interrupted' ? 'Interrupted' : 'Cancelled'}
        </div>
      )
    default:
      return null
  }
}

export const ModuleNodeView = memo(ModuleNodeViewImpl)
