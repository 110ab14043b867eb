import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Edge,
  type OnConnect,
  type OnEdgesChange,
  type OnNodesChange,
  type OnSelectionChangeFunc,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useCallback, useState, type DragEvent } from 'react'
import type { ModuleSpec } from '../../api/types'
import { categoryTone } from '../palette/categoryTone'
import { getModuleDragData, hasModuleDragData } from './dragData'
import { nodeTypes } from './nodeTypes'
import type { ModuleNode } from './nodes'
import './canvas.css'

const TONE_COLOURS: Record<string, string> = {
  data: '#0f9f8f',
  transform: '#d98a1c',
  model: '#5b5bd6',
  train: '#2f5bea',
  score: '#c2418a',
  other: '#7a8599',
}

function minimapColour(node: { data?: unknown }): string {
  const spec = (node.data as { spec?: ModuleSpec } | undefined)?.spec
  return TONE_COLOURS[categoryTone(spec?.category)]
}

const defaultEdgeOptions = { type: 'smoothstep' as const }
const proOptions = { hideAttribution: true }
const fitViewOptions = { padding: 0.3, maxZoom: 1.2 }

export interface EditorCanvasProps {
  nodes: ModuleNode[]
  edges: Edge[]
  onNodesChange: OnNodesChange<ModuleNode>
  onEdgesChange: OnEdgesChange
  onConnect: OnConnect
  onSelectionChange?: OnSelectionChangeFunc<ModuleNode>
  /** Called when a palette entry is dropped on the canvas, at the drop point in flow coordinates. */
  onDropModule?: (moduleId: string, position: { x: number; y: number }) => void
}

export function EditorCanvas({
  nodes,
  edges,
  onNodesChange,
  onEdgesChange,
  onConnect,
  onSelectionChange,
  onDropModule,
}: EditorCanvasProps) {
  const { screenToFlowPosition } = useReactFlow()
  const [dropActive, setDropActive] = useState(false)

  const onDragOver = useCallback((event: DragEvent) => {
    if (!hasModuleDragData(event.dataTransfer)) return
    event.preventDefault()
    event.dataTransfer.dropEffect = 'copy'
    setDropActive(true)
  }, [])

  const onDragLeave = useCallback(() => setDropActive(false), [])

  const onDrop = useCallback(
    (event: DragEvent) => {
      setDropActive(false)
      const moduleId = getModuleDragData(event.dataTransfer)
      if (!moduleId || !onDropModule) return
      event.preventDefault()
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY })
      onDropModule(moduleId, { x: position.x - 90, y: position.y - 20 })
    },
    [onDropModule, screenToFlowPosition],
  )

  return (
    <section
      className={`canvas${dropActive ? ' is-drop-target' : ''}`}
      aria-label="Experiment canvas"
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <ReactFlow<ModuleNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onSelectionChange={onSelectionChange}
        defaultEdgeOptions={defaultEdgeOptions}
        fitViewOptions={fitViewOptions}
        proOptions={proOptions}
        minZoom={0.2}
        maxZoom={2}
        snapToGrid
        snapGrid={[10, 10]}
        deleteKeyCode={['Delete', 'Backspace']}
      >
        <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} color="var(--canvas-dot)" />
        <MiniMap
          pannable
          zoomable
          ariaLabel="Mini map"
          nodeColor={minimapColour}
          nodeBorderRadius={6}
          maskColor="rgba(226, 230, 238, 0.55)"
          bgColor="var(--surface)"
        />
        <Controls showInteractive={false} aria-label="Zoom controls" />
      </ReactFlow>
      {nodes.length === 0 ? (
        <div className="canvas-empty" aria-hidden="true">
          <div className="canvas-empty-card">
            <svg viewBox="0 0 48 48" width="40" height="40" aria-hidden="true">
              <rect x="4" y="6" width="18" height="10" rx="3" className="ce-a" />
              <rect x="26" y="32" width="18" height="10" rx="3" className="ce-b" />
              <path d="M13 16 v8 a4 4 0 0 0 4 4 h14 a4 4 0 0 1 4 4" className="ce-line" />
            </svg>
            <p className="canvas-empty-title">Start building your experiment</p>
            <p className="canvas-empty-text">
              Drag a dataset and modules from the palette onto the canvas, then connect outputs to
              inputs.
            </p>
          </div>
        </div>
      ) : null}
    </section>
  )
}
