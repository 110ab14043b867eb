import type { ReactNode } from 'react'
import type { FieldWiring, ParamFieldProps } from './paramFieldTypes'
import { fieldKind } from './paramSchema'

/**
 * One parameter field around its control: the label, the first problem, the hint and any further
 * server messages. `label: 'after'` puts the label after the control (a checkbox); `'group'` names a
 * group of controls (a span the group's aria-labelledby points at, not a <label>).
 */
export function FieldFrame({
  param,
  serverMessages,
  wiring,
  hint = null,
  label = 'before',
  children,
}: Pick<ParamFieldProps, 'param' | 'serverMessages'> & {
  wiring: FieldWiring
  hint?: ReactNode
  label?: 'before' | 'after' | 'group'
  children: ReactNode
}) {
  const { id, hintId, errorId, message, invalid } = wiring
  const labelElement =
    label === 'group' ? (
      <span id={`${id}-label`} className="field-label" title={param.description}>
        {param.name}
      </span>
    ) : (
      <label htmlFor={id} className="field-label" id={`${id}-label`} title={param.description}>
        {param.name}
      </label>
    )

  return (
    <div className={`field param-field kind-${fieldKind(param)}${invalid ? ' is-invalid' : ''}`} data-param={param.id}>
      {label === 'after' ? (
        <div className="checkbox param-checkbox">
          {children}
          {labelElement}
        </div>
      ) : (
        <>
          {labelElement}
          {children}
        </>
      )}
      {invalid ? (
        <span id={errorId} className="field-error" role="alert">
          {message}
        </span>
      ) : null}
      {hint ? (
        <span id={hintId} className="field-hint">
          {hint}
        </span>
      ) : null}
      {invalid && serverMessages.length > 1 ? (
        serverMessages.slice(1).map((m) => (
          <span key={m} className="field-error">
            {m}
          </span>
        ))
      ) : null}
    </div>
  )
}
