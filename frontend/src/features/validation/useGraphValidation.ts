import { useCallback, useEffect, useRef, useState } from 'react'
import { errorMessage } from '../../api/client'
import { validateGraph } from '../../api/endpoints'
import type { ColumnInfo, Graph, ValidationIssue } from '../../api/types'
import { validationKey } from '../editor/graphDoc'
import { EMPTY_ISSUES, mapIssues, type IssueMap } from './mapIssues'

export const VALIDATION_DEBOUNCE_MS = 450

export type ValidationState = 'idle' | 'checking' | 'valid' | 'invalid' | 'unavailable'

export interface GraphValidation {
  state: ValidationState
  issues: IssueMap
  error: string | null
  /** Shows errors the server sent elsewhere (a refused run) until the next check. */
  show: (errors: ValidationIssue[]) => void
  /** The columns each output port will carry (`node_id.port`), from the last check. */
  columns: Record<string, ColumnInfo[]>
  /**
   * node id → the server's cache signature of the node, from the last check that gave them (what
   * decides whether a run's result is stale); null before any.
   */
  signatures: Readonly<Record<string, string>> | null
}

const NO_COLUMNS: Record<string, ColumnInfo[]> = {}
const NO_SIGNATURES: Readonly<Record<string, string>> = Object.freeze({})

/** Validates the graph on the server as it is edited (debounced; only when what matters changed). */
export function useGraphValidation(graph: Graph | null, enabled = true): GraphValidation {
  const [state, setState] = useState<ValidationState>('idle')
  const [issues, setIssues] = useState<IssueMap>(EMPTY_ISSUES)
  const [error, setError] = useState<string | null>(null)
  const [columns, setColumns] = useState<Record<string, ColumnInfo[]>>(NO_COLUMNS)
  const [signatures, setSignatures] = useState<Readonly<Record<string, string>> | null>(null)
  const lastKey = useRef<string | null>(null)
  const key = graph ? validationKey(graph) : null
  const graphRef = useRef(graph)
  graphRef.current = graph

  useEffect(() => {
    if (!enabled || key === null || !graphRef.current) return
    if (key === lastKey.current) return
    const controller = new AbortController()
    const timer = setTimeout(() => {
      const current = graphRef.current
      if (!current) return
      if (current.nodes.length === 0) {
        lastKey.current = key
        setIssues(EMPTY_ISSUES)
        setSignatures(NO_SIGNATURES)
        setState('idle')
        return
      }
      setState('checking')
      validateGraph(current, controller.signal).then(
        (result) => {
          lastKey.current = key
          setIssues(mapIssues(result))
          setColumns(result.columns ?? NO_COLUMNS)
          if (result.signatures) setSignatures(result.signatures)
          setError(null)
          setState(result.valid ? 'valid' : 'invalid')
        },
        (e: unknown) => {
          if (controller.signal.aborted) return
          setError(errorMessage(e))
          setState('unavailable')
        },
      )
    }, VALIDATION_DEBOUNCE_MS)
    return () => {
      clearTimeout(timer)
      controller.abort()
    }
  }, [key, enabled])

  const show = useCallback((errors: ValidationIssue[]) => {
    setIssues(mapIssues({ errors, warnings: [] }))
    setState(errors.length ? 'invalid' : 'valid')
  }, [])

  return { state, issues, error, show, columns, signatures }
}
