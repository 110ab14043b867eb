import type { ReactNode } from 'react'
import { Link } from 'react-router'
import { useAuth } from '../features/auth/AuthContext'
import { Icon } from '../ui/icons'
import { Menu } from '../ui/Menu'
import { Logo } from './Logo'

export interface HeaderProps {
  /** The breadcrumb after "Experiments" (the experiment's name in the editor). */
  crumb?: ReactNode
  /** Right-hand toolbar (Save, Run, …). */
  actions?: ReactNode
  /** Whether "Experiments" is the current page. */
  onExperimentsPage?: boolean
}

function UserMenu() {
  const { user, signOut } = useAuth()
  if (!user) return null
  return (
    <Menu
      label={`Account: ${user.username}`}
      title={`Signed in as ${user.username}`}
      triggerClassName="user-chip"
      trigger={
        <>
          <span className="user-avatar" aria-hidden="true">
            {user.username.slice(0, 1).toUpperCase()}
          </span>
          <span className="user-name">{user.username}</span>
        </>
      }
      items={[{ label: 'Sign out', icon: <Icon name="open" />, onSelect: () => void signOut() }]}
    />
  )
}

export function Header({ crumb, actions, onExperimentsPage }: HeaderProps) {
  return (
    <header className="app-header">
      <Link to="/" className="brand" aria-label="Cluster Studio home">
        <Logo />
        <span className="brand-name">Cluster Studio</span>
      </Link>
      <span className="header-divider" aria-hidden="true" />
      <nav className="breadcrumb" aria-label="Breadcrumb">
        {onExperimentsPage ? (
          <span className="breadcrumb-current" aria-current="page">
            Experiments
          </span>
        ) : (
          <Link to="/" className="breadcrumb-parent">
            Experiments
          </Link>
        )}
        {crumb ? (
          <>
            <span className="breadcrumb-separator" aria-hidden="true">
              /
            </span>
            {crumb}
          </>
        ) : null}
      </nav>
      <div className="header-actions">{actions}</div>
      <UserMenu />
    </header>
  )
}
