// Server validation issues → where they show: on a node, on one of its fields or ports, on an edge,
// or (when they name nothing) in the run bar.

import type { ValidationIssue, ValidationResult } from '../../api/types'

export type Severity = 'error' | 'warning'
export type Issue = ValidationIssue & { severity: Severity }

export interface IssueMap {
  /** Every issue that names a node (its fields and ports included). */
  byNode: Map<string, Issue[]>
  /** `${node_id}:${param}` → issues of that field. */
  byField: Map<string, Issue[]>
  /** `${node_id}:${port}` → issues of that port. */
  byPort: Map<string, Issue[]>
  byEdge: Map<string, Issue[]>
  /** Issues that name no node and no edge. */
  general: Issue[]
  errorCount: number
  warningCount: number
}

export const EMPTY_ISSUES: IssueMap = {
  byNode: new Map(),
  byField: new Map(),
  byPort: new Map(),
  byEdge: new Map(),
  general: [],
  errorCount: 0,
  warningCount: 0,
}

export const fieldKey = (nodeId: string, param: string) => `${nodeId}:${param}`

function push<K>(map: Map<K, Issue[]>, key: K, issue: Issue): void {
  const list = map.get(key)
  if (list) list.push(issue)
  else map.set(key, [issue])
}

export function mapIssues(result: Pick<ValidationResult, 'errors' | 'warnings'>): IssueMap {
  const out: IssueMap = {
    byNode: new Map(),
    byField: new Map(),
    byPort: new Map(),
    byEdge: new Map(),
    general: [],
    errorCount: result.errors.length,
    warningCount: result.warnings.length,
  }
  const all: Issue[] = [
    ...result.errors.map((issue) => ({ ...issue, severity: 'error' as const })),
    ...result.warnings.map((issue) => ({ ...issue, severity: 'warning' as const })),
  ]
  for (const issue of all) {
    let placed = false
    if (issue.edge_id) {
      push(out.byEdge, issue.edge_id, issue)
      placed = true
    }
    if (issue.node_id) {
      push(out.byNode, issue.node_id, issue)
      if (issue.param) push(out.byField, fieldKey(issue.node_id, issue.param), issue)
      if (issue.port) push(out.byPort, fieldKey(issue.node_id, issue.port), issue)
      placed = true
    }
    if (!placed) out.general.push(issue)
  }
  return out
}

/** The worst severity in a list, or null for none. */
export function worstSeverity(issues: readonly Issue[] | undefined): Severity | null {
  if (!issues || issues.length === 0) return null
  return issues.some((issue) => issue.severity === 'error') ? 'error' : 'warning'
}

/**
 * The message without the "Node 'n3' (Train Clustering Model): " prefix the server puts in front,
 * for places that already show which node it is about.
 */
export function shortMessage(message: string): string {
  const stripped = message.replace(/^Node '[^']*'(?: \([^)]*\))?:\s*/, '')
  return stripped ? stripped.charAt(0).toUpperCase() + stripped.slice(1) : message
}
