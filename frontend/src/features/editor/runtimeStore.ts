// What each node and edge shows besides the document: run status and validation issues. Nodes
// subscribe to their own entry, so a status change re-renders only the nodes whose status changed.

import { useEffect, useState, useSyncExternalStore } from 'react'
import { IDLE, type NodeRunView } from '../runs/runState'
import { EMPTY_ISSUES, worstSeverity, type Issue, type IssueMap, type Severity } from '../validation/mapIssues'

export interface NodeRuntime {
  run: NodeRunView
  issues: readonly Issue[]
  severity: Severity | null
}

const NO_ISSUES: readonly Issue[] = Object.freeze([])
export const EMPTY_RUNTIME: NodeRuntime = Object.freeze({ run: IDLE, issues: NO_ISSUES, severity: null })

function sameIssues(a: readonly Issue[], b: readonly Issue[]): boolean {
  if (a.length !== b.length) return false
  return a.every((issue, i) => {
    const other = b[i]
    return issue.code === other.code && issue.message === other.message && issue.param === other.param && issue.port === other.port && issue.severity === other.severity
  })
}

export class RuntimeStore {
  private nodes = new Map<string, NodeRuntime>()
  private edges = new Map<string, readonly Issue[]>()
  private listeners = new Set<() => void>()

  subscribe = (listener: () => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getNode = (id: string): NodeRuntime => this.nodes.get(id) ?? EMPTY_RUNTIME

  getEdge = (id: string): readonly Issue[] => this.edges.get(id) ?? NO_ISSUES

  /** Replaces every entry; entries that did not change keep their identity. */
  update(runNodes: Readonly<Record<string, NodeRunView>> | null, issues: IssueMap = EMPTY_ISSUES): void {
    const nodes = new Map<string, NodeRuntime>()
    const ids = new Set<string>([...Object.keys(runNodes ?? {}), ...issues.byNode.keys()])
    for (const id of ids) {
      const run = runNodes?.[id] ?? IDLE
      const list = issues.byNode.get(id) ?? NO_ISSUES
      const previous = this.nodes.get(id)
      if (previous && previous.run === run && sameIssues(previous.issues, list)) nodes.set(id, previous)
      else nodes.set(id, { run, issues: list, severity: worstSeverity(list) })
    }
    const edges = new Map<string, readonly Issue[]>()
    for (const [id, list] of issues.byEdge) {
      const previous = this.edges.get(id)
      edges.set(id, previous && sameIssues(previous, list) ? previous : list)
    }
    this.nodes = nodes
    this.edges = edges
    for (const listener of this.listeners) listener()
  }
}

export function useNodeRuntime(store: RuntimeStore, id: string): NodeRuntime {
  return useSyncExternalStore(store.subscribe, () => store.getNode(id))
}

export function useEdgeIssues(store: RuntimeStore, id: string): readonly Issue[] {
  return useSyncExternalStore(store.subscribe, () => store.getEdge(id))
}

/** A store that holds `runNodes` and `issues` (updated after each render that changes them). */
export function useRuntimeStore(runNodes: Readonly<Record<string, NodeRunView>> | null, issues: IssueMap): RuntimeStore {
  const [store] = useState(() => new RuntimeStore())
  useEffect(() => store.update(runNodes, issues), [store, runNodes, issues])
  return store
}
