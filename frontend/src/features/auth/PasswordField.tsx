/** The server's minimum (backend password policy); the client says so before it is asked. */
export const MIN_PASSWORD_LENGTH = 8

export const NEW_PASSWORD_HINT = `At least ${MIN_PASSWORD_LENGTH} characters and hard to guess: a few uncommon words work well`

/** 'At least 8 characters' once something shorter is typed, else null. */
export function newPasswordProblem(password: string): string | null {
  return password.length > 0 && password.length < MIN_PASSWORD_LENGTH ? `At least ${MIN_PASSWORD_LENGTH} characters` : null
}

/**
 * A labelled password box. With a `hint`, the problem (if any) takes the hint's place, and the box is
 * described by it; without one, a problem shows below the box.
 */
export function PasswordField({
  id,
  label,
  autoComplete,
  value,
  onChange,
  onBlur,
  hint,
  problem = null,
  required,
  dialogAutofocus,
}: {
  id: string
  label: string
  autoComplete: 'current-password' | 'new-password'
  value: string
  onChange: (value: string) => void
  onBlur?: () => void
  hint?: string
  problem?: string | null
  required?: boolean
  /** Focused first when its dialog opens. */
  dialogAutofocus?: boolean
}) {
  const hintId = `${id}-hint`
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <input
        id={id}
        className="input"
        type="password"
        autoComplete={autoComplete}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        required={required}
        aria-invalid={problem ? true : undefined}
        aria-describedby={hint !== undefined ? hintId : undefined}
        data-autofocus={dialogAutofocus || undefined}
      />
      {hint !== undefined ? (
        <span id={hintId} className={problem ? 'field-error' : 'field-hint'}>
          {problem ?? hint}
        </span>
      ) : problem ? (
        <span className="field-error">{problem}</span>
      ) : null}
    </div>
  )
}
