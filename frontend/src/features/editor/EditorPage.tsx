import { ReactFlowProvider } from '@xyflow/react'
import { lazy, Suspense, useCallback, useMemo, useRef, useState } from 'react'
import { useParams } from 'react-router'
import type { Dataset } from '../../api/types'
import { useHealth } from '../../app/apiResources'
import { Header } from '../../app/Header'
import { NotFoundPage } from '../../app/NotFoundPage'
import { StatusBar } from '../../app/StatusBar'
import { Icon, Spinner } from '../../ui/icons'
import { EditorCanvas } from '../canvas/EditorCanvas'
import { RunHistoryPanel } from '../history/RunHistoryPanel'
import { Palette } from '../palette/Palette'
import { PropertiesPanel } from '../properties/PropertiesPanel'
import { NodeLogDialog } from '../runs/NodeLogDialog'
import { OutputDialog } from '../runs/OutputDialog'
import { useShownRunNodes } from '../runs/useShownRunNodes'
import { ShareStrip } from '../sharing/SharedBanners'
import { readOnlyReason } from '../sharing/shareLogic'
import { EMPTY_ISSUES } from '../validation/mapIssues'
import { useGraphValidation } from '../validation/useGraphValidation'
import { CanvasEmptyState, CanvasOverlays, FileDropOverlay } from './CanvasOverlays'
import { EditorContext, type EditorContextValue } from './EditorContext'
import { EditorCrumb } from './EditorCrumb'
import { ConflictDialog, DeleteDatasetDialog, ImportDialog, LeaveDialog } from './EditorDialogs'
import { EditorToolbar } from './EditorToolbar'
import { useRuntimeStore } from './runtimeStore'
import { SidePanel, type SidePanelTab } from './SidePanel'
import { useClipboard } from './useClipboard'
import { useEditActions } from './useEditActions'
import { useEditorResources } from './useEditorResources'
import { useFollowedRun, useRunActions } from './useEditorRuns'
import { useEditorShortcuts } from './useEditorShortcuts'
import { useExperiment } from './useExperiment'
import { useFileDrop } from './useFileDrop'
import { useFlowElements } from './useFlowElements'
import { useGraphDocument } from './useGraphDocument'
import { useGraphImport } from './useGraphImport'
import { useLatest } from './useLatest'
import { useLeaveGuard } from './useLeaveGuard'
import { useNodeDialogs } from './useNodeDialogs'
import { useScriptExport } from './useScriptExport'
import { useViewedRun } from './useViewedRun'
import '../runs/runs.css'
import './editor.css'

// The Share dialog brings the markdown renderer (publish preview): loaded when first opened.
const ShareDialog = lazy(() => import('../sharing/ShareDialog').then((module) => ({ default: module.ShareDialog })))

/** The editor at /experiments/:id. */
export function EditorPage() {
  const { id } = useParams()
  const experimentId = Number(id)
  if (!Number.isInteger(experimentId) || experimentId <= 0) {
    return <NotFoundPage title="No such experiment" text="Experiment addresses look like /experiments/12." />
  }
  return (
    <ReactFlowProvider key={experimentId}>
      <Editor experimentId={experimentId} />
    </ReactFlowProvider>
  )
}

function Editor({ experimentId }: { experimentId: number }) {
  const health = useHealth()
  const [fitRequest, setFitRequest] = useState(0)
  const requestFit = useCallback(() => setFitRequest((n) => n + 1), [])
  const [panel, setPanel] = useState<SidePanelTab>('properties')
  const showProperties = useCallback(() => setPanel('properties'), [])
  const [sharing, setSharing] = useState(false)
  const [deletingDataset, setDeletingDataset] = useState<Dataset | null>(null)
  const importInput = useRef<HTMLInputElement>(null)

  // The draft, the experiment it belongs to, and a past run that may be shown instead.
  const draft = useGraphDocument()
  const { doc, graph, dispatch } = draft
  const followed = useFollowedRun()
  const experiment = useExperiment({ experimentId, graph, graphKey: draft.key, dispatch, requestFit, followRun: followed.follow })
  const { loadState, meta, dirty, save } = experiment
  const ready = loadState === 'ready'
  const viewed = useViewedRun({ experimentId, dispatch, requestFit })
  const { viewing } = viewed
  const readOnly = viewing !== null || meta.role === 'viewer'
  const shownDoc = viewing ? viewing.doc : doc
  const shownRun = viewing ? viewing.run : followed.run

  // What the server says about it: modules, datasets, validation, which run results still hold.
  const { catalogue, specs, specOf, datasetModule, trainedModelModule, datasets, models } = useEditorResources({ doc, ready })
  const validation = useGraphValidation(ready ? graph : null, ready)
  const shownRunNodes = useShownRunNodes({ experimentId, run: shownRun, current: !viewing, graph, signatures: validation.signatures })
  const shownIssues = viewing ? EMPTY_ISSUES : validation.issues
  const runtime = useRuntimeStore(shownRunNodes, shownIssues)

  // What the user does.
  const edit = useEditActions({ dispatch, doc, readOnly, viewed, specs, datasetModule, trainedModelModule, onNodeAdded: showProperties, requestFit })
  const clipboard = useClipboard({ dispatch, shownDoc, doc, readOnly, selectNode: edit.selectNode })
  const latestDoc = useLatest(doc)
  const selectedNodes = useCallback(() => latestDoc.current.nodes.filter((n) => n.selected).map((n) => n.id), [latestDoc])
  const runs = useRunActions({ experimentId, followed, dirty, save, selectedNodes, leaveViewedRun: viewed.close, showIssues: validation.show })
  const nodeDialogs = useNodeDialogs({ shownRun, shownDoc, specOf, datasetOf: datasets.datasetOf, modelOf: models.modelOf })
  const graphImport = useGraphImport({ dispatch, name: meta.name, graph, requestFit })
  // A script repeats the run on the canvas: a past run being viewed, or the last run if it ran the saved version.
  const exportedRunId = viewing ? viewing.run.id : followed.run?.experimentVersion === meta.version ? followed.run.id : null
  const exportScript = useScriptExport(experimentId, dirty, exportedRunId)
  const leaveGuard = useLeaveGuard({ dirty, save, leavingForCopy: experiment.leavingForCopy })
  const fileOver = useFileDrop({ onFiles: datasets.uploads.upload, readOnly })
  useEditorShortcuts({
    dispatch,
    readOnly,
    viewing: viewing !== null,
    actions: { ...clipboard, save, selectAll: edit.selectAll, removeSelection: edit.removeSelection, clearSelection: edit.clearDraftSelection },
  })

  const flow = useFlowElements(shownDoc, shownRunNodes, specs)
  const selection = useMemo(() => shownDoc.nodes.filter((n) => n.selected), [shownDoc.nodes])
  const { openOutput, openLog } = nodeDialogs
  const { duplicateNode } = clipboard
  const { deleteNode } = edit
  const { run } = runs
  const nodeActions = useMemo(() => ({ openOutput, openLog, duplicateNode, deleteNode, runNode: (nodeId: string) => void run([nodeId]) }), [openOutput, openLog, duplicateNode, deleteNode, run])
  const running = followed.running
  const context = useMemo<EditorContextValue>(
    () => ({ specOf, datasetOf: datasets.datasetOf, modelOf: models.modelOf, runtime, actions: nodeActions, readOnly, running, portColumns: validation.columns }),
    [specOf, datasets.datasetOf, models.modelOf, runtime, nodeActions, readOnly, running, validation.columns],
  )

  if (loadState === 'missing') {
    return <NotFoundPage title="Experiment not found" text="It may have been deleted, or it belongs to someone else." />
  }

  const readOnlyWhy = readOnlyReason(meta.role, !!viewing, meta.owner?.username)
  const showStrip = meta.role === 'viewer' && ready && !!meta.owner
  const toolbar = (
    <EditorToolbar
      readOnlyWhy={readOnlyWhy}
      readOnly={readOnly}
      loaded={ready}
      hasNodes={doc.nodes.length > 0}
      canUndo={draft.canUndo}
      canRedo={draft.canRedo}
      saving={experiment.saveState === 'saving'}
      running={running}
      canShare={meta.role === 'owner' && ready}
      canCancel={running && meta.role !== 'viewer'}
      offerRunSelected={selection.length > 0 && !viewing && !running}
      onUndo={draft.undo}
      onRedo={draft.redo}
      onAutoLayout={() => void edit.autoLayout()}
      onExport={graphImport.exportGraph}
      onExportScript={(format) => void exportScript(format)}
      onImport={() => importInput.current?.click()}
      onFitView={requestFit}
      onSelectAll={edit.selectAll}
      onShowRuns={() => setPanel('runs')}
      onShare={() => setSharing(true)}
      onSave={() => void save()}
      onRunSelected={runs.runSelected}
      onCancel={() => void runs.cancel()}
      onRun={() => void run()}
    />
  )

  return (
    <EditorContext.Provider value={context}>
      <div className={`app-shell${readOnly ? ' is-read-only' : ''}${showStrip ? ' has-share-strip' : ''}`} data-testid="editor">
        <Header
          crumb={<EditorCrumb loadState={loadState} meta={meta} dirty={dirty} saveState={experiment.saveState} readOnly={readOnly} onRename={experiment.rename} />}
          actions={toolbar}
          nav={false}
        />
        {showStrip && meta.owner ? (
          <ShareStrip title={`Shared by ${meta.owner.username} · you can view`} detail="Look at the graph, the runs and their outputs. To change or run it, save a copy of your own.">
            <button type="button" className="btn btn-small btn-primary" onClick={() => void experiment.saveSharedCopy()} disabled={experiment.cloning}>
              {experiment.cloning ? <Spinner size={12} /> : <Icon name="copy" size={12} />}
              Save a copy
            </button>
          </ShareStrip>
        ) : null}
        <main className="workspace">
          <Palette
            catalogue={catalogue}
            datasets={datasets.datasets}
            uploads={datasets.uploads.items}
            onUploadFiles={datasets.uploads.upload}
            onDismissUpload={datasets.uploads.dismiss}
            onDeleteDataset={setDeletingDataset}
            onAddModule={(spec) => edit.addAtCentre({ kind: 'module', moduleId: spec.id })}
            onAddDataset={(dataset) => edit.addAtCentre({ kind: 'dataset', datasetId: dataset.id })}
            models={models.models}
            onAddModel={(model) => edit.addAtCentre({ kind: 'model', modelId: model.id })}
            disabled={readOnly}
          />
          <EditorCanvas
            nodes={flow.nodes}
            edges={flow.edges}
            onNodesChange={edit.onNodesChange}
            onEdgesChange={edit.onEdgesChange}
            onConnect={edit.onConnect}
            check={edit.check}
            onDropEntry={edit.addEntry}
            onConnectRefused={edit.onConnectRefused}
            onNodeSelectOnly={edit.selectNode}
            onNodeDoubleClick={nodeDialogs.openNode}
            fitRequest={fitRequest}
            emptyState={ready && !viewing ? <CanvasEmptyState /> : undefined}
          >
            <CanvasOverlays
              loadState={loadState}
              loadError={experiment.loadError}
              onRetry={() => void experiment.reload()}
              viewing={viewing}
              canRestore={meta.role !== 'viewer'}
              onRestore={viewed.restore}
              onBackToDraft={viewed.close}
              currentRun={followed.run}
              runBarHidden={runs.runBarHidden}
              onHideRunBar={runs.hideRunBar}
            />
          </EditorCanvas>
          <SidePanel tab={panel} onTab={setPanel}>
            {panel === 'properties' ? (
              <PropertiesPanel
                doc={shownDoc}
                selection={selection}
                datasets={datasets.list}
                models={models.list}
                issues={shownIssues}
                onParamChange={edit.onParamChange}
                onCommentChange={edit.onCommentChange}
                onSeal={edit.seal}
                onSelectNode={edit.selectNode}
                onRunSelected={runs.runSelected}
                onDeleteSelection={edit.removeSelection}
                onDuplicateSelection={clipboard.duplicate}
              />
            ) : (
              <RunHistoryPanel experimentId={experimentId} refreshKey={followed.runsRefresh} openRunId={viewing?.run.id ?? null} onOpen={(r) => void viewed.open(r)} />
            )}
          </SidePanel>
        </main>
        <StatusBar
          health={health}
          nodeCount={shownDoc.nodes.length}
          edgeCount={shownDoc.edges.length}
          validation={{ state: validation.state, errors: validation.issues.errorCount, warnings: validation.issues.warningCount }}
          readOnly={readOnly}
        />
        <input
          ref={importInput}
          type="file"
          hidden
          accept=".json,application/json"
          aria-label="Import graph file"
          data-testid="import-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0]
            event.target.value = ''
            if (file) void graphImport.importFile(file)
          }}
        />
      </div>
      {fileOver && !readOnly ? <FileDropOverlay /> : null}
      {nodeDialogs.output ? <OutputDialog {...nodeDialogs.output} onClose={nodeDialogs.closeOutput} /> : null}
      {sharing && meta.owner ? (
        <Suspense fallback={null}>
          <ShareDialog experimentId={experimentId} experimentName={meta.name} owner={meta.owner} onClose={() => setSharing(false)} />
        </Suspense>
      ) : null}
      {nodeDialogs.log ? <NodeLogDialog {...nodeDialogs.log} onClose={nodeDialogs.closeLog} /> : null}
      {graphImport.importing ? <ImportDialog candidate={graphImport.importing} specOf={specOf} onImport={graphImport.applyImport} onClose={graphImport.cancelImport} /> : null}
      {experiment.conflict ? (
        <ConflictDialog
          message={experiment.conflict.message}
          busy={experiment.conflictBusy}
          onReload={() => void experiment.reloadLatest()}
          onSaveCopy={() => void experiment.saveAsCopy()}
          onClose={experiment.dismissConflict}
        />
      ) : null}
      {leaveGuard.asking ? <LeaveDialog saving={leaveGuard.saving} onStay={leaveGuard.stay} onLeave={leaveGuard.leave} onSaveAndLeave={() => void leaveGuard.saveAndLeave()} /> : null}
      {deletingDataset ? (
        <DeleteDatasetDialog
          dataset={deletingDataset}
          onClose={() => setDeletingDataset(null)}
          onDelete={() => {
            setDeletingDataset(null)
            void datasets.remove(deletingDataset)
          }}
        />
      ) : null}
    </EditorContext.Provider>
  )
}
