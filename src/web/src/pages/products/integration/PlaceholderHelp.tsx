import { CONTEXT_PLACEHOLDERS, LEAD_PLACEHOLDERS } from '../../../../../crm/placeholders.js';

/** Inserts text at the cursor of the input or textarea it was last focused in: the new full value. */
export function insertAt(el: HTMLInputElement | HTMLTextAreaElement, text: string): string {
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? start;
  return el.value.slice(0, start) + text + el.value.slice(end);
}

/**
 * The placeholders a template may use, from the same list the server validates with. A click
 * inserts one into the body field (or URL) last focused.
 */
export function PlaceholderHelp({ onInsert }: { onInsert?: (placeholder: string) => void }) {
  const chip = (name: string) => (
    <li key={name}>
      <button type="button" className="chip" onClick={() => onInsert?.(`{{${name}}}`)} title={`Insert {{${name}}}`}>
        {`{{${name}}}`}
      </button>
    </li>
  );
  return (
    <details className="help" open>
      <summary>Placeholders</summary>
      <p className="muted small">
        Written as <code>{'{{name}}'}</code> anywhere in the URL, a header or a body value, and filled from the lead when it is delivered. Click one to
        insert it where your cursor was. <code>{'{{params.name}}'}</code> takes a value set per affiliate on its API tab.
      </p>
      <p className="small">Lead fields</p>
      <ul className="chips">{LEAD_PLACEHOLDERS.map(chip)}</ul>
      <p className="small">Context</p>
      <ul className="chips">{CONTEXT_PLACEHOLDERS.map(chip)}</ul>
    </details>
  );
}
