import type { ReactNode } from "react";

export interface FileFieldProps {
  id: string;
  name: string;
  label: ReactNode;
  description?: ReactNode;
  error?: string;
  /** What the picker offers (the server checks the bytes whatever this says). */
  accept?: string;
}

/**
 * A labelled file input with its rules and its error, described for screen readers. A native
 * `<input type="file">` (react-aria has no file field that submits with JavaScript off); the
 * form needs `encType="multipart/form-data"`.
 */
export function FileField({ id, name, label, description, error, accept }: FileFieldProps) {
  const describedBy = [description ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field" data-invalid={error ? true : undefined}>
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {description ? (
        <div className="field__description" id={`${id}-hint`}>
          {description}
        </div>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <input id={id} name={name} type="file" className="input" accept={accept} aria-describedby={describedBy} aria-invalid={error ? true : undefined} />
    </div>
  );
}

/** What the document pickers offer: PDF, JPEG and PNG. */
export const DOCUMENT_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";
