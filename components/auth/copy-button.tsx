"use client";

import { useState } from "react";
import { Button } from "../ui/button";

/** Copies a secret to the clipboard; says so for two seconds. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      // Clipboard refused (no permission or plain HTTP): the text stays visible to select by hand.
      setCopied(false);
    }
  };
  return (
    <Button onClick={() => void copy()} data-testid="copy-button" aria-live="polite">
      {copied ? "Copied" : label}
    </Button>
  );
}
