import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it, vi } from 'vitest'
import type { Dataset } from '../../api/types'
import { catalogue, specOf } from '../../test/fixtures'
import { EditorContext, type EditorContextValue } from '../editor/EditorContext'
import { makeEdge, makeNode, type Doc, type ModuleNode } from '../editor/graphDoc'
import { RuntimeStore } from '../editor/runtimeStore'
import { EMPTY_ISSUES, mapIssues, type IssueMap } from '../validation/mapIssues'
import { defaultParams } from './paramSchema'
import { PropertiesPanel } from './PropertiesPanel'

const iris: Dataset = {
  id: 'sample-iris',
  name: 'Iris',
  n_rows: 150,
  n_columns: 5,
  size_bytes: 4000,
  created_at: null,
  sample: true,
  columns: [
    { name: 'sepal_length', type: 'numeric' },
    { name: 'sepal_width', type: 'numeric' },
    { name: 'petal_length', type: 'numeric' },
    { name: 'petal_width', type: 'numeric' },
    { name: 'species', type: 'string' },
  ],
}

const context: EditorContextValue = {
  specOf: (id) => catalogue.find((m) => m.id === id),
  datasetOf: (id) => (id === iris.id ? iris : undefined),
  runtime: new RuntimeStore(),
  actions: { openOutput: vi.fn(), openLog: vi.fn(), duplicateNode: vi.fn(), deleteNode: vi.fn(), runNode: vi.fn() },
  readOnly: false,
  running: false,
}

/** The panel over a live document, the way the editor wires it. */
function Harness({ initial, selected, issues = EMPTY_ISSUES, onChange }: { initial: Doc; selected: string; issues?: IssueMap; onChange?: (doc: Doc) => void }) {
  const [doc, setDoc] = useState(initial)
  const update = (next: Doc) => {
    setDoc(next)
    onChange?.(next)
  }
  return (
    <EditorContext.Provider value={context}>
      <PropertiesPanel
        doc={doc}
        selection={doc.nodes.filter((n) => n.id === selected)}
        datasets={[iris]}
        issues={issues}
        onParamChange={(nodeId, paramId, value) =>
          update({ ...doc, nodes: doc.nodes.map((n) => (n.id === nodeId ? { ...n, data: { ...n.data, params: { ...n.data.params, [paramId]: value } } } : n)) })
        }
        onCommentChange={() => {}}
        onSeal={() => {}}
        onSelectNode={() => {}}
      />
    </EditorContext.Provider>
  )
}

const node = (moduleId: string, id: string, params?: Record<string, unknown>): ModuleNode =>
  makeNode(moduleId, { x: 0, y: 0 }, params ?? defaultParams(specOf(moduleId)), id)

describe('the parameter panel generated from the schema', () => {
  it('labels every field with the display name and picks the control by type', () => {
    render(<Harness initial={{ nodes: [node('kmeans_clustering', 'km')], edges: [] }} selected="km" />)
    expect(screen.getByRole('heading', { name: 'K-Means Clustering' })).toBeInTheDocument()
    const mode = screen.getByLabelText('Create trainer mode')
    expect(mode.tagName).toBe('SELECT')
    expect(within(mode as HTMLElement).getAllByRole('option').map((o) => o.textContent)).toEqual(['Single Parameter', 'Parameter Range'])
    const k = screen.getByLabelText('Number of Centroids') as HTMLInputElement
    expect(k.type).toBe('number')
    expect(k.min).toBe('2')
    expect(k.value).toBe('2')
    expect(screen.getByLabelText('Iterations')).toHaveAttribute('max', '10000')
    expect((screen.getByLabelText('Normalize features') as HTMLInputElement).type).toBe('checkbox')
    expect(screen.getByLabelText('Normalize features')).toBeChecked()
    expect(screen.getByLabelText('Random number seed')).toBeDisabled() // null seed: drawn at random
    // Parameters of the other mode are not shown.
    expect(screen.queryByLabelText('Range for Number of Centroids')).toBeNull()
    expect(screen.queryByLabelText('Number of seeds to sweep')).toBeNull()
  })

  it('shows the parameters of the mode chosen, with the range builder expansion', async () => {
    const user = userEvent.setup()
    render(<Harness initial={{ nodes: [node('kmeans_clustering', 'km')], edges: [] }} selected="km" />)
    await user.selectOptions(screen.getByLabelText('Create trainer mode'), 'range')
    expect(screen.queryByLabelText('Number of Centroids')).toBeNull()
    const range = screen.getByLabelText('Range for Number of Centroids')
    expect(screen.getByTestId('range-preview')).toHaveTextContent('4 values2, 3, 4, 5')
    await user.clear(range)
    await user.type(range, '2-4, 10')
    expect(screen.getByTestId('range-preview')).toHaveTextContent('4 values2, 3, 4, 10')
    expect(screen.getByRole('group', { name: 'Initialization for sweep' })).toBeInTheDocument()
    expect(screen.getByLabelText('Number of seeds to sweep')).toHaveValue(1)
  })

  it('marks an invalid value at once', async () => {
    const user = userEvent.setup()
    render(<Harness initial={{ nodes: [node('kmeans_clustering', 'km')], edges: [] }} selected="km" />)
    const k = screen.getByLabelText('Number of Centroids')
    await user.clear(k)
    await user.type(k, '1')
    expect(k).toHaveAttribute('aria-invalid', 'true')
    expect(screen.getByRole('alert')).toHaveTextContent('Must be ≥ 2')
    await user.type(k, '0')
    expect(k).not.toHaveAttribute('aria-invalid')
  })

  it('shows the server’s validation errors on the field they name', () => {
    const issues = mapIssues({
      errors: [{ node_id: 'km', param: 'iterations', code: '0007', message: "Parameter 'Iterations' must be ≤ 10000" }],
      warnings: [],
    })
    render(<Harness initial={{ nodes: [node('kmeans_clustering', 'km')], edges: [] }} selected="km" issues={issues} />)
    const field = screen.getByLabelText('Iterations')
    expect(field).toHaveAttribute('aria-invalid', 'true')
    expect(field).toHaveAccessibleDescription(expect.stringContaining('must be ≤ 10000'))
  })

  it('offers the upstream dataset’s columns by name for a column parameter', async () => {
    const doc: Doc = {
      nodes: [node('dataset', 'data', { dataset_id: 'sample-iris' }), node('train_clustering_model', 'train')],
      edges: [makeEdge('e1', 'data', 'dataset', 'train', 'dataset')],
    }
    render(<Harness initial={doc} selected="train" />)
    const label = screen.getByLabelText('Label column')
    expect(within(label).getAllByRole('option').map((o) => o.textContent)).toEqual([
      'None',
      'sepal_length · numeric',
      'sepal_width · numeric',
      'petal_length · numeric',
      'petal_width · numeric',
      'species · string',
    ])
    expect(screen.getAllByText('Columns of Iris')).toHaveLength(2) // the label and the weight column
    // The column set shows what the default selects, evaluated on the real columns.
    expect(screen.getByText(/4 selected: sepal_length, sepal_width, petal_length, petal_width/)).toBeInTheDocument()
  })

  it('leaves the weight column out of the default column set', () => {
    const doc: Doc = {
      nodes: [
        node('dataset', 'data', { dataset_id: 'sample-iris' }),
        node('train_clustering_model', 'train', { weight_column: 'petal_width' }),
      ],
      edges: [makeEdge('e1', 'data', 'dataset', 'train', 'dataset')],
    }
    render(<Harness initial={doc} selected="train" />)
    expect(screen.getByText(/3 selected: sepal_length, sepal_width, petal_length/)).toBeInTheDocument()
  })

  it('edits a column set with rules and previews the result', async () => {
    const user = userEvent.setup()
    const changes: Doc[] = []
    const doc: Doc = {
      nodes: [node('dataset', 'data', { dataset_id: 'sample-iris' }), node('train_clustering_model', 'train')],
      edges: [makeEdge('e1', 'data', 'dataset', 'train', 'dataset')],
    }
    render(<Harness initial={doc} selected="train" onChange={(d) => changes.push(d)} />)
    await user.click(screen.getByLabelText('Column Set'))
    const dialog = screen.getByRole('dialog')
    await user.click(within(dialog).getByRole('tab', { name: 'With rules' }))
    await user.click(within(dialog).getByRole('button', { name: 'All columns' }))
    await user.selectOptions(within(dialog).getByLabelText('Rule 1: include or exclude'), 'exclude')
    await user.selectOptions(within(dialog).getByLabelText('Rule 1: column type'), 'string')
    await user.click(within(dialog).getByRole('button', { name: 'Add rule' }))
    await user.selectOptions(within(dialog).getByLabelText('Rule 2: what'), 'names')
    await user.selectOptions(within(dialog).getByLabelText('Rule 2: column names'), 'sepal_width')
    expect(within(dialog).getByTestId('column-preview')).toHaveTextContent('3 columns selected: sepal_length, petal_length, petal_width')
    await user.click(within(dialog).getByRole('button', { name: 'Apply' }))
    const params = changes.at(-1)!.nodes[1].data.params
    expect(params.column_set).toEqual({
      rules: { start: 'all', steps: [{ op: 'exclude', type: 'string' }, { op: 'exclude', names: ['sepal_width'] }] },
    })
  })
})
