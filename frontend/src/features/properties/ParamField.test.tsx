import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { useState } from 'react'
import { describe, expect, it } from 'vitest'
import type { ParamSpec } from '../../api/types'
import { ParamField } from './ParamField'

/** One field over a live value, the way the properties panel wires it. */
function Field({ param, initial }: { param: ParamSpec; initial: unknown }) {
  const [value, setValue] = useState(initial)
  return (
    <>
      <ParamField param={param} value={value} problem={null} serverMessages={[]} onChange={setValue} onCommit={() => {}} params={{}} />
      <output data-testid="stored">{JSON.stringify(value)}</output>
      <button type="button" onClick={() => setValue(7)}>
        Set to 7
      </button>
    </>
  )
}

describe('the field each parameter kind gets', () => {
  it.each([
    [{ id: 'p', name: 'P', type: 'int' }, 'spinbutton'],
    [{ id: 'p', name: 'P', type: 'float' }, 'spinbutton'],
    [{ id: 'p', name: 'P', type: 'seed' }, 'spinbutton'],
    [{ id: 'p', name: 'P', type: 'bool' }, 'checkbox'],
    [{ id: 'p', name: 'P', type: 'choice', choices: [{ value: 'a', label: 'A' }] }, 'combobox'],
    [{ id: 'p', name: 'P', type: 'multi_choice', choices: [{ value: 'a', label: 'A' }] }, 'group'],
    [{ id: 'p', name: 'P', type: 'int_range_string' }, 'textbox'],
    [{ id: 'p', name: 'P', type: 'column' }, 'textbox'],
    [{ id: 'p', name: 'P', type: 'column_set' }, 'button'],
    [{ id: 'p', name: 'P', type: 'dataset' }, 'combobox'],
    [{ id: 'p', name: 'P', type: 'trained_model' }, 'combobox'],
    [{ id: 'p', name: 'P', type: 'a_kind_from_a_newer_server' }, 'textbox'],
  ] as [ParamSpec, string][])('%o → %s', (param, role) => {
    render(<Field param={param} initial={null} />)
    expect(screen.getByRole(role, { name: 'P' })).toBeInTheDocument()
  })
})

describe('a number box', () => {
  const param: ParamSpec = { id: 'tol', name: 'Tolerance', type: 'float' }

  it('keeps what is typed while storing the parsed number', async () => {
    render(<Field param={param} initial={1} />)
    const box = screen.getByRole('spinbutton', { name: 'Tolerance' })
    await userEvent.clear(box)
    await userEvent.type(box, '2.50')
    expect(box).toHaveValue(2.5)
    expect(screen.getByTestId('stored')).toHaveTextContent('2.5')
  })

  it('follows a value changed from outside (undo, another node)', async () => {
    render(<Field param={param} initial={1} />)
    await userEvent.click(screen.getByRole('button', { name: 'Set to 7' }))
    expect(screen.getByRole('spinbutton', { name: 'Tolerance' })).toHaveValue(7)
  })
})
