import { Handle, Position, type NodeProps } from '@xyflow/react'
import { memo } from 'react'
import { categoryTone } from '../palette/categoryTone'
import type { ModuleNode } from './nodes'

const STATUS_LABEL: Record<string, string> = {
  idle: 'Not run',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  cached: 'Cached',
  failed: 'Failed',
  cancelled: 'Cancelled',
}

function portOffset(index: number, count: number): string {
  return `${((index + 1) / (count + 1)) * 100}%`
}

function ModuleNodeViewImpl({ data, selected }: NodeProps<ModuleNode>) {
  const { spec, status } = data
  const inputs = spec.inputs ?? []
  const outputs = spec.outputs ?? []
  return (
    <div
      className={`module-node tone-${categoryTone(spec.category)}${selected ? ' is-selected' : ''}`}
      data-module={spec.id}
      data-status={status}
    >
      {inputs.map((port, index) => (
        <Handle
          key={port.id}
          id={port.id}
          type="target"
          position={Position.Top}
          className={`port port-${port.type}`}
          style={{ left: portOffset(index, inputs.length) }}
          title={`${port.name} (${port.type})`}
        />
      ))}
      <div className="module-node-body">
        <span className="module-node-accent" aria-hidden="true" />
        <span className="module-node-name">{spec.name}</span>
        <span className={`module-node-status status-${status}`} title={STATUS_LABEL[status] ?? status}>
          <span className="visually-hidden">{STATUS_LABEL[status] ?? status}</span>
        </span>
      </div>
      {data.comment ? <div className="module-node-comment">{data.comment}</div> : null}
      {outputs.map((port, index) => (
        <Handle
          key={port.id}
          id={port.id}
          type="source"
          position={Position.Bottom}
          className={`port port-${port.type}`}
          style={{ left: portOffset(index, outputs.length) }}
          title={`${port.name} (${port.type})`}
        />
      ))}
    </div>
  )
}

export const ModuleNodeView = memo(ModuleNodeViewImpl)
