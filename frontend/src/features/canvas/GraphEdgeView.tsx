import { BaseEdge, EdgeLabelRenderer, getBezierPath, type EdgeProps } from '@xyflow/react'
import { memo } from 'react'
import { useEditor } from '../editor/EditorContext'
import { useEdgeIssues } from '../editor/runtimeStore'

export type GraphEdgeData = { portType?: string }

function GraphEdgeViewImpl({ id, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, selected, data, markerEnd }: EdgeProps) {
  const { runtime } = useEditor()
  const issues = useEdgeIssues(runtime, id)
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition })
  const portType = (data as GraphEdgeData | undefined)?.portType ?? 'other'
  const hasIssue = issues.length > 0
  return (
    <>
      <BaseEdge
        id={id}
        path={path}
        markerEnd={markerEnd}
        className={`graph-edge edge-${portType}${selected ? ' is-selected' : ''}${hasIssue ? ' has-issue' : ''}`}
        interactionWidth={16}
      />
      {hasIssue ? (
        <EdgeLabelRenderer>
          <div
            className="edge-issue nodrag nopan"
            style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
            title={issues.map((issue) => `${issue.code}: ${issue.message}`).join('\n')}
            role="img"
            aria-label={`Connection problem: ${issues[0].message}`}
          >
            !
          </div>
        </EdgeLabelRenderer>
      ) : null}
    </>
  )
}

export const GraphEdgeView = memo(GraphEdgeViewImpl)
