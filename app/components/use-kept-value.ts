import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from "react";

const useIsomorphicLayoutEffect = typeof document === "undefined" ? useEffect : useLayoutEffect;

export interface KeptValueProps {
  value?: string;
  defaultValue?: string;
  onChange?: (value: string) => void;
}

/**
 * Keeps what a person typed before the page's scripts arrived.
 *
 * On a slow connection the server-rendered form is usable for seconds before hydration, and
 * people type into it. React leaves that text in the box while hydrating, but react-aria's
 * text fields hold their value in React state (still the server's empty default), so the
 * next render writes the state back into the box and the typing is gone (a date of birth,
 * an email). This reads the box once, in the hydration commit itself (a layout effect runs
 * before any later render), and adopts what is there. Controlled fields (`value` given) are
 * left alone: their owner decides.
 *
 * Returns the ref for the `<input>`/`<textarea>` and the value and onChange for react-aria.
 */
export function useKeptValue<E extends HTMLInputElement | HTMLTextAreaElement>({ value, defaultValue, onChange }: KeptValueProps): {
  ref: RefObject<E>;
  value: string;
  onChange: (value: string) => void;
} {
  const ref = useRef<E>(null);
  const controlled = value !== undefined;
  const [own, setOwn] = useState(defaultValue ?? "");
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useIsomorphicLayoutEffect(() => {
    const typed = ref.current?.value;
    if (controlled || typed === undefined || typed === (defaultValue ?? "")) return;
    setOwn(typed);
    onChangeRef.current?.(typed);
    // Once, at hydration: later typing goes through onChange.
  }, []);

  return {
    ref,
    value: controlled ? value : own,
    onChange: (next: string) => {
      if (!controlled) setOwn(next);
      onChangeRef.current?.(next);
    },
  };
}

/**
 * useKeptValue for a radio group: adopts the radio checked before hydration. The ref goes on
 * the group's element (react-aria's RadioGroup).
 */
export function useKeptSelection({ value, defaultValue, onChange }: { value?: string | null; defaultValue?: string | null; onChange?: (value: string) => void }): {
  ref: RefObject<HTMLDivElement>;
  value: string | null;
  onChange: (value: string) => void;
} {
  const ref = useRef<HTMLDivElement>(null);
  const controlled = value !== undefined;
  const [own, setOwn] = useState<string | null>(defaultValue ?? null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useIsomorphicLayoutEffect(() => {
    const checked = ref.current?.querySelector<HTMLInputElement>('input[type="radio"]:checked')?.value;
    if (controlled || checked === undefined || checked === (defaultValue ?? null)) return;
    setOwn(checked);
    onChangeRef.current?.(checked);
  }, []);

  return {
    ref,
    value: controlled ? value : own,
    onChange: (next: string) => {
      if (!controlled) setOwn(next);
      onChangeRef.current?.(next);
    },
  };
}

/**
 * useKeptValue for one checkbox: adopts a tick (or untick) made before hydration. The ref
 * goes on the field's element (react-aria's CheckboxField).
 */
export function useKeptChecked({ isSelected, defaultSelected, onChange }: { isSelected?: boolean; defaultSelected?: boolean; onChange?: (isSelected: boolean) => void }): {
  ref: RefObject<HTMLDivElement>;
  isSelected: boolean;
  onChange: (isSelected: boolean) => void;
} {
  const ref = useRef<HTMLDivElement>(null);
  const controlled = isSelected !== undefined;
  const [own, setOwn] = useState(defaultSelected ?? false);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useIsomorphicLayoutEffect(() => {
    const checked = ref.current?.querySelector<HTMLInputElement>('input[type="checkbox"]')?.checked;
    if (controlled || checked === undefined || checked === (defaultSelected ?? false)) return;
    setOwn(checked);
    onChangeRef.current?.(checked);
  }, []);

  return {
    ref,
    isSelected: controlled ? isSelected : own,
    onChange: (next: boolean) => {
      if (!controlled) setOwn(next);
      onChangeRef.current?.(next);
    },
  };
}
