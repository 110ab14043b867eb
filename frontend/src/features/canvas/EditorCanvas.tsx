import {
  Background,
  BackgroundVariant,
  Controls,
  MiniMap,
  ReactFlow,
  useConnection,
  useReactFlow,
  ViewportPortal,
  type Connection,
  type Edge,
  type FinalConnectionState,
  type FitViewOptions,
  type IsValidConnection,
  type OnConnect,
  type OnEdgesChange,
  type OnNodesChange,
  type OnSelectionChangeFunc,
} from '@xyflow/react'
import '@xyflow/react/dist/style.css'
import { useCallback, useEffect, useRef, useState, type DragEvent, type ReactNode } from 'react'
import type { ConnectionCheck } from '../editor/connections'
import { useEditor } from '../editor/EditorContext'
import type { ModuleNode } from '../editor/graphDoc'
import { categoryTone } from '../palette/categoryTone'
import { getDragPayload, hasPaletteDragData, type DragPayload } from './dragData'
import { edgeTypes, nodeTypes } from './nodeTypes'
import './canvas.css'

const TONE_COLOURS: Record<string, string> = {
  data: '#0f9f8f',
  transform: '#d98a1c',
  model: '#5b5bd6',
  train: '#2f5bea',
  score: '#c2418a',
  other: '#7a8599',
}

const proOptions = { hideAttribution: true }
// Room at the top for the run bar and at the bottom for the minimap and the zoom controls.
export const fitViewOptions: FitViewOptions = {
  padding: { top: '80px', bottom: '190px', left: '70px', right: '70px' },
  maxZoom: 1.1,
}
const NODE_WIDTH = 220

type CheckFn = (connection: Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>) => ConnectionCheck

/** While a connection is dragged over a port it may not take, says why, next to the pointer. */
function ConnectionHint({ check }: { check: CheckFn }) {
  const hint = useConnection((connection) => {
    if (!connection.inProgress || !connection.toHandle || !connection.fromHandle) return null
    const fromSource = connection.fromHandle.type === 'source'
    const from = connection.fromHandle
    const to = connection.toHandle
    const result = check(
      fromSource
        ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
        : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null },
    )
    return result.ok ? null : `${Math.round(connection.to.x)}|${Math.round(connection.to.y)}|${result.reason}`
  })
  if (!hint) return null
  const [x, y, ...rest] = hint.split('|')
  return (
    <ViewportPortal>
      <div className="connection-hint" role="status" style={{ transform: `translate(${Number(x) + 14}px, ${Number(y) + 14}px)` }}>
        {rest.join('|')}
      </div>
    </ViewportPortal>
  )
}

export interface EditorCanvasProps {
  nodes: ModuleNode[]
  edges: Edge[]
  onNodesChange: OnNodesChange<ModuleNode>
  onEdgesChange: OnEdgesChange
  onConnect: OnConnect
  check: CheckFn
  onSelectionChange?: OnSelectionChangeFunc<ModuleNode>
  /** A palette entry dropped on the canvas, at the drop point in flow coordinates. */
  onDropEntry?: (payload: DragPayload, position: { x: number; y: number }) => void
  onConnectRefused?: (reason: string) => void
  onNodeDoubleClick?: (node: ModuleNode) => void
  /** A plain click (no modifier) on a node: select only it. */
  onNodeSelectOnly?: (nodeId: string) => void
  /** Overlays drawn over the canvas (run bar, read-only banner). */
  children?: ReactNode
  emptyState?: ReactNode
  /** Bumped to fit the view (after loading a graph or an auto-layout). */
  fitRequest?: number
}

export function EditorCanvas({
  nodes,
  edges,
  onNodesChange,
  onEdgesChange,
  onConnect,
  check,
  onSelectionChange,
  onDropEntry,
  onConnectRefused,
  onNodeDoubleClick,
  onNodeSelectOnly,
  children,
  emptyState,
  fitRequest = 0,
}: EditorCanvasProps) {
  const { screenToFlowPosition, fitView } = useReactFlow()
  const { readOnly, specOf } = useEditor()
  const [dropActive, setDropActive] = useState(false)
  const checkRef = useRef(check)
  checkRef.current = check

  // Fit only when asked (a graph loaded, an auto-layout): never because the nodes changed.
  const fitViewRef = useRef(fitView)
  fitViewRef.current = fitView
  const hasNodes = useRef(false)
  hasNodes.current = nodes.length > 0
  useEffect(() => {
    // React Flow queues a fit asked for on an empty canvas until nodes appear: do not ask then.
    if (fitRequest > 0 && hasNodes.current) {
      const frame = requestAnimationFrame(() => void fitViewRef.current({ ...fitViewOptions, duration: 250 }))
      return () => cancelAnimationFrame(frame)
    }
  }, [fitRequest])

  const minimapColour = useCallback(
    (node: { data?: unknown }) => {
      const moduleId = (node.data as { moduleId?: string } | undefined)?.moduleId
      return TONE_COLOURS[categoryTone(moduleId ? specOf(moduleId)?.category : undefined)]
    },
    [specOf],
  )

  const isValidConnection: IsValidConnection = useCallback(
    (c) => checkRef.current({ source: c.source, target: c.target, sourceHandle: c.sourceHandle ?? null, targetHandle: c.targetHandle ?? null }).ok,
    [],
  )

  const onConnectEnd = useCallback(
    (_event: MouseEvent | TouchEvent, state: FinalConnectionState) => {
      if (!state.toHandle || !state.fromHandle || state.isValid) return
      const fromSource = state.fromHandle.type === 'source'
      const from = state.fromHandle
      const to = state.toHandle
      const result = checkRef.current(
        fromSource
          ? { source: from.nodeId, sourceHandle: from.id ?? null, target: to.nodeId, targetHandle: to.id ?? null }
          : { source: to.nodeId, sourceHandle: to.id ?? null, target: from.nodeId, targetHandle: from.id ?? null },
      )
      if (!result.ok) onConnectRefused?.(result.reason)
    },
    [onConnectRefused],
  )

  const onDragOver = useCallback(
    (event: DragEvent) => {
      if (readOnly || !hasPaletteDragData(event.dataTransfer)) return
      event.preventDefault()
      event.dataTransfer.dropEffect = 'copy'
      setDropActive(true)
    },
    [readOnly],
  )

  const onDragLeave = useCallback(() => setDropActive(false), [])

  const onDrop = useCallback(
    (event: DragEvent) => {
      setDropActive(false)
      const payload = getDragPayload(event.dataTransfer)
      if (!payload || !onDropEntry || readOnly) return
      event.preventDefault()
      event.stopPropagation()
      const position = screenToFlowPosition({ x: event.clientX, y: event.clientY })
      onDropEntry(payload, { x: position.x - NODE_WIDTH / 2, y: position.y - 24 })
    },
    [onDropEntry, readOnly, screenToFlowPosition],
  )

  return (
    <section
      className={`canvas${dropActive ? ' is-drop-target' : ''}${readOnly ? ' is-read-only' : ''}`}
      aria-label="Experiment canvas"
      onDragOver={onDragOver}
      onDragLeave={onDragLeave}
      onDrop={onDrop}
    >
      <ReactFlow<ModuleNode>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onSelectionChange={onSelectionChange}
        onNodeDoubleClick={onNodeDoubleClick ? (_event, node) => onNodeDoubleClick(node) : undefined}
        onNodeClick={
          onNodeSelectOnly
            ? (event, node) => {
                if (!event.shiftKey && !event.ctrlKey && !event.metaKey) onNodeSelectOnly(node.id)
              }
            : undefined
        }
        fitViewOptions={fitViewOptions}
        proOptions={proOptions}
        minZoom={0.1}
        maxZoom={2}
        snapToGrid
        snapGrid={[10, 10]}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={['Meta', 'Control']}
        connectOnClick={false}
        nodesDraggable={!readOnly}
        nodesConnectable={!readOnly}
        edgesReconnectable={false}
        elevateNodesOnSelect
        connectionRadius={28}
        autoPanOnConnect
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
        <Controls showInteractive={false} aria-label="Zoom controls" fitViewOptions={fitViewOptions} />
        <ConnectionHint check={check} />
      </ReactFlow>
      {children}
      {nodes.length === 0 && emptyState ? <div className="canvas-empty">{emptyState}</div> : null}
    </section>
  )
}
