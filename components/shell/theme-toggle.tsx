"use client";

import { useSyncExternalStore } from "react";

// The theme lives in the <html> class (set before paint by THEME_SCRIPT); the toggle reads it
// as an external store so server and first client render agree.
function subscribe(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}
const isDark = () => document.documentElement.classList.contains("dark");

/** Dark/light switch; the choice is remembered and applied before paint by the layout's script. */
export function ThemeToggle() {
  const dark = useSyncExternalStore(subscribe, isDark, () => false);
  const toggle = () => {
    const next = !dark;
    document.documentElement.classList.toggle("dark", next);
    localStorage.setItem("pitwall-theme", next ? "dark" : "light");
  };
  return (
    <button
      onClick={toggle}
      className="rounded-md px-2 py-1 text-sm hover:bg-[var(--border)]"
      aria-label={dark ? "Switch to light theme" : "Switch to dark theme"}
      data-testid="theme-toggle"
    >
      {dark ? "☀ Light" : "☾ Dark"}
    </button>
  );
}

/** Runs before hydration so the page never flashes the wrong theme. */
export const THEME_SCRIPT = `try{var t=localStorage.getItem("pitwall-theme");if(t==="dark"||(!t&&matchMedia("(prefers-color-scheme: dark)").matches))document.documentElement.classList.add("dark")}catch(e){}`;
