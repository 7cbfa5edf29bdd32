"use client";

import { useEffect, useState } from "react";

/** Dark/light switch; the choice is remembered and applied before paint by the layout's script. */
export function ThemeToggle() {
  const [dark, setDark] = useState(false);
  useEffect(() => setDark(document.documentElement.classList.contains("dark")), []);
  const toggle = () => {
    const next = !dark;
    setDark(next);
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
