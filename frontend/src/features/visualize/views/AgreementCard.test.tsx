import { render, screen, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { LabelAgreement } from '../profile'
import { AgreementCard } from './AgreementCard'

const ref = { runId: 3, nodeId: 'train', port: 'results_dataset' }

const agreement: LabelAgreement = {
  assignments: 'Assignments',
  label_column: 'species',
  n_rows: 150,
  compared_rows: 149,
  left_out: { missing_assignment: 0, noise: 0, missing_label: 1 },
  metrics: [
    { id: 'adjusted_rand', name: 'Adjusted Rand index', description: 'pairs of rows grouped alike, 0 for chance', value: 0.7302 },
    { id: 'purity', name: 'Purity', description: "share of rows in their cluster's most common label", value: 0.8933 },
  ],
  clusters: [0, 1],
  labels: ['setosa', 'virginica'],
  contingency: [
    [50, 0],
    [2, 97],
  ],
}

afterEach(() => vi.unstubAllGlobals())

describe('AgreementCard', () => {
  it('asks for nothing until a label column is chosen, then shows the scores and the table', async () => {
    const calls: string[] = []
    vi.stubGlobal(
      'fetch',
      vi.fn(async (input: RequestInfo | URL) => {
        calls.push(String(input))
        return new Response(JSON.stringify(agreement), { status: 200, headers: { 'Content-Type': 'application/json' } })
      }),
    )
    render(<AgreementCard outputRef={ref} candidates={['species', 'sepal length']} />)
    expect(calls).toEqual([])
    await userEvent.selectOptions(screen.getByTestId('agreement-label'), 'species')
    const scores = await screen.findByTestId('agreement-metrics')
    expect(calls).toEqual(['/api/runs/3/nodes/train/outputs/results_dataset/agreement?label=species'])
    expect(within(scores).getByText('Adjusted Rand index')).toBeTruthy()
    expect(within(scores).getByText('0.73')).toBeTruthy()
    expect(screen.getByText(/149 rows compared\. Left out: 1 without a label\./)).toBeTruthy()
    const cells = within(screen.getByTestId('contingency-table')).getAllByRole('cell')
    expect(cells.map((cell) => cell.textContent)).toEqual(['50', '0', '2', '97'])
    expect(cells[0].className).toBe('is-strong')
    expect(cells[1].className).toBe('')
  })
})
