import type { ModuleNode } from '../canvas/nodes'
import { categoryTone } from '../palette/categoryTone'
import { ModuleIcon } from '../palette/ModuleIcon'
import './properties.css'

export interface PropertiesPanelProps {
  /** The selected nodes; the panel shows one node's properties when exactly one is selected. */
  selection: ModuleNode[]
}

function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (typeof value === 'string') return value === '' ? '—' : value
  if (typeof value === 'boolean') return value ? 'Yes' : 'No'
  if (typeof value === 'number') return String(value)
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(', ') : '—'
  return JSON.stringify(value)
}

function EmptyState({ title, text }: { title: string; text: string }) {
  return (
    <div className="properties-empty" role="status">
      <svg viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" className="properties-empty-icon">
        <rect x="6" y="8" width="28" height="24" rx="4" />
        <path d="M12 16h10M12 21h16M12 26h7" />
        <circle cx="29" cy="16" r="2" />
      </svg>
      <p className="properties-empty-title">{title}</p>
      <p className="properties-empty-text">{text}</p>
    </div>
  )
}

export function PropertiesPanel({ selection }: PropertiesPanelProps) {
  let body: React.JSX.Element
  if (selection.length === 0) {
    body = (
      <EmptyState
        title="Select a module to see its properties"
        text="Parameters, ports and notes of the selected module appear here."
      />
    )
  } else if (selection.length > 1) {
    body = <EmptyState title={`${selection.length} modules selected`} text="Select a single module to edit its properties." />
  } else {
    const node = selection[0]
    const { spec, params } = node.data
    const tone = categoryTone(spec.category)
    body = (
      <div className="properties-module">
        <div className="properties-module-head">
          <ModuleIcon tone={tone} />
          <div>
            <h3 className="properties-module-name">{spec.name}</h3>
            <p className="properties-module-category">{spec.category}</p>
          </div>
        </div>
        {spec.description ? <p className="properties-module-description">{spec.description}</p> : null}
        <h4 className="properties-section-title">Parameters</h4>
        {spec.params?.length ? (
          <dl className="properties-params">
            {spec.params.map((param) => (
              <div key={param.id} className="properties-param">
                <dt>{param.name}</dt>
                <dd>{formatValue(params[param.id])}</dd>
              </div>
            ))}
          </dl>
        ) : (
          <p className="properties-muted">This module has no parameters.</p>
        )}
        <h4 className="properties-section-title">Ports</h4>
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
      </div>
    )
  }

  return (
    <aside className="panel properties" aria-label="Properties">
      <div className="panel-header">
        <h2 className="panel-title">Properties</h2>
      </div>
      <div className="properties-body">{body}</div>
    </aside>
  )
}
