import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { Logo } from './Logo'

export interface HeaderProps {
  experimentName?: string
  /** Right-hand toolbar (Save, Run, …). */
  actions?: ReactNode
}

export function Header({ experimentName, actions }: HeaderProps) {
  return (
    <header className="app-header">
      <Link to="/" className="brand" aria-label="Cluster Studio home">
        <Logo />
        <span className="brand-name">Cluster Studio</span>
      </Link>
      {experimentName ? (
        <>
          <span className="header-divider" aria-hidden="true" />
          <nav className="breadcrumb" aria-label="Breadcrumb">
            <span className="breadcrumb-parent">Experiments</span>
            <span className="breadcrumb-separator" aria-hidden="true">/</span>
            <span className="experiment-name" data-testid="experiment-name" aria-current="page">
              {experimentName}
            </span>
            <span className="chip" title="This experiment has not been saved yet">
              Draft
            </span>
          </nav>
        </>
      ) : null}
      <div className="header-actions">{actions}</div>
    </header>
  )
}
