import {
  ReactFlowProvider,
  addEdge,
  useEdgesState,
  useNodesState,
  useReactFlow,
  type Edge,
  type OnConnect,
  type OnSelectionChangeFunc,
} from '@xyflow/react'
import { useCallback, useMemo, useState } from 'react'
import { useParams } from 'react-router'
import type { ModuleSpec } from '../api/types'
import { EditorCanvas } from '../features/canvas/EditorCanvas'
import { createModuleNode, newNodeId, type ModuleNode } from '../features/canvas/nodes'
import { Palette } from '../features/palette/Palette'
import { PropertiesPanel } from '../features/properties/PropertiesPanel'
import { useHealth, useModuleCatalogue } from './apiResources'
import { Header } from './Header'
import { StatusBar } from './StatusBar'

function ToolbarIcon({ kind }: { kind: 'save' | 'run' }) {
  return kind === 'save' ? (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path d="M3 2.5h8l2.5 2.5v8.5h-11z M5.5 2.5v3.5h5v-3.5 M5 13.5v-4h6v4" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
    </svg>
  ) : (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path d="M4.5 2.8v10.4l8.5-5.2z" fill="currentColor" />
    </svg>
  )
}

function Workspace() {
  const health = useHealth()
  const catalogue = useModuleCatalogue()
  const { screenToFlowPosition } = useReactFlow()
  const [nodes, setNodes, onNodesChange] = useNodesState<ModuleNode>([])
  const [edges, setEdges, onEdgesChange] = useEdgesState<Edge>([])
  const [selectedIds, setSelectedIds] = useState<string[]>([])

  const catalogueData = catalogue.state === 'ready' ? catalogue.data : undefined
  const specs = useMemo(() => {
    const map = new Map<string, ModuleSpec>()
    if (Array.isArray(catalogueData)) {
      for (const spec of catalogueData) map.set(spec.id, spec)
    }
    return map
  }, [catalogueData])

  const addNode = useCallback(
    (spec: ModuleSpec, position: { x: number; y: number }) =>
      setNodes((current) => [
        ...current.map((node) => (node.selected ? { ...node, selected: false } : node)),
        { ...createModuleNode(spec, position, newNodeId(new Set(current.map((n) => n.id)))), selected: true },
      ]),
    [setNodes],
  )

  const onDropModule = useCallback(
    (moduleId: string, position: { x: number; y: number }) => {
      const spec = specs.get(moduleId)
      if (spec) addNode(spec, position)
    },
    [addNode, specs],
  )

  const onAddModule = useCallback(
    (spec: ModuleSpec) => {
      const pane = document.querySelector('.canvas')?.getBoundingClientRect()
      const centre = pane
        ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 }
        : { x: window.innerWidth / 2, y: window.innerHeight / 2 }
      const position = screenToFlowPosition(centre)
      const offset = (nodes.length % 6) * 24
      addNode(spec, { x: position.x - 90 + offset, y: position.y - 20 + offset })
    },
    [addNode, nodes.length, screenToFlowPosition],
  )

  const onConnect: OnConnect = useCallback((connection) => setEdges((current) => addEdge(connection, current)), [setEdges])

  const onSelectionChange: OnSelectionChangeFunc<ModuleNode> = useCallback(
    ({ nodes: selected }) => setSelectedIds(selected.map((node) => node.id)),
    [],
  )

  const selection = useMemo(() => nodes.filter((node) => selectedIds.includes(node.id)), [nodes, selectedIds])

  return (
    <>
      <main className="workspace">
        <Palette catalogue={catalogue} onAddModule={onAddModule} />
        <EditorCanvas
          nodes={nodes}
          edges={edges}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={onConnect}
          onSelectionChange={onSelectionChange}
          onDropModule={onDropModule}
        />
        <PropertiesPanel selection={selection} />
      </main>
      <StatusBar health={health} nodeCount={nodes.length} edgeCount={edges.length} />
    </>
  )
}

/** The experiment editor: `/` (a new, unsaved experiment) and `/experiments/:id`. */
export function EditorPage() {
  const { id } = useParams()
  const experimentName = id ? `Experiment ${id}` : 'Untitled experiment'
  return (
    <div className="app-shell" data-testid="editor">
      <Header
        experimentName={experimentName}
        actions={
          <>
            <button type="button" className="btn" disabled title="Saving arrives with experiments">
              <ToolbarIcon kind="save" />
              Save
            </button>
            <button type="button" className="btn btn-primary" disabled title="Running arrives with experiments">
              <ToolbarIcon kind="run" />
              Run
            </button>
          </>
        }
      />
      <ReactFlowProvider>
        <Workspace />
      </ReactFlowProvider>
    </div>
  )
}
