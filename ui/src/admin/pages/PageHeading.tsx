import { useEffect, useRef, type ReactNode } from "react";

/** The page's h1; it takes focus when the page opens (not on a refresh), so a keyboard or screen reader user starts there. */
export function PageHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}
