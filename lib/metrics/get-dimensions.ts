import { sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { queryWatermarks } from "./rollup-seal";
import { querySums, type RollupScope } from "./rollup-query";
import type { SummaryParams } from "./schemas";
import { planSegments, resolveRange } from "./time-range";

export type Dimensions = { models: string[]; routes: string[]; agents: string[] };

const MAX_VALUES = 200;

/** The models, routes and agents seen in a range, busiest first: the filter menus' options. */
export async function getDimensions(db: Db, projectId: string, params: Pick<SummaryParams, "range" | "from" | "to" | "kind">, nowMs = Date.now()): Promise<Dimensions> {
  const range = resolveRange(params, nowMs);
  const marks = await queryWatermarks(db);
  const base: RollupScope = { projectId, kind: params.kind, filters: {}, segments: planSegments(range, marks) };
  const values = async (dim: "model" | "route" | "agent") => {
    const rows = await querySums(db, { ...base, groupBy: dim }, { g2: sql`r.${sql.identifier(dim)}` });
    return rows
      .sort((a, b) => b.requests - a.requests)
      .slice(0, MAX_VALUES)
      .map((r) => r.g2);
  };
  const [models, routes, agents] = await Promise.all([values("model"), values("route"), values("agent")]);
  return { models, routes, agents };
}
