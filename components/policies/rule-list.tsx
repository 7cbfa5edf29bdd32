"use client";

import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { issuesAt } from "@/lib/policies/policy-form";
import type { Issue, Kind } from "@/lib/policies/policy-text";
import { TextField } from "./fields";
import { CacheMatchFields, CacheSettingFields, RoutingActionFields, RoutingMatchFields, type Edit } from "./rule-fields";

type Rule = Record<string, unknown>;

type Props = {
  kind: Kind;
  rules: Rule[];
  /** Stable keys, one per rule, so reordering keeps each card's state. */
  keys: string[];
  issues: readonly Issue[];
  readOnly: boolean;
  onEdit: (index: number, path: (string | number)[], value: unknown) => void;
  onMove: (from: number, to: number) => void;
  onDuplicate: (index: number) => void;
  onDelete: (index: number) => void;
};

/**
 * The ordered rule list (first match wins). Reorder by dragging the handle, by keyboard on the
 * handle (Space to lift, arrows to move, Space to drop; dnd-kit announces each step), or with the
 * up/down buttons.
 */
export function RuleList({ kind, rules, keys, issues, readOnly, onEdit, onMove, onDuplicate, onDelete }: Props) {
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    const from = keys.indexOf(String(e.active.id));
    const to = keys.indexOf(String(e.over.id));
    if (from >= 0 && to >= 0) onMove(from, to);
  };
  return (
    <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
      <SortableContext items={keys} strategy={verticalListSortingStrategy}>
        <ol className="flex flex-col gap-2" data-testid="policy-rules">
          {rules.map((rule, i) => (
            <RuleCard
              key={keys[i]}
              sortId={keys[i]!}
              kind={kind}
              rule={rule}
              index={i}
              count={rules.length}
              issues={issuesAt(issues, `rules.${i}`)}
              readOnly={readOnly}
              edit={(path, value) => onEdit(i, path, value)}
              onMove={onMove}
              onDuplicate={() => onDuplicate(i)}
              onDelete={() => onDelete(i)}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function RuleCard({
  sortId,
  kind,
  rule,
  index,
  count,
  issues,
  readOnly,
  edit,
  onMove,
  onDuplicate,
  onDelete,
}: {
  sortId: string;
  kind: Kind;
  rule: Rule;
  index: number;
  count: number;
  issues: readonly Issue[];
  readOnly: boolean;
  edit: Edit;
  onMove: (from: number, to: number) => void;
  onDuplicate: () => void;
  onDelete: () => void;
}) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({ id: sortId, disabled: readOnly });
  const style = { transform: CSS.Transform.toString(transform), transition };
  const base = `rules.${index}`;
  const sub = (key: string): Edit => (path, value) => edit([key, ...path], value);
  const id = String(rule.id ?? "");
  return (
    <li
      ref={setNodeRef}
      style={style}
      data-testid={`policy-rule-${index}`}
      className={cn("rounded-md border bg-[var(--card)] p-3", issues.length > 0 ? "border-red-400" : "border-[var(--border)]", isDragging && "z-10 shadow-lg")}
    >
      <div className="mb-2 flex flex-wrap items-end gap-2">
        {!readOnly ? (
          <button
            type="button"
            className="cursor-grab rounded px-1 py-1 text-[var(--muted)] hover:bg-[var(--border)] focus-visible:outline-2 focus-visible:outline-[var(--accent)]"
            aria-label={`Reorder rule ${id || index + 1} (Space to lift, arrows to move)`}
            data-testid={`policy-rule-${index}-handle`}
            {...attributes}
            {...listeners}
          >
            ⠿
          </button>
        ) : null}
        <span className="pb-1 text-xs text-[var(--muted)]">#{index + 1}</span>
        <TextField className="w-44" label="Rule id" text={id} onText={(t) => edit(["id"], t)} issues={issuesAt(issues, `${base}.id`)} readOnly={readOnly} testId={`policy-rule-${index}-id`} />
        <TextField
          className="min-w-40 flex-1"
          label="Description"
          text={String(rule.description ?? "")}
          onText={(t) => edit(["description"], t === "" ? undefined : t)}
          issues={issuesAt(issues, `${base}.description`)}
          readOnly={readOnly}
          testId={`policy-rule-${index}-description`}
        />
        {!readOnly ? (
          <span className="flex gap-1 pb-0.5">
            <Button variant="ghost" aria-label={`Move rule ${id} up`} disabled={index === 0} onClick={() => onMove(index, index - 1)}>
              ↑
            </Button>
            <Button variant="ghost" aria-label={`Move rule ${id} down`} disabled={index === count - 1} onClick={() => onMove(index, index + 1)}>
              ↓
            </Button>
            <Button variant="ghost" data-testid={`policy-rule-${index}-duplicate`} onClick={onDuplicate}>
              Duplicate
            </Button>
            <Button variant="ghost" className="text-red-700 dark:text-red-300" data-testid={`policy-rule-${index}-delete`} onClick={onDelete}>
              Delete
            </Button>
          </span>
        ) : null}
      </div>
      <fieldset className="mb-2">
        <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-[var(--muted)]">When</legend>
        {kind === "routing" ? (
          <RoutingMatchFields value={rule.match as Rule} at={`${base}.match`} issues={issues} edit={sub("match")} readOnly={readOnly} testId={`policy-rule-${index}-match`} />
        ) : (
          <CacheMatchFields value={rule.match as Rule} at={`${base}.match`} issues={issues} edit={sub("match")} readOnly={readOnly} testId={`policy-rule-${index}-match`} />
        )}
      </fieldset>
      <fieldset>
        <legend className="mb-1 text-xs font-semibold uppercase tracking-wide text-[var(--muted)]">Then</legend>
        {kind === "routing" ? (
          <RoutingActionFields value={rule.action as Rule} at={`${base}.action`} issues={issues} edit={sub("action")} readOnly={readOnly} testId={`policy-rule-${index}-action`} />
        ) : (
          <CacheSettingFields value={rule} at={base} issues={issues} edit={edit} readOnly={readOnly} testId={`policy-rule-${index}`} />
        )}
      </fieldset>
    </li>
  );
}
