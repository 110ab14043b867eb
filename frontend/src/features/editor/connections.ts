// Whether an edge may be drawn: output → input of the same port type, one edge per input, no
// self-loops and no cycles. The same rules the server validates, checked while the user drags.

import type { Connection, Edge } from '@xyflow/react'
import type { ModuleSpec, PortSpec } from '../../api/types'
import type { ModuleNode } from './graphDoc'

export type ConnectionCheck = { ok: true } | { ok: false; reason: string }

export function portTypeLabel(type: string): string {
  return type.replace(/_/g, ' ')
}

/** "a data table", "an untrained cluster model". */
export function withArticle(text: string): string {
  return `${/^[aeiou]/i.test(text) ? 'an' : 'a'} ${text}`
}

function findPort(spec: ModuleSpec | undefined, id: string | null | undefined, side: 'inputs' | 'outputs'): PortSpec | undefined {
  return spec?.[side]?.find((port) => port.id === id)
}

function reaches(edges: readonly Pick<Edge, 'source' | 'target'>[], from: string, to: string): boolean {
  const next = new Map<string, string[]>()
  for (const edge of edges) {
    const list = next.get(edge.source)
    if (list) list.push(edge.target)
    else next.set(edge.source, [edge.target])
  }
  const stack = [from]
  const seen = new Set<string>()
  while (stack.length) {
    const id = stack.pop() as string
    if (id === to) return true
    if (seen.has(id)) continue
    seen.add(id)
    stack.push(...(next.get(id) ?? []))
  }
  return false
}

export function checkConnection(
  connection: Pick<Connection, 'source' | 'target' | 'sourceHandle' | 'targetHandle'>,
  nodes: readonly ModuleNode[],
  edges: readonly Edge[],
  specOf: (moduleId: string) => ModuleSpec | undefined,
): ConnectionCheck {
  const { source, target, sourceHandle, targetHandle } = connection
  if (!source || !target) return { ok: false, reason: 'Drop the connection on a port' }
  if (source === target) return { ok: false, reason: 'A module cannot feed itself' }
  const sourceNode = nodes.find((node) => node.id === source)
  const targetNode = nodes.find((node) => node.id === target)
  if (!sourceNode || !targetNode) return { ok: false, reason: 'Unknown module' }
  const out = findPort(specOf(sourceNode.data.moduleId), sourceHandle, 'outputs')
  const input = findPort(specOf(targetNode.data.moduleId), targetHandle, 'inputs')
  if (!out || !input) return { ok: false, reason: 'Connect an output (bottom) to an input (top)' }
  if (out.type !== input.type) {
    return {
      ok: false,
      reason: `${out.name} is ${withArticle(portTypeLabel(out.type))}; ${input.name} takes ${withArticle(portTypeLabel(input.type))}`,
    }
  }
  if (edges.some((edge) => edge.target === target && edge.targetHandle === targetHandle)) {
    return { ok: false, reason: `${input.name} already has a connection — an input takes one` }
  }
  if (reaches(edges, target, source)) return { ok: false, reason: 'That connection would make a cycle' }
  return { ok: true }
}
