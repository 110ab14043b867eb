import { useEffect, useState } from 'react'
import { Icon } from './icons'
import { useToast } from './Toasts'

/** Puts text on the clipboard (the API where there is one, else a hidden selected textarea). */
export async function copyToClipboard(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* try the old way */
  }
  const area = document.createElement('textarea')
  area.value = text
  area.setAttribute('readonly', '')
  area.style.position = 'fixed'
  area.style.opacity = '0'
  document.body.append(area)
  area.select()
  try {
    return document.execCommand('copy')
  } catch {
    return false
  } finally {
    area.remove()
  }
}

/** "Copy" that says "Copied" for two seconds once the text is on the clipboard. */
export function CopyButton({ text, label = 'Copy', what, className = 'btn btn-small' }: { text: string; label?: string; what: string; className?: string }) {
  const toast = useToast()
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => setCopied(false), 2000)
    return () => clearTimeout(timer)
  }, [copied])
  return (
    <button
      type="button"
      className={`${className}${copied ? ' is-copied' : ''}`}
      aria-label={`${label} ${what}`}
      onClick={async () => {
        if (await copyToClipboard(text)) setCopied(true)
        else toast({ tone: 'warning', title: 'Could not copy', text: `Select the ${what} and copy it by hand.` })
      }}
    >
      <Icon name={copied ? 'check' : 'copy'} size={12} />
      {copied ? 'Copied' : label}
    </button>
  )
}
