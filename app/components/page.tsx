import type { ReactNode } from "react";
import { classes } from "./classes";

export interface PageProps {
  /** The page's one h1. Say what the page is for ("Choose how to pay"). */
  title: ReactNode;
  /** A short first paragraph under the title, a little larger than body text. */
  lead?: ReactNode;
  /** A narrower column (about 60 characters) for forms and short pages. */
  narrow?: boolean;
  children?: ReactNode;
  className?: string;
}

/**
 * The layout of one page inside the site's `<main>`: the h1, an optional lead, then the content,
 * in a column that keeps lines short enough to read on any screen.
 */
export function Page({ title, lead, narrow, children, className }: PageProps) {
  return (
    <div className={classes("page", narrow && "narrow", className)}>
      <h1 className="page__title">{title}</h1>
      {lead ? <p className="lead">{lead}</p> : null}
      {children}
    </div>
  );
}
