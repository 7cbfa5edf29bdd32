"use client";

import { useId, useState } from "react";
import { cn } from "@/components/ui/cn";
import { Input, Select } from "@/components/ui/input";
import type { Issue } from "@/lib/policies/policy-text";

/** Small form controls of the policy editor: a label, the control, its inline issues. */

export function FieldIssues({ issues, id }: { issues: readonly Issue[]; id?: string }) {
  if (issues.length === 0) return null;
  return (
    <ul id={id} className="mt-0.5 text-xs text-red-700 dark:text-red-300" data-testid="field-issues">
      {issues.map((i, n) => (
        <li key={n}>{i.message}</li>
      ))}
    </ul>
  );
}

type TextProps = {
  label: string;
  /** The document's value, formatted. */
  text: string;
  onText: (text: string) => void;
  issues?: readonly Issue[];
  placeholder?: string;
  readOnly?: boolean;
  type?: "text" | "number";
  className?: string;
  testId?: string;
  list?: string;
  hint?: string;
};

/**
 * While focused the typed text is kept as typed ("a, " stays until the next letter); otherwise
 * the field shows the document's value, so edits in the JSON view appear here at once.
 */
export function TextField({ label, text, onText, issues = [], placeholder, readOnly, type = "text", className, testId, list, hint }: TextProps) {
  const id = useId();
  const [local, setLocal] = useState<string | null>(null);
  return (
    <div className={cn("min-w-0", className)}>
      <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-[var(--muted)]">
        {label}
      </label>
      <Input
        id={id}
        type={type}
        value={local ?? text}
        placeholder={placeholder}
        readOnly={readOnly}
        list={list}
        data-testid={testId}
        aria-invalid={issues.length > 0}
        aria-describedby={issues.length > 0 ? `${id}-issues` : undefined}
        className={cn("py-1 text-xs", issues.length > 0 && "border-red-500")}
        onFocus={() => setLocal(text)}
        onBlur={() => setLocal(null)}
        onChange={(e) => {
          setLocal(e.target.value);
          onText(e.target.value);
        }}
      />
      {hint ? <p className="mt-0.5 text-[11px] text-[var(--muted)]">{hint}</p> : null}
      <FieldIssues issues={issues} id={`${id}-issues`} />
    </div>
  );
}

export function SelectField<V extends string>({
  label,
  value,
  options,
  onValue,
  disabled,
  testId,
  className,
}: {
  label: string;
  value: V;
  options: readonly { value: V; label: string }[];
  onValue: (v: V) => void;
  disabled?: boolean;
  testId?: string;
  className?: string;
}) {
  const id = useId();
  return (
    <div className={cn("min-w-0", className)}>
      <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-[var(--muted)]">
        {label}
      </label>
      <Select id={id} value={value} disabled={disabled} data-testid={testId} className="w-full py-1 text-xs" onChange={(e) => onValue(e.target.value as V)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </Select>
    </div>
  );
}
